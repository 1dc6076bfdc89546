"""Caches between the server and its readers (a browser's, a proxy's, a CDN's) keep one copy per URL and the
headers its `Vary` names: an answer that Accept-Language chose must say so, and its ETag must differ from the
other languages' copies, or a cache hands one reader's language to another (found by the route probe: the
/graph/ pages and the /validate form; the sixth: the query editor and the VoID page)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.server

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = [
    "/graph/ontology",
    "/graph/data/countries",
    "/graph/queries",
    "/validate",
    "/ontology",
    "/sources",
    "/",
    "/sparql",
    "/sparql?query=ASK%7B%7D",
    "/.well-known/void",
]


def varies_on(r) -> set[str]:
    return {v.strip().lower() for v in ",".join(r.headers.get_list("vary")).split(",") if v.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_a_page_in_the_readers_language_varies_on_accept_language(client, path):
    english = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "en"})
    french = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "fr"})
    assert english.status_code == french.status_code == 200
    assert english.text != french.text  # the header's words are the reader's
    for r in (english, french):
        assert "accept-language" in varies_on(r), (path, r.headers.get_list("vary"))


@pytest.mark.parametrize(
    "path", ["/graph/ontology", "/graph/data/countries", "/graph/queries", "/ontology", "/sources", "/.well-known/void"]
)
def test_a_page_revalidated_in_another_language_is_sent_again(client, path):
    english = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "en"})
    etag = english.headers["etag"]
    french = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "fr", "If-None-Match": etag})
    assert french.status_code == 200, (path, french.status_code)
    assert french.headers["etag"] != etag
    again = client.get(path, headers={"Accept": BROWSER, "Accept-Language": "en", "If-None-Match": etag})
    assert again.status_code == 304 and "accept-language" in varies_on(again), (path, again.headers)
