"""The one prefix map used everywhere: in Turtle dumps, SPARQL prologues, the query editor and the pages."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VANN, XSD, DefinedNamespace

#: Base of every IRI the project mints. Data files use the same base; a test keeps them in step.
BASE = "https://w3id.org/benelux-graph/"

BX = Namespace(BASE + "ontology#")
BXR = Namespace(BASE + "id/")
SRC = Namespace(BASE + "id/source/")
ROLE = Namespace(BASE + "id/role/")
STATUS = Namespace(BASE + "id/status/")
THEME = Namespace(BASE + "id/theme/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = BASE + "ontology"

ORG = Namespace("http://www.w3.org/ns/org#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")

PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "bx": BX,
    "bxr": BXR,
    "src": SRC,
    "role": ROLE,
    "status": STATUS,
    "theme": THEME,
    "org": ORG,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "time": TIME,
    "foaf": FOAF,
    "vcard": VCARD,
    "eli": ELI,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "sh": SH,
    "vann": VANN,
    "oa": OA,
}


def sparql_prologue() -> str:
    """PREFIX lines for every prefix, so saved queries and the editor can use them without declaring."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
