"""A validator must validate (issue 13, the last probe): every answer that carries an ETag answers 304 to a GET
whose If-None-Match names it, with the headers its 200 had (ETag, Vary, Cache-Control; RFC 9110 15.4.5). The
routes are the ones the app lists (its OpenAPI document, path parameters filled from their examples), so that a
new route cannot forget; plus the files served outside it."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.server

ACCEPTS = ("text/html", "application/json", "*/*")
#: Served outside the OpenAPI listing, or answers that only a query string makes
UNLISTED = (
    "/favicon.ico",
    "/robots.txt",
    "/vendor/redoc/redoc.standalone.js",
    "/sparql?query=ASK%7B%7D",
    "/search?q=energy",
)


def listed_paths(client: httpx.Client) -> list[str]:
    """Each GET path of the OpenAPI document, a path parameter replaced by its first example or allowed value
    (none: skipped)."""
    paths = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        for parameter in get.get("parameters", []):
            if parameter["in"] != "path":
                continue
            schema = parameter.get("schema", {})
            examples = parameter.get("examples") or schema.get("examples") or schema.get("enum") or []
            if isinstance(examples, dict):
                examples = [e.get("value") for e in examples.values()]
            if not examples:
                break
            path = path.replace("{" + parameter["name"] + "}", str(examples[0]))
        if "{" not in path:
            paths.append(path)
    return paths


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_every_answer_with_an_etag_revalidates_to_304(client, encoding):
    paths = [*listed_paths(client), *UNLISTED]
    assert "/" in paths and "/api/queries" in paths and "/downloads" in paths  # the listing is read
    checked, failures = 0, []
    for path in paths:
        for accept in ACCEPTS:
            asked = {"Accept": accept, "Accept-Encoding": encoding}
            first = client.get(path, headers=asked)
            etag = first.headers.get("etag")
            if first.status_code != 200 or etag is None:
                continue
            checked += 1
            again = client.get(path, headers={**asked, "If-None-Match": etag})
            if again.status_code != 304:
                failures.append(f"{path} ({accept}): {again.status_code} to If-None-Match {etag}")
                continue
            for name in ("etag", "vary", "cache-control"):
                if first.headers.get(name) != again.headers.get(name):
                    failures.append(
                        f"{path} ({accept}): 304 {name} {again.headers.get(name)!r}, 200 had "
                        f"{first.headers.get(name)!r}"
                    )
    assert checked > 20, checked  # the routes that send a validator were reached
    assert not failures, "\n".join(failures)


def test_the_favicon_revalidates_by_its_date_too(client):
    """If-Modified-Since with the favicon's own Last-Modified is a 304, as for every other file."""
    first = client.get("/favicon.ico")
    modified = first.headers["last-modified"]
    again = client.get("/favicon.ico", headers={"If-Modified-Since": modified})
    assert again.status_code == 304, again.status_code
    assert again.headers["etag"] == first.headers["etag"] and again.content == b""
