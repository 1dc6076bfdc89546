"""Hypothesis against the SPARQL route, every parameter of the saved-query routes and of the graph API, on a real
server: every answer is 200 (or 304) or a 4xx in the one JSON error shape, never a 5xx, and the server stays up.

CI form: FUZZ_EXAMPLES (default 60) examples per test; the long form: FUZZ_EXAMPLES=1000.
"""

from __future__ import annotations

import os

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

#: Pieces of SPARQL, put together at random: most results are malformed, some run.
TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "*",
    "?s",
    "?p",
    "?o",
    "?x",
    ".",
    ";",
    ",",
    "FILTER",
    "REGEX",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "SERVICE",
    "FROM",
    "NAMED",
    "VALUES",
    "BIND",
    "AS",
    "COUNT",
    "GROUP BY",
    "ORDER BY",
    "LIMIT 3",
    "OFFSET",
    "PREFIX",
    "BASE",
    "bxr:benelux-union",
    "skos:prefLabel",
    "a",
    "<http://127.0.0.1:1/x>",
    "<file:///etc/passwd>",
    '"x"@en',
    "1",
    "1.5e3",
    "true",
    "#",
    "\n",
    "'''",
    '"',
    "\\u0049NSERT",
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DATA",
    "^^",
    "@en",
    "/",
    "|",
    "+",
    "?",
    "!",
    "=",
    "<",
    ">",
    "&&",
    "||",
    "IN",
    "NOT",
    "EXISTS",
    "STR",
    "LANG",
    "$v",
    "_:b",
    "[]",
]
sparql_like = st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join)
query_text = st.one_of(sparql_like, st.text(max_size=300))
FORMATS = ["json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml", "trig", "", "html", "x"]
ACCEPTS = [
    "*/*",
    "application/sparql-results+json",
    "text/csv",
    "text/turtle",
    "text/html",
    "text/plain",
    "application/xml;q=0.5, */*;q=0.1",
    "nonsense",
    "",
    "*/*;q=abc",
    "a/b, c/d;q=0",
]


def check(r: httpx.Response) -> None:
    assert r.status_code < 500, f"{r.status_code}: {r.text[:500]}"
    assert r.status_code in (200, 303, 304) or 400 <= r.status_code < 500, r.status_code
    if r.status_code >= 400:
        if r.headers.get("content-type", "").startswith("text/html"):
            return  # a page's error for a browser
        if r.headers.get("content-type", "").startswith("text/plain"):
            assert r.text.startswith(str(r.status_code))
            return
        assert r.headers["content-type"].startswith("application/json"), r.headers
        error = r.json()["error"]
        assert error["status"] == r.status_code and isinstance(error["type"], str) and error["message"]


@pytest.fixture(scope="module")
def http(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        yield c
    # the server is still up after all of it
    assert httpx.get(live_server.url + "/healthz", timeout=30).json()["status"] == "ok"


@FUZZ
@given(
    query=query_text,
    fmt=st.sampled_from(FORMATS + [None]),
    accept=st.sampled_from(ACCEPTS),
    method=st.sampled_from(["GET", "POST-form", "POST-direct"]),
    timeout=st.sampled_from([None, "0.5", "-1", "abc", "1e9", "nan", ""]),
)
def test_sparql_route(http, query, fmt, accept, method, timeout):
    params = {k: v for k, v in {"format": fmt, "timeout": timeout}.items() if v is not None}
    headers = {"accept": accept}
    if method == "GET":
        r = http.get("/sparql", params={"query": query, **params}, headers=headers)
    elif method == "POST-form":
        r = http.post("/sparql", data={"query": query, **params}, headers=headers)
    else:
        r = http.post(
            "/sparql",
            params=params,
            content=query.encode("utf-8", "surrogatepass"),
            headers={**headers, "content-type": "application/sparql-query"},
        )
    check(r)


@FUZZ
@given(
    body=st.binary(max_size=2_000),
    content_type=st.sampled_from(
        [
            "application/sparql-query",
            "application/x-www-form-urlencoded",
            "application/sparql-update",
            "text/plain",
            "application/json",
            "multipart/form-data; boundary=x",
            "",
            "application/sparql-query; charset=latin-1",
        ]
    ),
)
def test_sparql_route_with_any_bytes(http, body, content_type):
    r = http.post("/sparql", content=body, headers={"content-type": content_type} if content_type else {})
    check(r)


@FUZZ
@given(raw=st.binary(min_size=1, max_size=200))
def test_sparql_route_with_any_url_bytes(http, raw):
    """Percent-encoded bytes of any kind in the query string (invalid UTF-8 included)."""
    encoded = "".join(f"%{b:02X}" for b in raw)
    check(http.get(f"/sparql?query={encoded}"))
    check(http.get(f"/sparql?{encoded}={encoded}"))


@pytest.fixture(scope="module")
def saved(http):
    return {q["name"]: [p["name"] for p in q["params"]] for q in http.get("/api/queries").json()}


value_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            "bxr:benelux-union",
            "https://w3id.org/benelux-graph/id/benelux-union",
            "2025",
            "-1",
            "99999999999999999",
            "en",
            "EN",
            "<script>",
            '"> .} INSERT DATA {',
            "?x",
            "bxr:",
            "http://127.0.0.1:1/",
            "file:///etc/passwd",
            "theme:energy",
            "1e400",
            "NaN",
        ]
    ),
)


@FUZZ
@given(data=st.data())
def test_saved_query_parameters(http, saved, data):
    name = data.draw(st.sampled_from(sorted(saved) + ["no-such-query", "..%2F..%2Fetc%2Fpasswd"]))
    names = saved.get(name, []) + ["format", "timeout", "update", "unknown"]
    params = data.draw(st.dictionaries(st.sampled_from(names), value_text, max_size=4))
    check(http.get(f"/api/queries/{name}", params=params, headers={"accept": data.draw(st.sampled_from(ACCEPTS))}))


GRAPH_ROUTES = {
    "/api/graph": ["lang", "type", "theme", "country", "programme", "year", "format", "themes"],
    "/api/graph/benelux-plus": ["lang", "type", "theme", "country", "programme", "year", "format", "themes"],
    "/api/graph/neighbourhood/{id}": ["lang", "depth", "format"],
    "/api/graph/path": ["from", "to", "lang", "scope"],
    "/api/graph/metrics": ["lang", "scope", "type", "theme", "country", "programme", "year", "top"],
}
graph_value = st.one_of(
    value_text,
    st.sampled_from(
        [
            "forum",
            "region,country",
            "energy",
            "LU",
            "BE,NL",
            "joint-work-programme-2025-2028",
            "2026",
            "0",
            "3",
            "4",
            "cytoscape",
            "node-link",
            "graphml",
            "gexf",
            "nodes",
            "attributes",
            "graph",
            "benelux-plus",
            "fr",
            "nl",
            "de",
            "greater-region",
            "benelux-union",
        ]
    ),
)


@settings(max_examples=max(20, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_graph_api_parameters(http, data):
    route = data.draw(st.sampled_from(sorted(GRAPH_ROUTES)))
    params = data.draw(st.dictionaries(st.sampled_from(GRAPH_ROUTES[route]), graph_value, max_size=4))
    if "{id}" in route:
        route = route.replace("{id}", data.draw(st.one_of(graph_value, st.just("benelux-union"))) or "x")
    r = http.get(route, params=params, headers={"if-none-match": data.draw(st.sampled_from(["", "*", '"x"']))})
    check(r)


@pytest.mark.parametrize("url", ["/sparql?query=ASK%20%7B%7D&format=", "/api/queries/advisory-bodies?format="])
def test_an_empty_format_is_no_format(http, url):
    r = http.get(url)
    assert r.status_code == 200, r.text
