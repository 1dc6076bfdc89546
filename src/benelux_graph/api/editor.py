"""The query editor page (GET /sparql from a browser): YASGUI from the project's npm install, configured with the
endpoint, the project's prefixes and the saved queries. Its data goes into the page as JSON, escaped for HTML.
"""

from __future__ import annotations

import json

from ..namespaces import PREFIXES
from .http_conventions import root
from .pages import page_context, templates
from .runtime import Runtime

USED_BY_DEFAULT = ("bx", "bxr", "org", "skos")

DEFAULT_QUERY = """\
# Organisations and the forums and bodies they are members of, with their role.
SELECT ?organisationLabel ?member ?memberLabel ?role WHERE {
  ?membership org:organization ?organisation ;
              org:member ?member .
  OPTIONAL { ?membership org:role/skos:prefLabel ?role . FILTER(lang(?role) = "en") }
  ?organisation skos:prefLabel ?organisationLabel . FILTER(lang(?organisationLabel) = "en")
  ?member skos:prefLabel ?memberLabel . FILTER(lang(?memberLabel) = "en")
}
ORDER BY ?organisationLabel ?memberLabel
LIMIT 100
"""


def default_query() -> str:
    prologue = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in USED_BY_DEFAULT)
    return prologue + "\n" + DEFAULT_QUERY


def editor_config(runtime: Runtime, base: str, lang: str = "en") -> dict:
    return {
        "endpoint": base + "/sparql",
        "apiBase": base + "/api/queries",
        "prefixes": runtime.prefixes,
        "defaultQuery": default_query(),
        "queries": [
            {
                "name": q.name,
                "title": q.title_in(lang),
                "description": q.description_in(lang),
                # the language each is written in: the reader's, or English where the header lacks it
                "titleLang": lang if lang in q.titles else "en",
                "descriptionLang": lang if lang in q.descriptions else "en",
                "sparql": q.text,
                "params": [{"name": p.name, "type": p.type, "default": p.default} for p in q.params],
            }
            for q in runtime.queries.values()
        ],
    }


def script_json(data) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def editor_page(runtime: Runtime, request, query: str | None = None) -> str:
    """The editor in the reader's language, with the site's header; `query` (from `/sparql?query=` in a browser,
    e.g. an entity page's "Query it in SPARQL") opens in the editor instead of the example."""
    base = root(request)
    context = page_context(request, {})
    config = editor_config(runtime, base, context["lang"])
    if query is not None:
        config["defaultQuery"] = query
    words = context["t"]
    config["words"] = {
        "query": words["editor_query_label"],
        "endpoint": words["editor_endpoint_label"],
        "tab": words["editor_tab_label"],
        "tabName": words["editor_tab_name"],
        "params": words["editor_params"],
        "unbound": words["editor_unbound"],
        "default": words["editor_default"],
        "lang": context["lang"],
        "yasr": yasr_words(context["lang"]),
    }
    context["config"] = script_json(config)
    return templates.get_template("editor.html").render(context)


def yasr_words(lang: str) -> list[list[str]]:
    """[[English, the language's text], ...]: YASGUI's result pane has its own English words (plugin names,
    tooltips, the table's pager), which editor.js replaces where they show; `{0}` in a text stands for a part
    that varies (a count, a variable's name)."""
    from .messages import UI

    if lang == "en":
        return []
    return [[UI["en"][key], UI[lang][key]] for key in sorted(UI["en"]) if key.startswith("yasr_")]
