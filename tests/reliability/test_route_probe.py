"""What the sixth probe of a default server found, route by route (issue 13, hidden probes: security, protocol,
every route): each test is one defect it reproduced, on a real server (this folder's `client`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.server


@pytest.mark.parametrize("path", ["/favicon.ico", "/vendor/redoc/redoc.standalone.js"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_file_with_a_lifetime_revalidates_to_304(client, path, encoding):
    """A file cached for a day or a week is revalidated by its ETag when that runs out (README, "Compression and
    caching"): the favicon had an ETag that never gave a 304, ReDoc's 1 MB bundle no validator at all."""
    first = client.get(path, headers={"Accept-Encoding": encoding})
    assert first.status_code == 200 and "max-age" in first.headers["cache-control"]
    etag = first.headers.get("etag")
    assert etag, first.headers
    again = client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304, (path, again.status_code)
    assert again.headers["etag"] == etag and again.content == b""
    assert client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": '"other"'}).status_code == 200
