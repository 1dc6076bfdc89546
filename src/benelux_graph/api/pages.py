"""Pages: the site's templates, and what every page needs (base URL, release, language, words, navigation)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from ..dumps import LICENSE, LICENSE_NAME
from ..graph_index import LANGUAGES
from .assets import versioned
from .http_conventions import root
from .messages import LANGUAGE_NAMES, UI, choose_language, number
from .runtime import Runtime

WEB = Path(__file__).resolve().parents[1] / "web"
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
# {{ asset("site.css") }}: /static/site.css by its content (api/assets.py), kept a year by browsers
templates.env.globals["asset"] = lambda name: versioned("/static/" + name, STATIC / name)
# {{ n|number(lang) }}: 1,842,611 in English, 1 842 611 in French, 1.842.611 in Dutch and German
templates.env.filters["number"] = number
#: What a shape's message quotes, in any language: prefixed names (bxr:start-of-2025) and example values in quotes.
QUOTED = re.compile(r'"[^"]*"|\b[a-z][a-z0-9]*:[A-Za-z0-9_][\w.-]*\w')


def code_spans(text: str) -> Markup:
    """{{ message|code_spans }}: the names and values a message quotes as code (they are not its language)."""
    out, at = Markup(""), 0
    for m in QUOTED.finditer(text):
        out += escape(text[at : m.start()]) + Markup("<code>{}</code>").format(m.group())
        at = m.end()
    return out + escape(text[at:])


templates.env.filters["code_spans"] = code_spans


def page_context(request: Request, context: dict) -> dict:
    """What every page needs (base, release, language, words, navigation, language links), then `context`."""
    runtime: Runtime = request.app.state.runtime
    lang = context.get("lang") or choose_language(request)[0]
    return {
        "base": root(request),
        "release": runtime.store.release,
        "lang": lang,
        "t": UI[lang],
        "license": LICENSE,
        "license_name": LICENSE_NAME,
        "languages": language_links(request, lang),
        "x_default": x_default(request),
        "nav": nav_links(request, lang),
        **context,
    }


def site_header(request: Request, framed: bool = False) -> str:
    """The site's header (navigation, search, language choice) as HTML, for a page not rendered from these
    templates (the Benelux+ page): put it first in <body>, with <link rel="stylesheet" href="/static/site.css">.
    `framed`: the page may be shown in another site's frame, where the other pages may not (frame-ancestors
    'none'): its links to them and the search open in the whole window, not in the frame (refused there)."""
    return templates.get_template("site_header.html").render(page_context(request, {"leave_frame": framed}))


def page(request: Request, name: str, context: dict, status: int = 200, headers: dict | None = None) -> Response:
    """Render a template with what every page needs. Every page is in the reader's language, which
    Accept-Language may choose, so it says `Vary: Accept-Language` (else a cache gives one reader's language to
    the next)."""
    return templates.TemplateResponse(
        request, name, page_context(request, context), status_code=status, headers=varying(headers, "Accept-Language")
    )


def varying(headers: dict | None, name: str) -> dict:
    """`headers` with `name` added to its Vary."""
    vary = [v.strip() for v in (headers or {}).get("Vary", "").split(",") if v.strip()]
    if name.lower() not in {v.lower() for v in vary}:
        vary.append(name)
    return {**(headers or {}), "Vary": ", ".join(vary)}


#: The site's navigation: (path, catalogue key), on every page.
NAV = (
    ("/", "nav_home"),
    ("/benelux-plus", "nav_network"),
    ("/sparql", "nav_editor"),
    ("/downloads", "nav_downloads"),
    ("/sources", "nav_sources"),
    ("/compare", "nav_compare"),
    ("/ontology", "nav_ontology"),
    ("/shapes", "nav_shapes"),
    ("/validate", "nav_validate"),
    ("/docs", "nav_api"),
)


def nav_links(request: Request, lang: str) -> list[dict]:
    """The navigation, keeping a language the URL chose (else the browser's Accept-Language decides)."""
    explicit = choose_language(request)[1]
    suffix = f"?lang={lang}" if explicit else ""
    here = request.url.path.rstrip("/") or "/"
    return [
        {
            "href": root(request) + path + ("" if path == "/docs" else suffix),
            "label": UI[lang][key],
            "current": here == path,
        }
        for path, key in NAV
    ]


def language_links(request: Request, lang: str) -> list[dict]:
    """This page in each language: `href` for the language choice, `absolute` (under the public base URL, never
    the request's Host) for the head's canonical and hreflang links."""
    params = dict(request.query_params)
    public = public_url(request)
    out = []
    for code in LANGUAGES:
        params["lang"] = code
        out.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "href": f"{path_of(request)}?{urlencode(params)}",
                "absolute": f"{public}?{urlencode(params)}",
                "current": code == lang,
            }
        )
    return out


def error_page(request: Request, status: int, kind: str, message: str, headers: dict[str, str]) -> Response:
    """An error asked for by a browser: the site's page in the reader's language (the details, as in the JSON
    error shape, in English), not JSON. A `lang` the site has not is no choice here (Accept-Language, else English)."""
    lang = choose_language(request)[0]
    context = {"lang": lang, "status": status, "kind": kind, "message": message}
    headers = {**headers, "Vary": "Accept, Accept-Language", "Cache-Control": "no-store"}
    return page(request, "ld/error.html", context, status=status, headers=headers)


def public_url(request: Request) -> str:
    """The request's path under the public base URL (BENELUX_PUBLIC_URL), without its query."""
    runtime: Runtime = request.app.state.runtime
    return runtime.settings.base_url + path_of(request).removeprefix(root(request))


def path_of(request: Request) -> str:
    """The request's path as a URL writes it, every character that needs it escaped: Starlette's `url.path`
    escapes `?` alone, and a space or `#` in it made this page's links (language choice, canonical, hreflang)
    no URL, or another page's."""
    return quote(request.scope["path"], safe="/:@!$&'()*+,;=~")


def x_default(request: Request) -> str:
    """The page without `lang` (hreflang x-default): the reader's browser chooses its language."""
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    return public_url(request) + (f"?{urlencode(params)}" if params else "")


def head_links(request: Request) -> str:
    """The head's canonical and hreflang links as HTML, for a page not rendered from these templates (Benelux+)."""
    return templates.get_template("head_links.html").render(page_context(request, {}))


def not_found_page(request: Request) -> Response:
    """A path no route serves, asked for by a browser: the site's 404 page (header, search box), not JSON."""
    context = {"iri": request.url.path, "no_page": True, "query": "", "hits": [], "kinds": {}, "href": None}
    return page(
        request,
        "ld/not_found.html",
        context,
        status=404,
        headers={"Vary": "Accept, Accept-Language", "Cache-Control": "no-store"},
    )
