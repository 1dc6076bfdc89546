"""/vendor/: the front-end libraries the pages load, from the project's node_modules (`npm ci`; never a CDN).

Only the files the pages use are served (an allow-list), not the rest of their npm packages: no demo pages,
package.json, sources or tests. VENDOR maps a URL folder to its package folder under node_modules/ and the
files of it the pages name (src/benelux_graph/web/templates/editor.html, web/benelux-plus/index.html).
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException

from .http_conventions import ConditionalFiles

VENDOR = {
    "yasgui": ("@zazuko/yasgui/build", ("yasgui.min.js", "yasgui.min.css")),
    "cytoscape": ("cytoscape/dist", ("cytoscape.min.js",)),
    "layout-base": ("layout-base", ("layout-base.js",)),
    "cose-base": ("cose-base", ("cose-base.js",)),
    "cytoscape-fcose": ("cytoscape-fcose", ("cytoscape-fcose.js",)),
    "axe-core": ("axe-core", ("axe.min.js",)),  # the accessibility tests load it into the pages
    "swagger-ui": ("swagger-ui-dist", ("swagger-ui.css", "swagger-ui-bundle.js")),  # /docs (api/site.py)
    # /vendor/redoc/redoc.standalone.js is a route of api/site.py (its one CDN address replaced)
}
WEEK = 7 * 86400


class AllowListedFiles(ConditionalFiles):
    """StaticFiles (ETag, 304, HEAD, ranges) over one folder, serving only the named files: 404 for the rest."""

    def __init__(self, directory: Path, files: tuple[str, ...]):
        super().__init__(directory=directory, check_dir=False)
        self.files = frozenset(files)

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = f"public, max-age={WEEK}"  # they change only with package-lock.json
        return response

    async def get_response(self, path: str, scope):
        if path not in self.files:
            raise HTTPException(404, f"no file '{path}' among the front-end libraries served here")
        return await super().get_response(path, scope)


def mount_vendor(app, root: Path) -> None:
    node_modules = Path(root) / "node_modules"
    for name, (folder, files) in VENDOR.items():
        app.mount(f"/vendor/{name}", AllowListedFiles(node_modules / folder, files), name=f"vendor-{name}")
