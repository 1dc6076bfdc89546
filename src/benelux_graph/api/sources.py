"""The per-fact citations for readers: the source reader (`/sources`, `/sources/<document>`), the fact pages
(`/page/fact/…`, where `/id/fact/…` sends a browser), and the programme comparison (`/compare`, `/api/compare`).

Everything is read from the store through citations.py (built once per release, off the event loop); the
sentences and their layout come from the ledgers (source_reader.py). Quotes and labels are data: the templates
escape them.
"""

from __future__ import annotations

import json
import threading
from typing import Annotated
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ..citations import Citations, Fact, marked
from ..compare import NEW, OLD, comparison
from ..graph_index import TERM_LABELS, compact
from ..namespaces import BXR
from ..source_reader import Document, ledger_paths, read_document
from .errors import ApiError
from .http_conventions import not_modified, root, serve_get_and_head, validators
from .messages import UI, choose_language, term_label
from .negotiation import HTML, JSON, choose
from .openapi import NOT_MODIFIED, answers, lang_parameter
from .pages import language_links, page
from .resources import href_for, linked_data
from .runtime import Runtime

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def words(lang: str) -> dict[str, str]:
    """The words of these pages (keys `cite_*` of the site's catalogue, web/messages.json), without the prefix."""
    return {k.removeprefix("cite_"): v for k, v in UI[lang].items() if k.startswith("cite_")}


def citations(runtime: Runtime) -> Citations:
    """The release's Citations, kept on its LinkedData (so a reload builds them anew)."""
    return linked_data(runtime).citations


def fact_words(runtime: Runtime, fact: Fact, lang: str) -> dict:
    """The fact as subject, relation and object labels (in `lang`, English as the fallback)."""
    ld = linked_data(runtime)
    index = ld.index

    def predicate_label() -> str:
        named = term_label(compact(fact.predicate.value), lang)  # the ontology names most properties in English only
        if named:
            return named
        for idx in (index, ld.ontology_index):
            found = idx.literal(fact.predicate, (RDFS_LABEL,), lang)
            if found is not None:
                return found.value
        short = compact(fact.predicate.value)
        return TERM_LABELS.get(short, short)

    return {
        "subject": index.label(fact.subject, lang)[0],
        "predicate": predicate_label(),
        "object": index.label(fact.object, lang)[0],
        "object_is_iri": isinstance(fact.object, ox.NamedNode),
    }


def sources_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["citations"])
    documents_lock = threading.Lock()
    documents: dict[tuple[str, str], Document | None] = {}

    def document(slug: str) -> Document | None:
        key = (runtime.store.release, slug)
        with documents_lock:
            if key not in documents:
                documents[key] = read_document(runtime.settings.root, slug)
            return documents[key]

    def label(iri: str | None, lang: str = "en") -> str:
        return linked_data(runtime).index.label(ox.NamedNode(iri), lang)[0] if iri else ""

    def html_headers(request: Request, *key: str) -> tuple[dict, bool]:
        data = linked_data(runtime)
        etag = data.etag(*key)
        headers = {**validators(etag, data.publication.last_modified), "Vary": "Accept-Language"}
        return headers, not_modified(request, etag, data.publication.last_modified)

    def missing(request: Request, kind: str, iri: str, message: str) -> Response:
        """A 404: the site's not-found page for a browser, the JSON error shape otherwise."""
        if choose(request.headers.get("accept"), [], (HTML, JSON)) is HTML:
            lang, _ = choose_language(request)
            return page(
                request,
                "ld/not_found.html",
                {
                    "lang": lang,
                    "iri": iri,
                    "query": "",
                    "hits": [],
                    "href": href_for(root(request)),
                    "languages": language_links(request, lang),
                },
                status=404,
                headers={"Vary": "Accept, Accept-Language", "Cache-Control": "no-store"},  # it follows Accept
            )
        raise ApiError(404, kind, message)

    def reader_link(base: str, source, lang_suffix: str) -> str | None:
        if not source.passage or not source.document:
            return None
        return f"{base}/sources/{quote(source.document.rsplit('/', 1)[-1])}{lang_suffix}#{source.anchor}"

    def sources_list(request: Request) -> Response:
        lang, explicit = choose_language(request)
        headers, unchanged = html_headers(request, "sources", lang)
        if unchanged:
            return Response(status_code=304, headers=headers)
        cites = citations(runtime)
        items = []
        for slug in ledger_paths(runtime.settings.root):
            doc = document(slug)
            if doc is None:
                continue
            n_facts = len(
                {f.iri for s in doc.sentences for f, _ in cites.by_sentence.get(str(BXR) + "source/" + s.id, ())}
            )
            items.append(
                {"slug": slug, "label": label(doc.iri, lang), "sentences": len(doc.sentences), "facts": n_facts}
            )
        return page(
            request,
            "ld/sources.html",
            {
                "lang": lang,
                "w": words(lang),
                "documents": items,
                "suffix": f"?lang={lang}" if explicit else "",
                "languages": language_links(request, lang),
            },
            headers=headers,
        )

    def source_page(request: Request, slug: str) -> Response:
        doc = document(slug) if slug in ledger_paths(runtime.settings.root) else None
        if doc is None:
            return missing(
                request,
                "unknown-document",
                f"{root(request)}/sources/{slug}",
                f"no source document {slug!r}: /sources lists them",
            )
        lang, explicit = choose_language(request)
        headers, unchanged = html_headers(request, "source", slug, lang)
        if unchanged:
            return Response(status_code=304, headers=headers)
        cites = citations(runtime)
        base = root(request)
        suffix = f"?lang={lang}" if explicit else ""
        fact_links: dict[str, dict] = {}

        def fact_link(fact: Fact) -> dict:
            if fact.iri not in fact_links:
                fact_links[fact.iri] = {
                    "href": f"{base}/page/{quote(fact.path, safe='/')}{suffix}",
                    "iri": fact.iri,
                    **fact_words(runtime, fact, lang),
                }
            return fact_links[fact.iri]

        blocks = []
        for block in doc.blocks:
            sentences = []
            for s in block.sentences:
                cited = cites.by_sentence.get(str(BXR) + "source/" + s.id, [])
                pieces = marked(s.text, [(src.exact, fact_link(f)) for f, src in cited])
                facts = list({f.iri: fact_link(f) for f, _ in cited}.values())
                sentences.append({"id": s.id, "pieces": pieces, "facts": facts})
            blocks.append({"heading": block.heading, "sentences": sentences})
        return page(
            request,
            "ld/source.html",
            {
                "lang": lang,
                "w": words(lang),
                "title": label(doc.iri, lang),
                "doc": doc,
                "blocks": blocks,
                "doc_href": href_for(base, lang if explicit else None)(doc.iri),
                "suffix": suffix,
                "languages": language_links(request, lang),
            },
            headers=headers,
        )

    def cite_text(fact: Fact, source, release: str, lang: str) -> str:
        tail = f"benelux-graph, {words(lang)['release']} {release}, <{fact.iri}>"
        if source.authority is not None:
            return f"{label(source.authority, lang)}{f' ({source.url})' if source.url else ''}. {tail}."
        return (
            f"“{source.exact}” — {label(source.document, lang)}, {words(lang)['section']} "
            f"“{source.section}” ({source.anchor}). {tail}."
        )

    def fact_page(request: Request, path: str) -> Response:
        fact = citations(runtime).fact(str(BXR) + "fact/" + path)
        if fact is None:  # a citation (…/<fact>/jwp-0185) or its selector (…/quote): the fact's page, at it
            parts = path.split("/")
            for cut in (1, 2):
                whole = citations(runtime).fact(str(BXR) + "fact/" + "/".join(parts[:-cut]))
                if len(parts) > cut and whole is not None:
                    target = f"{root(request)}/page/{quote(whole.path, safe='/')}#{quote(parts[len(parts) - cut])}"
                    return RedirectResponse(target, 303, headers={"Cache-Control": "no-cache"})
            return missing(
                request,
                "unknown-iri",
                f"{BXR}fact/{path}",
                f"the graph has no fact <{BXR}fact/{path}>; the facts of an entity are cited on its page",
            )
        lang, explicit = choose_language(request)
        headers, unchanged = html_headers(request, "fact", path, lang)
        headers["Link"] = f'<{fact.iri}>; rel="about"'  # the fact; the canonical is the page's own URL
        if unchanged:
            return Response(status_code=304, headers=headers)
        base = root(request)
        suffix = f"?lang={lang}" if explicit else ""
        href = href_for(base, lang if explicit else None)
        release = runtime.store.release
        sources = [
            {
                "source": s,
                "pieces": marked(s.sentence, [(s.exact, True)]) if s.passage else [],
                "document_label": label(s.document or s.authority, lang),
                "document_href": href(s.document or s.authority or ""),
                "reader": reader_link(base, s, suffix),
                "cite": cite_text(fact, s, release, lang),
            }
            for s in fact.sources
        ]
        return page(
            request,
            "ld/fact.html",
            {
                "lang": lang,
                "w": words(lang),
                "fact": fact,
                "said": fact_words(runtime, fact, lang),
                "subject_href": href(fact.subject.value),
                "predicate_href": href(fact.predicate.value),
                "object_href": href(fact.object.value) if isinstance(fact.object, ox.NamedNode) else None,
                "sources": sources,
                "data_href": f"{base}/data/{quote(fact.path, safe='/')}.ttl",
                "languages": language_links(request, lang),
            },
            headers=headers,
        )

    def compared(lang: str) -> dict:
        return comparison(citations(runtime), lambda iri: label(iri, lang))

    def compare_api(request: Request) -> Response:
        lang, _ = choose_language(request)
        body = {"from": OLD, "to": NEW, "lang": lang, **compared(lang)}
        return Response(
            json.dumps(body, ensure_ascii=False),
            media_type=JSON.content_type,
            headers={"Vary": "Accept-Language", "Cache-Control": "no-cache"},
        )

    def compare_page(request: Request) -> Response:
        lang, explicit = choose_language(request)
        headers, unchanged = html_headers(request, "compare", lang)
        if unchanged:
            return Response(status_code=304, headers=headers)
        base = root(request)
        suffix = f"?lang={lang}" if explicit else ""
        return page(
            request,
            "ld/compare.html",
            {
                "lang": lang,
                "w": words(lang),
                "kinds": compared(lang),
                # a name shown in English for want of one in `lang` is marked lang="en"
                "label_lang": lambda iri: linked_data(runtime).index.label(ox.NamedNode(iri), lang)[1],
                "href": href_for(base, lang if explicit else None),
                "old_label": label(OLD, lang),
                "new_label": label(NEW, lang),
                "suffix": suffix,
                "languages": language_links(request, lang),
            },
            headers=headers,
        )

    async def sources_route(request: Request) -> Response:
        return await run_in_threadpool(sources_list, request)

    async def source_route(
        request: Request, document: Annotated[str, PathParam(examples=["joint-work-programme-2025-2028"])]
    ) -> Response:
        return await run_in_threadpool(source_page, request, document)

    async def fact_route(
        request: Request,
        path: Annotated[str, PathParam(examples=["benelux-union.cooperatesWith.north-rhine-westphalia"])],
    ) -> Response:
        return await run_in_threadpool(fact_page, request, path)

    async def compare_route(request: Request) -> Response:
        return await run_in_threadpool(compare_page, request)

    async def compare_api_route(request: Request) -> Response:
        return await run_in_threadpool(compare_api, request)

    lang = {"parameters": [lang_parameter("the language of the page (else Accept-Language, else English)")]}
    html = {**answers((HTML,), "the page"), **NOT_MODIFIED}
    serve_get_and_head(
        router,
        "/sources",
        sources_route,
        response_class=Response,
        responses=html,
        summary="The source documents, with their sentences and cited facts",
        openapi_extra=lang,
    )
    serve_get_and_head(
        router,
        "/sources/{document}",
        source_route,
        response_class=Response,
        responses=html,
        summary="A source document to read: every sentence anchored (#jwp-0123), every cited span "
        "highlighted and linked to its facts",
        openapi_extra=lang,
    )
    serve_get_and_head(
        router,
        "/page/fact/{path:path}",
        fact_route,
        response_class=Response,
        responses=html,
        summary="The page of a fact: in words, its sources with the stating span, and how to cite it",
        openapi_extra=lang,
    )
    serve_get_and_head(
        router,
        "/compare",
        compare_route,
        response_class=Response,
        responses=html,
        summary="The two programmes compared: themes, partners, bodies, instruments",
        openapi_extra=lang,
    )
    serve_get_and_head(
        router,
        "/api/compare",
        compare_api_route,
        response_class=Response,
        responses=answers((JSON,), "new, continued and dropped, each with the quotes of each side"),
        summary="The two programmes compared (JSON)",
        openapi_extra={
            "parameters": [lang_parameter("the language of the labels (else Accept-Language, else English)")]
        },
    )
    return router
