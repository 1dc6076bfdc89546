"""Entity pages are rendered once per release, language and link set, then served from memory (api/resources.py):
the same bytes as a fresh rendering, and never another language's or another query string's page."""

from __future__ import annotations

from dataclasses import replace

from benelux_graph.api.app import create_app
from support.asgi import AsgiClient

HTML = {"Accept": "text/html"}


def test_an_entity_page_is_rendered_once_and_served_again_from_memory(settings, store):
    c = AsgiClient(create_app(settings, store))
    try:
        first = c.get("/page/benelux-union", headers=HTML)
        again = c.get("/page/benelux-union", headers=HTML)
        assert first.status_code == again.status_code == 200
        assert first.headers["x-benelux-cache"] == "miss" and again.headers["x-benelux-cache"] == "hit"
        assert again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["etag"] == first.headers["etag"]
        # another language, by the URL or by Accept-Language, and other links are other pages
        french = c.get("/page/benelux-union", params={"lang": "fr"}, headers=HTML)
        dutch = c.get("/page/benelux-union", headers={**HTML, "Accept-Language": "nl"})
        assert french.headers["x-benelux-cache"] == "miss" and dutch.headers["x-benelux-cache"] == "miss"
        assert 'lang="fr"' in french.text and 'lang="nl"' in dutch.text
        assert c.get("/page/benelux-union", params={"lang": "fr"}, headers=HTML).content == french.content
        other = c.get("/page/benelux-union", params={"lang": "fr", "x": "1"}, headers=HTML)
        assert other.headers["x-benelux-cache"] == "miss" and "x=1" in other.text
    finally:
        c.close()


def test_without_a_cache_every_page_is_rendered(settings, store):
    c = AsgiClient(create_app(replace(settings, cache_bytes=0), store))
    try:
        for _ in range(2):
            r = c.get("/page/benelux-union", headers=HTML)
            assert r.status_code == 200 and r.headers["x-benelux-cache"] == "off"
    finally:
        c.close()
