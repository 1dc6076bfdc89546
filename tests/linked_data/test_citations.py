"""Per-fact citations for readers (issue 12, part 9), over HTTP against a real uvicorn server: a fact IRI resolves
to its page and its data, the page cites each source with the stating span and a "cite this" text, the source
reader anchors every sentence of the ledgers and links every cited span to its facts, and /api/compare sorts the
programmes' themes, partners, bodies and instruments into new, continued and dropped as the ledgers say."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import rdflib
import yaml

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "data" / "ledger"
NRW = "benelux-union.cooperatesWith.north-rhine-westphalia"
FACT = "https://w3id.org/benelux-graph/id/fact/"


FACTS = rdflib.Graph().parse(ROOT / "data" / "facts.ttl")
BX = rdflib.Namespace("https://w3id.org/benelux-graph/ontology#")


def sentences(document: str) -> list[dict]:
    return yaml.safe_load((LEDGER / f"{document}.yaml").read_text(encoding="utf-8"))["sentences"]


@pytest.fixture(scope="module")
def http(ld_server):
    with httpx.Client(base_url=ld_server, timeout=60) as client:
        yield client


def test_a_fact_iri_answers_303_to_its_page_or_its_data(http):
    page = http.get(f"/id/fact/{NRW}", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/page/fact/{NRW}"
    data = http.get(f"/id/fact/{NRW}", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert data.status_code == 303 and data.headers["location"] == f"/data/fact/{NRW}.ttl"
    g = rdflib.Graph().parse(data=http.get(data.headers["location"]).text, format="turtle")
    fact = rdflib.URIRef(FACT + NRW)
    assert g.value(fact, rdflib.RDF.object) == rdflib.URIRef("https://w3id.org/benelux-graph/id/north-rhine-westphalia")


def test_the_fact_page_says_the_fact_and_cites_each_sentence_with_its_span(http):
    r = http.get(f"/page/fact/{NRW}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    h1 = re.sub(r"<[^>]+>|\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1]).split()
    assert " ".join(h1) == "Benelux Union cooperates with North Rhine-Westphalia"
    # both programmes state it: each sentence whole, the stating span marked, a link to it in the reader
    assert (
        "For instance, <mark>cooperation with North Rhine-Westphalia will be further deepened</mark>, building" in html
    )
    assert "<mark>Deep partnership with North Rhine-Westphalia</mark>" in html
    assert 'href="/sources/joint-work-programme-2025-2028#jwp-0185"' in html
    assert 'href="/sources/common-work-programme-2021-2024#cwp-0031"' in html
    cite = re.findall(r'<p class="cite-text">(.*?)</p>', html, re.S)
    release = r.headers["X-Benelux-Release"]
    assert any(
        "“cooperation with North Rhine-Westphalia will be further deepened”" in c
        and "Joint Work Programme 2025-2028" in c
        and "BENELUX+ AND BEYOND" in c
        and release in c
        and FACT + NRW in c
        for c in cite
    ), cite


def test_a_citation_and_its_selector_resolve_to_the_fact_page_at_that_source(http):
    for tail in ("jwp-0185", "jwp-0185/quote", "jwp-0185/position"):
        r = http.get(f"/id/fact/{NRW}/{tail}", headers={"Accept": "text/html"}, follow_redirects=True)
        assert r.status_code == 200 and str(r.url).endswith(f"/page/fact/{NRW}#jwp-0185"), tail
        assert [h.headers["location"] for h in r.history][-1] == f"/page/fact/{NRW}#jwp-0185"
    assert '<li class="source" id="jwp-0185"' in r.text


def test_a_fact_of_common_knowledge_cites_its_authority(http):
    html = http.get("/page/fact/belgium.iso3166Alpha2.BE").text
    assert "<blockquote" not in html.split('id="sources"')[1]
    assert "ISO 3166" in html and 'class="cite-text"' in html


def test_an_unknown_fact_is_a_404_in_the_error_shape(http):
    r = http.get("/page/fact/belgium.locatedIn.mars", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["type"] == "unknown-iri"
    r = http.get("/sources/no-such-programme", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["type"] == "unknown-document"
    page = http.get("/page/fact/belgium.locatedIn.mars", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'id="not-found-search"' in page.text and "belgium.locatedIn.mars" in page.text


@pytest.mark.parametrize("path", ["/page/fact/belgium.locatedIn.mars", "/sources/no-such-programme"])
def test_the_404s_of_facts_and_sources_say_they_vary_on_accept_and_are_not_stored(http, path):
    """Page or JSON by Accept: a cache must not give one to the client that asked for the other."""
    for accept in ("text/html", "application/json"):
        r = http.get(path, headers={"Accept": accept})
        assert r.status_code == 404
        assert "accept" in [v.strip().lower() for v in r.headers.get("vary", "").split(",")], (accept, r.headers)
        assert r.headers.get("cache-control") == "no-store", (accept, r.headers)


def test_sources_lists_both_programmes_in_the_readers_language(http):
    html = http.get("/sources?lang=fr").text
    assert '<html lang="fr">' in html and "Les deux programmes de travail" in html
    for doc in ("joint-work-programme-2025-2028", "common-work-programme-2021-2024"):
        assert f'href="/sources/{doc}?lang=fr"' in html


@pytest.mark.parametrize("document", ["joint-work-programme-2025-2028", "common-work-programme-2021-2024"])
def test_the_reader_anchors_every_sentence_and_links_every_cited_span_to_its_facts(http, document):
    html = http.get(f"/sources/{document}").text
    ids = re.findall(r'<span class="sentence" id="((?:jwp|cwp)-\d{4})">', html)
    assert ids == [s["id"] for s in sentences(document)]  # every sentence, in reading order
    linked = {FACT + f for f in re.findall(r'href="/page/fact/([^"#?]+)"', html)}
    cited = {
        (str(f), str(s).rsplit("/", 1)[-1])
        for f, c in FACTS.subject_objects(BX.citation)
        for s in FACTS.objects(c, BX.sentence)
        if str(s).rsplit("/", 1)[-1][:3] == document[0] + "wp"
    }
    marks = set(re.findall(r'<span class="sentence" id="([a-z]+-\d{4})">(?:(?!</span>).)*?<mark', html))
    assert marks == {sid for _, sid in cited}  # every sentence the graph cites has its span marked
    assert linked == {f for f, _ in cited}  # and links to every fact it states


def test_the_reader_marks_the_span_of_a_fact_and_links_it(http):
    html = http.get("/sources/joint-work-programme-2025-2028").text
    sentence = re.search(r'<span class="sentence" id="jwp-0185">(.*?)<a class="anchor"', html, re.S)[1]
    text = next(x["text"] for x in sentences("joint-work-programme-2025-2028") if x["id"] == "jwp-0185")
    assert re.sub(r"<[^>]+>", "", sentence) == text  # the sentence whole, only marked up
    marks = re.findall(r'<mark data-facts="([^"]*)"><a href="([^"]*)"[^>]*>([^<]*)</a></mark>', sentence)
    spanned = "".join(t for facts, _, t in marks if FACT + NRW in facts.split())
    assert spanned == "cooperation with North Rhine-Westphalia will be further deepened"  # overlaps split, not lost
    assert f'href="/page/fact/{NRW}"' in html.split('id="jwp-0185"')[1].split("</ul>")[0]


def ledger_themes(document: str) -> set[str]:
    return {
        f["o"].split(":", 1)[1]
        for s in sentences(document)
        for f in s.get("facts") or []
        if isinstance(f["o"], str) and f["o"].startswith("theme:")
    }


def test_compare_sorts_themes_as_the_ledgers_cite_them(http):
    body = http.get("/api/compare").json()
    old, new = ledger_themes("common-work-programme-2021-2024"), ledger_themes("joint-work-programme-2025-2028")
    slugs = {status: {e["iri"].rsplit("/", 1)[-1] for e in body["themes"][status]} for status in body["themes"]}
    assert new - old and slugs["new"] == new - old
    assert slugs["continued"] == new & old and slugs["dropped"] == old - new
    for entity in body["themes"]["new"]:
        assert entity["old"] == [] and entity["new"]
        assert all(q["passage"].rsplit("/", 1)[-1].startswith("jwp-") and q["quote"] for q in entity["new"])
    partners = {status: {e["label"] for e in body["partners"][status]} for status in body["partners"]}
    assert "North Rhine-Westphalia" in partners["continued"]  # cwp-0031 and jwp-0185
    assert set(body) >= {"themes", "partners", "bodies", "instruments", "from", "to"}


def test_the_compare_page_in_german(http):
    html = http.get("/compare", headers={"Accept-Language": "de"}).text
    assert '<html lang="de">' in html and "Fortgeführt" in html and "Themen" in html
    assert re.search(r'href="/sources/joint-work-programme-2025-2028#jwp-\d{4}"', html)


@pytest.mark.parametrize(
    "url", [f"/page/fact/{NRW}", "/sources/common-work-programme-2021-2024", "/sources", "/compare"]
)
def test_the_pages_answer_304_to_their_etag_and_head_like_get(http, url):
    first = http.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert http.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    head = http.head(url)
    assert (
        head.status_code == 200
        and head.content == b""
        and head.headers["content-type"] == first.headers["content-type"]
    )
