"""The documentation pages are rendered once per release, page and language, then served as they were (issue 13,
the last probe: /ontology/0.1.0 and the VoID page took 250-900 ms on every request). `X-Benelux-Cache` tells
whether a page was built (miss) or served as kept (hit); a query string no other test uses makes the first
request a miss."""

from __future__ import annotations

import uuid

import pytest

from benelux_graph import __version__

pytestmark = pytest.mark.server

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = [
    f"/ontology/{__version__}",
    "/ontology",
    "/ontology.html",
    "/shapes",
    "/graph/ontology",
    "/graph/data/countries",
    "/graph?default",
    "/.well-known/void",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_documentation_page_is_built_once_then_kept(client, path, lang):
    url = f"{path}{'&' if '?' in path else '?'}probe={uuid.uuid4().hex}"
    asked = {"Accept": BROWSER, "Accept-Language": lang}
    first = client.get(url, headers=asked)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert first.headers.get("x-benelux-cache") == "miss", (url, first.headers)
    again = client.get(url, headers=asked)
    assert again.headers.get("x-benelux-cache") == "hit", (url, again.headers)
    assert again.content == first.content
    for name in ("etag", "vary", "content-type", "content-language", "cache-control", "last-modified"):
        assert again.headers.get(name) == first.headers.get(name), name
    other = client.get(url, headers={**asked, "Accept-Language": "nl"})  # another language: built, its own
    assert other.headers.get("x-benelux-cache") == "miss" and other.headers["etag"] != first.headers["etag"]
