"""The API documentation in the reader's language: `/docs` (Swagger UI) and `/redoc` (ReDoc) are pages of the
site (its header with the language choice, `?lang=` else Accept-Language, `Vary: Accept-Language`), and
`/openapi.json?lang=fr|nl|de` is the OpenAPI description with its description, tags, route summaries and every
`description` (operations, parameters, request bodies, responses, headers, schemas) in that language (without `lang`,
English, untouched: a program gets the same document whatever its Accept-Language).

The words come from one catalogue, `web/api_docs.json`, keyed by the English text (each in the four languages;
a missing one is refused at start): the route summaries, the tags, the descriptions and the words Swagger UI and
ReDoc write themselves ("Try it out", "Responses"...), which `web/static/api-docs.js` replaces in the page. A text
the catalogue lacks stays English (tests/site/test_api_docs.py lists it). The saved queries' titles and
descriptions, and their parameters' descriptions, are not in the catalogue: they live in each query's own header, in the four languages
(queries/README.md), and are taken from there.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from ..saved_queries import NamedQuery, Parameter
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
SOURCE = "Source: `queries/{name}.rq`"


def query_description(q: NamedQuery, lang: str = "en") -> str:
    """The description of a saved query's route: the query's own, and where its text is."""
    return q.description_in(lang) + "\n\n" + WORDS[lang][SOURCE].format(name=q.name)


def parameter_description(p: Parameter, lang: str = "en") -> str:
    """A saved query's parameter as its route documents it: the query's own words, its type and default."""
    shape = "({type}, default {default})" if p.default else "({type}, required)"
    return p.description_in(lang) + " " + WORDS[lang][shape].format(type=p.type, default=p.default)


def translated(schema: dict, lang: str, release: str, queries: Iterable[NamedQuery] = ()) -> dict:
    """The OpenAPI description with its descriptions, tags and summaries in `lang` (a copy; what the catalogue
    and the saved queries' headers lack stays English)."""
    if lang == "en":
        return schema
    words = dict(WORDS[lang])
    for q in queries:
        words[q.title] = q.title_in(lang)
        words[query_description(q)] = query_description(q, lang)
        words.update((parameter_description(p), parameter_description(p, lang)) for p in q.params)
    out = copy.deepcopy(schema)
    for text, where, key in descriptions(out):
        where[key] = words.get(text, text)
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


def descriptions(node: object) -> list[tuple[str, dict, str]]:
    """Every `description` text of an OpenAPI document, with the object holding it: (text, object, "description").
    A schema property named `description` is an object, not a text, and examples are data: both are left alone."""
    found: list[tuple[str, dict, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                found.append((value, node, key))
            elif key not in ("example", "examples"):
                found.extend(descriptions(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(descriptions(item))
    return found


def api_docs_router(runtime: Runtime) -> APIRouter:
    router = APIRouter()
    documents: dict[tuple[int, str], dict] = {}  # (id of the app's schema, lang) -> the translated schema
    texts: dict[int, set[str]] = {}  # id of the app's schema -> its descriptions (left out of the page's words)

    async def openapi_json(request: Request) -> Response:
        lang = request.query_params.get("lang") or "en"  # checked and normalised by api/parameters.py
        schema = request.app.openapi()
        key = (id(schema), lang)
        if key not in documents:
            if len(documents) >= 2 * len(LANGUAGES):  # a reloaded release's schema: the old ones go
                documents.clear()
            documents[key] = translated(schema, lang, runtime.store.release, runtime.queries.values())
        return JSONResponse(documents[key])

    def docs(request: Request, which: str) -> Response:
        lang = choose_language(request)[0]
        schema = request.app.openapi()
        if id(schema) not in texts:  # walked once per schema (4 ms), not on every page
            texts.clear()
            texts[id(schema)] = {text for text, _, _ in descriptions(schema)}
        document = texts[id(schema)]
        context = {
            "lang": lang,
            "which": which,
            "title": WORDS[lang][TITLES[which]],
            "words": chrome_words(lang, document),
        }
        return page(request, "api_docs.html", context)

    async def swagger(request: Request) -> Response:
        return docs(request, "swagger")

    async def redoc(request: Request) -> Response:
        return docs(request, "redoc")

    router.add_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    router.add_route("/docs", swagger, methods=["GET"], include_in_schema=False)
    router.add_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
    return router


def chrome_words(lang: str, document: set[str]) -> dict[str, str]:
    """What api-docs.js replaces in the page: each English text with its text in `lang`, but for the descriptions
    of the document (already translated in /openapi.json?lang=, and too many to carry in every page)."""
    if lang == "en":
        return {}
    return {en: text for en, text in WORDS[lang].items() if en != text and en not in document}
