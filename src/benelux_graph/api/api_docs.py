"""The API documentation in the reader's language: `/docs` (Swagger UI) and `/redoc` (ReDoc) are pages of the
site (its header with the language choice, `?lang=` else Accept-Language, `Vary: Accept-Language`), and
`/openapi.json?lang=fr|nl|de` is the OpenAPI description with its description, tags and route summaries in that
language (without `lang`, English: a program gets the same document whatever its Accept-Language).

The words come from one catalogue, `web/api_docs.json`, keyed by the English text (each in the four languages;
a missing one is refused at start): the route summaries, the tags, the description and the words Swagger UI and
ReDoc write themselves ("Try it out", "Responses"...), which `web/static/api-docs.js` replaces in the page. The
saved queries' titles are shown as they are (English only, as everywhere on the site).
"""

from __future__ import annotations

import copy
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from .messages import LANGUAGES, choose_language, load
from .pages import page
from .runtime import Runtime

CATALOGUE = Path(__file__).resolve().parents[1] / "web" / "api_docs.json"
WORDS = load(CATALOGUE)  # {lang: {English text: text in lang}}
DESCRIPTION = (
    "A SPARQL endpoint and saved queries over the knowledge graph of Benelux Union cooperation "
    "(dataset release {release}). Read-only."
)
TITLES = {"swagger": "API (Swagger UI)", "redoc": "API (ReDoc)"}


def translated(schema: dict, lang: str, release: str) -> dict:
    """The OpenAPI description with its description, tags and summaries in `lang` (a copy; what the catalogue
    lacks stays English)."""
    if lang == "en":
        return schema
    words = WORDS[lang]
    out = copy.deepcopy(schema)
    out["info"]["description"] = words[DESCRIPTION].format(release=release)
    for operations in out.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            if "summary" in operation:
                operation["summary"] = words.get(operation["summary"], operation["summary"])
            if "tags" in operation:
                operation["tags"] = [words.get(tag, tag) for tag in operation["tags"]]
    return out


def api_docs_router(runtime: Runtime) -> APIRouter:
    router = APIRouter()
    documents: dict[tuple[int, str], dict] = {}  # (id of the app's schema, lang) -> the translated schema

    async def openapi_json(request: Request) -> Response:
        lang = request.query_params.get("lang") or "en"  # checked and normalised by api/parameters.py
        schema = request.app.openapi()
        key = (id(schema), lang)
        if key not in documents:
            if len(documents) >= 2 * len(LANGUAGES):  # a reloaded release's schema: the old ones go
                documents.clear()
            documents[key] = translated(schema, lang, runtime.store.release)
        return JSONResponse(documents[key])

    def docs(request: Request, which: str) -> Response:
        lang = choose_language(request)[0]
        context = {"lang": lang, "which": which, "title": WORDS[lang][TITLES[which]], "words": chrome_words(lang)}
        return page(request, "api_docs.html", context)

    async def swagger(request: Request) -> Response:
        return docs(request, "swagger")

    async def redoc(request: Request) -> Response:
        return docs(request, "redoc")

    router.add_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    router.add_route("/docs", swagger, methods=["GET"], include_in_schema=False)
    router.add_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
    return router


def chrome_words(lang: str) -> dict[str, str]:
    """What api-docs.js replaces in the page: each English text with its text in `lang`."""
    return {en: text for en, text in WORDS[lang].items() if en != text} if lang != "en" else {}
