"""The graph API, route by route and filter by filter, checked against the facts of the seed documents."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import networkx as nx
import pytest

from benelux_graph.api.graph import etag_for

ID = "https://w3id.org/benelux-graph/id/"
SRC = ID + "source/"


def nodes_of(body: dict) -> dict[str, dict]:
    return {n["data"]["slug"]: n["data"] for n in body["elements"]["nodes"]}


def edges_of(body: dict, kind: str | None = None) -> list[dict]:
    return [e["data"] for e in body["elements"]["edges"] if kind is None or e["data"]["kind"] == kind]


def pairs(body: dict, kind: str) -> set[tuple[str, str]]:
    return {(e["source"].removeprefix(ID), e["target"].removeprefix(ID)) for e in edges_of(body, kind)}


def get_json(api, url: str, status: int = 200) -> dict:
    response = api.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def assert_error(api, url: str, status: int, type_: str | None = None) -> dict:
    body = get_json(api, url, status)
    assert set(body) == {"error"}
    assert body["error"]["status"] == status and body["error"]["message"]
    if type_:
        assert body["error"]["type"] == type_
    return body["error"]


# ---- GET /api/graph ----


def test_whole_graph_is_cytoscape_elements(api):
    body = get_json(api, "/api/graph")
    nodes = nodes_of(body)
    assert body["meta"]["nodes"] == len(nodes) > 50
    assert body["meta"]["edges"] == len(edges_of(body))
    assert {"benelux-union", "greater-region", "scheldt-council", "joint-work-programme-2025-2028"} <= set(nodes)
    # relationship nodes, passages, periods and vocabularies are not nodes
    assert not any(
        s.startswith(("membership-", "cooperation-", "source/", "period-", "year-", "theme/", "role/", "status/"))
        for s in nodes
    )
    union = nodes["benelux-union"]
    assert union["labels"] == {
        "en": "Benelux Union",
        "fr": "Union Benelux",
        "nl": "Benelux Unie",
        "de": "Benelux-Union",
    }
    assert union["category"] == "organisation" and union["type"] == "IntergovernmentalOrganisation"
    assert union["page"] == "/id/benelux-union"
    assert nodes["luxembourg"]["identifiers"] == {"iso3166Alpha2": "LU", "iso3166Alpha3": "LUX", "nutsCode": "LU"}
    quotes = [s["quote"] for s in nodes["greater-region"]["sources"]]
    assert any("presidencies of the Greater Region held by Wallonia" in q for q in quotes)
    for edge in edges_of(body):
        assert edge["source"] in {n["data"]["id"] for n in body["elements"]["nodes"]}
        assert edge["id"] and edge["kind"] and edge["label"]


def test_a_cooperation_is_one_attributed_edge(api):
    body = get_json(api, "/api/graph")
    to_greater_region = [
        e for e in edges_of(body) if {e["source"], e["target"]} == {ID + "benelux-union", ID + "greater-region"}
    ]
    assert len(to_greater_region) == 1  # the plain bx:cooperatesWith is not drawn beside the cooperation node
    edge = to_greater_region[0]
    assert edge["kind"] == "cooperatesWith"
    assert edge["relationship"] == ID + "cooperation-greater-region"
    assert edge["status_label"] == "being strengthened"
    nrw = next(e for e in edges_of(body, "cooperatesWith") if e["target"] == ID + "north-rhine-westphalia")
    assert {i["id"] for i in nrw["instruments"]} == {
        ID + "joint-declaration-north-rhine-westphalia-2008",
        ID + "joint-declaration-north-rhine-westphalia-2019",
    }
    # since its earliest instrument, until the end of the last programme that states it (2025-2028; issue 12)
    assert nrw["begin"] == 2008 and nrw["end"] == 2028
    hdf = next(e for e in edges_of(body, "cooperatesWith") if e["target"] == ID + "hauts-de-france")
    assert ID + "theme/energy-transition" in hdf["themes"]


def test_a_membership_is_one_edge_with_its_role_and_period(api):
    body = get_json(api, "/api/graph")
    members = [e for e in edges_of(body) if e["source"] == ID + "belgium" and e["target"] == ID + "benelux-union"]
    assert len(members) == 1 and members[0]["relationship"] == ID + "membership-belgium-benelux-union"
    lux = next(e for e in edges_of(body, "presidencyHeldBy") if e["target"] == ID + "luxembourg")
    assert (lux["source"], lux["begin"], lux["end"]) == (ID + "greater-region", 2027, 2028)
    assert lux["role_label"] == "presidency" and lux["sources_basis"] == "relationship"
    # its own source first (the fact's sentence, issue 12 part 9), then the membership's passage
    assert [s["id"] for s in lux["sources"]] == [SRC + "jwp-0189", SRC + "benelux-plus-3"]
    assert lux["sources"][0]["fact"] == ID + "fact/greater-region.presidencyHeldBy.luxembourg"


@pytest.mark.parametrize(
    "year, holders",
    [
        (2027, {"luxembourg"}),
        (2028, {"luxembourg"}),
        (2025, {"wallonia", "german-speaking-community"}),
        (2026, {"wallonia", "german-speaking-community"}),
        (2024, set()),
    ],
)
def test_year_filter_keeps_the_presidencies_of_that_year(api, year, holders):
    body = get_json(api, f"/api/graph?year={year}")
    assert {t for s, t in pairs(body, "presidencyHeldBy") if s == "greater-region"} == holders
    # relationships without a period are always active
    assert ("belgium", "benelux-union") in pairs(body, "memberOf")
    assert ("benelux-union", "greater-region") in pairs(body, "cooperatesWith")


def test_without_a_year_every_presidency_is_there(api):
    body = get_json(api, "/api/graph")
    assert pairs(body, "presidencyHeldBy") == {
        ("greater-region", "wallonia"),
        ("greater-region", "luxembourg"),
        ("greater-region", "german-speaking-community"),
    }


def test_year_filter_and_dated_cooperations(api):
    before = get_json(api, "/api/graph?year=2005")
    assert ("benelux-union", "north-rhine-westphalia") not in pairs(before, "cooperatesWith")
    assert "joint-declaration-north-rhine-westphalia-2008" not in nodes_of(before)  # issued after 2005
    # No period of its own: active in the periods of the programmes that state it (2021-2024 "Cooperation
    # projects with ... the Grande Région", 2025-2028 "will strengthen cooperation with the Greater Region").
    assert ("benelux-union", "greater-region") not in pairs(before, "cooperatesWith")
    assert ("benelux-union", "greater-region") in pairs(get_json(api, "/api/graph?year=2022"), "cooperatesWith")
    assert ("benelux-union", "lower-saxony") not in pairs(get_json(api, "/api/graph?year=2022"), "cooperatesWith")
    assert ("benelux-union", "lower-saxony") in pairs(get_json(api, "/api/graph?year=2027"), "cooperatesWith")
    later = get_json(api, "/api/graph?year=2010")
    assert ("benelux-union", "north-rhine-westphalia") in pairs(later, "cooperatesWith")
    assert "joint-work-programme-2025-2028" not in nodes_of(later)  # its period is 2025-2028


def test_type_filter(api):
    body = get_json(api, "/api/graph?type=region")
    assert {n["category"] for n in nodes_of(body).values()} == {"region"}
    assert {"greater-region", "wallonia", "north-rhine-westphalia"} <= set(nodes_of(body))
    both = get_json(api, "/api/graph?type=region&type=country")
    assert set(nodes_of(both)) == set(nodes_of(get_json(api, "/api/graph?type=region,country")))
    assert ("greater-region", "luxembourg") in pairs(both, "presidencyHeldBy")
    forums = get_json(api, "/api/graph?type=Forum")  # a class name
    assert {n["type"] for n in nodes_of(forums).values()} == {"Forum"}
    instruments = get_json(api, "/api/graph?type=LegalInstrument")
    assert "benelux-treaty" in nodes_of(instruments)


def test_theme_filter_follows_narrower_themes(api):
    body = get_json(api, "/api/graph?theme=crisis-management")
    assert {
        ("benelux-union", "nordics"),
        ("benelux-union", "baltic-states"),
        ("benelux-union", "united-kingdom"),
    } <= pairs(body, "cooperatesWith")
    assert ("benelux-union", "greater-region") not in pairs(body, "cooperatesWith")
    energy = get_json(api, "/api/graph?theme=energy")
    assert {"pentalateral-energy-forum", "north-seas-energy-cooperation", "gas-platform"} <= set(nodes_of(energy))
    # energy-transition is narrower than energy: the Hauts-de-France cooperation addresses it
    assert ("benelux-union", "hauts-de-france") in pairs(energy, "cooperatesWith")
    assert get_json(api, "/api/graph?theme=theme/energy")["elements"] == energy["elements"]
    assert get_json(api, f"/api/graph?theme={ID}theme/energy")["meta"]["nodes"] == energy["meta"]["nodes"]


def test_country_filter(api):
    body = get_json(api, "/api/graph?country=LU")
    nodes = nodes_of(body)
    assert {"luxembourg", "benelux-union", "greater-region", "benelux-treaty"} <= set(nodes)
    assert "germany" not in nodes and "north-rhine-westphalia" not in nodes
    assert get_json(api, "/api/graph?country=luxembourg")["elements"] == body["elements"]
    belgium = nodes_of(get_json(api, "/api/graph?country=BEL"))
    # what lies in Belgium, transitively (Brussels, Wallonia, Antwerp-Bruges) and its neighbours
    assert {"brussels", "wallonia", "flanders", "port-of-antwerp-bruges", "benelux-house"} <= set(belgium)


def test_programme_filter(api):
    body = get_json(api, "/api/graph?programme=common-work-programme-2021-2024")
    nodes = nodes_of(body)
    assert {"pentalateral-energy-forum", "gas-platform", "north-rhine-westphalia"} <= set(nodes)
    assert all(ID + "common-work-programme-2021-2024" in n["programmes"] for n in nodes.values())
    assert "jwp-north-sea" not in nodes
    newer = nodes_of(get_json(api, f"/api/graph?programme={ID}joint-work-programme-2025-2028"))
    assert "jwp-north-sea" in newer and "scheldt-council" in newer


def test_filters_combine(api):
    body = get_json(api, "/api/graph?type=region&year=2027")
    assert pairs(body, "presidencyHeldBy") == set()  # Luxembourg is a country: not kept by type=region
    body = get_json(api, "/api/graph?type=region,country&year=2027&theme=regional-cooperation")
    assert {n["category"] for n in nodes_of(body).values()} <= {"region", "country"}


@pytest.mark.parametrize(
    "url, type_",
    [
        ("/api/graph?type=bogus", "bad-filter"),
        ("/api/graph?theme=not-a-theme", "bad-filter"),
        ("/api/graph?country=XX", "bad-filter"),
        ("/api/graph?country=greater-region", "bad-filter"),  # a region, not a country
        ("/api/graph?programme=nope", "bad-filter"),
        ("/api/graph?year=abc", "bad-request"),
        ("/api/graph?year=99999", "bad-request"),
        ("/api/graph?lang=es", "bad-request"),
        ("/api/graph?format=svg", "bad-request"),
        ("/api/graph/benelux-plus?theme=nope", "bad-filter"),
        ("/api/graph/neighbourhood/greater-region?depth=9", "bad-request"),
        ("/api/graph/path?from=scheldt-council", "bad-request"),
        ("/api/graph/metrics?scope=everything", "bad-request"),
    ],
)
def test_bad_parameters_are_400_in_the_error_shape(api, url, type_):
    assert_error(api, url, 400, type_)


@pytest.mark.parametrize(
    "url",
    [
        "/api/graph/neighbourhood/no-such-thing",
        "/api/graph/neighbourhood/https://example.org/not-ours",
        "/api/graph/path?from=no-such-thing&to=benelux-union",
        "/api/graph/path?from=benelux-union&to=no-such-thing",
    ],
)
def test_unknown_ids_are_404(api, url):
    error = assert_error(api, url, 404, "unknown-node")
    assert "no-such-thing" in error["message"] or "example.org" in error["message"]


# ---- languages ----


@pytest.mark.parametrize(
    "lang, label", [("en", "Benelux Union"), ("fr", "Union Benelux"), ("nl", "Benelux Unie"), ("de", "Benelux-Union")]
)
def test_lang_picks_the_labels(api, lang, label):
    body = get_json(api, f"/api/graph/benelux-plus?lang={lang}")
    assert body["meta"]["lang"] == lang
    assert nodes_of(body)["benelux-union"]["label"] == label
    assert nodes_of(body)["benelux-union"]["label_lang"] == lang


def test_lang_falls_back_to_english_and_says_so(api):
    node = nodes_of(get_json(api, "/api/graph?lang=fr"))["scheldt-estuary"]
    assert (node["label"], node["label_lang"]) == ("Scheldt estuary", "en")
    presidency = next(e for e in edges_of(get_json(api, "/api/graph?lang=de"), "presidencyHeldBy"))
    assert presidency["label"] == "Vorsitz"  # the role's own German label


def test_lang_on_every_route(api):
    assert (
        get_json(api, "/api/graph/path?from=scheldt-council&to=benelux-union&lang=nl")["to"]["label"] == "Benelux Unie"
    )
    assert (
        nodes_of(get_json(api, "/api/graph/neighbourhood/greater-region?lang=de"))["greater-region"]["label"]
        == "Großregion"
    )
    assert get_json(api, "/api/graph/metrics?scope=benelux-plus&lang=fr")["hub"]["label"] == "Union Benelux"


# ---- the Benelux+ preset ----


def test_benelux_plus_preset(api):
    body = get_json(api, "/api/graph/benelux-plus")
    nodes = nodes_of(body)
    assert body["meta"]["preset"] == "benelux-plus"
    expected = {
        "benelux-union",
        "secretariat-general",
        "belgium",
        "netherlands",
        "luxembourg",  # the Union
        "north-rhine-westphalia",
        "hauts-de-france",
        "greater-region",
        "lower-saxony",  # border regions
        "france",
        "nordic-council",
        "baltic-states",
        "nordics",
        "united-kingdom",
        "european-union",
        "pentalateral-energy-forum",
        "north-seas-energy-cooperation",
        "scheldt-council",  # forums
        "wallonia",
        "german-speaking-community",
        "germany",  # beyond
        "joint-declaration-north-rhine-westphalia-2008",
        "joint-declaration-north-rhine-westphalia-2019",
        "memorandum-of-understanding-hauts-de-france-2018",
        "benelux-treaty",
    }  # agreements
    assert expected <= set(nodes)
    assert {n["category"] for n in nodes.values()} <= {"organisation", "country", "region", "forum", "instrument"}
    assert {("benelux-union", p) for p in ("greater-region", "north-rhine-westphalia", "nordic-council")} <= pairs(
        body, "cooperatesWith"
    )
    assert any(e["themes"] for e in edges_of(body, "cooperatesWith"))  # topics on the linking edges


def test_benelux_plus_takes_the_filters(api):
    assert {t for _, t in pairs(get_json(api, "/api/graph/benelux-plus?year=2027"), "presidencyHeldBy")} == {
        "luxembourg"
    }
    regions = nodes_of(get_json(api, "/api/graph/benelux-plus?type=region"))
    assert set(regions) == {
        "north-rhine-westphalia",
        "hauts-de-france",
        "greater-region",
        "lower-saxony",
        "wallonia",
        "german-speaking-community",
    }


def test_themes_as_nodes(api):
    body = get_json(api, "/api/graph/benelux-plus?themes=nodes")
    nodes = nodes_of(body)
    assert nodes["theme/energy"]["category"] == "theme"
    assert ("pentalateral-energy-forum", "theme/energy") in pairs(body, "addressesTheme")
    assert "theme/energy" not in nodes_of(get_json(api, "/api/graph/benelux-plus"))


# ---- neighbourhood, path, metrics ----


def test_neighbourhood(api):
    body = get_json(api, "/api/graph/neighbourhood/greater-region")
    nodes = set(nodes_of(body))
    assert body["meta"]["center"] == ID + "greater-region" and body["meta"]["depth"] == 1
    assert {"greater-region", "benelux-union", "wallonia", "german-speaking-community", "luxembourg"} <= nodes
    assert "belgium" not in nodes
    deeper = set(nodes_of(get_json(api, f"/api/graph/neighbourhood/{ID}greater-region?depth=2")))
    assert nodes < deeper and "belgium" in deeper


def test_path_from_the_scheldt_council_to_the_union_passes_the_secretariat_general(api):
    body = get_json(api, "/api/graph/path?from=scheldt-council&to=benelux-union")
    assert [n["slug"] for n in body["nodes"]] == ["scheldt-council", "secretariat-general", "benelux-union"]
    assert body["length"] == 2
    chair, unit = body["steps"]
    assert (chair["edge"]["kind"], chair["direction"]) == ("chairedBy", "forward")
    assert any("independent chair of the Scheldt Council" in s["quote"] for s in chair["edge"]["sources"])
    assert unit["edge"]["kind"] == "unitOf"
    assert len(body["elements"]["nodes"]) == 3 and len(body["elements"]["edges"]) == 2
    reverse = get_json(api, f"/api/graph/path?from={ID}benelux-union&to=scheldt-council")
    assert [s["direction"] for s in reverse["steps"]] == ["backward", "backward"]


def test_path_in_the_preset_scope(api):
    body = get_json(api, "/api/graph/path?from=luxembourg&to=lower-saxony&scope=benelux-plus")
    assert body["nodes"][0]["slug"] == "luxembourg" and body["nodes"][-1]["slug"] == "lower-saxony"
    assert_error(api, "/api/graph/path?from=frans-weekers&to=benelux-union&scope=benelux-plus", 404)


def test_metrics(api):
    body = get_json(api, "/api/graph/metrics?scope=benelux-plus")
    assert body["hub"]["slug"] == "benelux-union"
    rows = body["nodes"]
    assert len(rows) == body["meta"]["nodes"]
    assert [r["betweenness"] for r in rows] == sorted((r["betweenness"] for r in rows), reverse=True)
    assert all(0 <= r["degree_centrality"] <= 1 for r in rows)
    members = [m for c in body["communities"] for m in c["members"]]
    assert sorted(members) == sorted(r["id"] for r in rows)  # every node in exactly one community
    forums = get_json(api, "/api/graph/metrics?type=forum,organisation&top=3")
    assert len(forums["nodes"]) == 3


# ---- formats ----


def test_node_link(api):
    body = get_json(api, "/api/graph?format=node-link")
    cyto = get_json(api, "/api/graph")
    assert body["directed"] and body["multigraph"]
    assert len(body["nodes"]) == len(cyto["elements"]["nodes"]) and len(body["links"]) == len(cyto["elements"]["edges"])
    assert {"source", "target", "kind"} <= set(body["links"][0])


@pytest.mark.parametrize(
    "fmt, reader, media_type",
    [("graphml", nx.read_graphml, "application/graphml+xml"), ("gexf", nx.read_gexf, "application/gexf+xml")],
)
def test_downloads_read_back(api, fmt, reader, media_type):
    response = api.get(f"/api/graph/benelux-plus?format={fmt}&lang=fr")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    assert f'filename="benelux-plus.{fmt}"' in response.headers["content-disposition"]
    ET.fromstring(response.content)
    graph = reader(io.BytesIO(response.content))
    cyto = get_json(api, "/api/graph/benelux-plus")
    assert graph.number_of_nodes() == cyto["meta"]["nodes"]
    assert graph.number_of_edges() == cyto["meta"]["edges"]


# ---- caching, CORS, OpenAPI, the page ----


def test_etag_and_304(api):
    first = api.get("/api/graph/benelux-plus?lang=nl")
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["access-control-allow-origin"] == "*"
    again = api.get("/api/graph/benelux-plus?lang=nl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert api.get("/api/graph/benelux-plus?lang=fr").headers["etag"] != etag
    assert api.get("/api/graph/benelux-plus?lang=nl", headers={"If-None-Match": '"other"'}).status_code == 200
    for url in (
        "/api/graph/path?from=scheldt-council&to=benelux-union",
        "/api/graph/metrics",
        "/api/graph/neighbourhood/greater-region",
    ):
        tag = api.get(url).headers["etag"]
        assert api.get(url, headers={"If-None-Match": tag}).status_code == 304


def test_etag_changes_with_the_release():
    class Request:
        class url:
            path = "/api/graph"

        query_params = type("Q", (), {"multi_items": lambda self: [("lang", "en")]})()

    assert etag_for("0.1.0+aaa", Request) != etag_for("0.1.0+bbb", Request)
    assert etag_for("0.1.0+aaa", Request) == etag_for("0.1.0+aaa", Request)


def test_openapi_documents_the_routes(api):
    spec = get_json(api, "/openapi.json")
    for path in (
        "/api/graph",
        "/api/graph/benelux-plus",
        "/api/graph/neighbourhood/{id}",
        "/api/graph/path",
        "/api/graph/metrics",
    ):
        operation = spec["paths"][path]["get"]
        assert operation["summary"] and operation["description"]
        assert "lang" in {p["name"] for p in operation["parameters"]}
    filters = {p["name"] for p in spec["paths"]["/api/graph"]["get"]["parameters"]}
    assert {"type", "theme", "country", "programme", "year", "format"} <= filters


def test_page_and_its_local_assets(api, settings):
    page = api.get("/benelux-plus")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            urls.extend(value for name, value in attrs if name in ("src", "href"))

    Links().feed(page.text)
    assert len(urls) >= 6
    # the canonical and hreflang links name the page under the public base URL (absolute, as crawlers want them)
    urls = [u.removeprefix(settings.base_url) if u.startswith(settings.base_url + "/") else u for u in urls]
    for url in urls:
        assert url.startswith(("/", "data:", "#")), f"{url} is not served by the project itself"
        if url.startswith("/"):
            assert api.get(url, headers={"Accept": "text/html"}).status_code == 200, url
    assert "data-benelux-plus" in page.text


def test_head_is_answered_like_get(api):
    get = api.get("/api/graph/benelux-plus?lang=fr")
    head = api.request("HEAD", "/api/graph/benelux-plus?lang=fr")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]


def test_the_preset_places_every_node_the_same_way_whatever_the_filters(api):
    """The page draws the server's positions (no layout in the browser): every node has one, they are the same on
    every request and in a filtered answer, and no two nodes sit on each other."""

    def placed(url: str) -> dict[str, tuple[float, float]]:
        return {
            n["data"]["id"]: (n["position"]["x"], n["position"]["y"]) for n in get_json(api, url)["elements"]["nodes"]
        }

    full = placed("/api/graph/benelux-plus")
    assert len(full) >= 25 and full == placed("/api/graph/benelux-plus?lang=fr")
    regions = placed("/api/graph/benelux-plus?type=region")
    assert regions and all(full[node] == at for node, at in regions.items())
    points = list(full.values())
    assert (
        min(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for i, a in enumerate(points) for b in points[i + 1 :])
        >= 100
    )
    # the other formats keep their shape
    assert "position" not in get_json(api, "/api/graph/benelux-plus?format=node-link")["nodes"][0]
