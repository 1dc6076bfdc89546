"""benelux-graph: a sourced RDF knowledge graph of Benelux Union cooperation structures."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("benelux-graph")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
