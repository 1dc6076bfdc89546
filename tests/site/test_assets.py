"""The project's own static files are named by their content on the pages (`?v=<hash>`), and a versioned name is
kept a year by browsers (immutable); the same file without `v` keeps its short lifetime."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.server]

WEB = Path(__file__).resolve().parents[2] / "src" / "benelux_graph" / "web"


@pytest.mark.parametrize(
    "page,url,file,unversioned",
    [
        ("/page/greater-region", "/static/site.css", WEB / "static" / "site.css", "public, max-age=86400"),
        ("/sparql", "/static/editor.js", WEB / "static" / "editor.js", "public, max-age=86400"),
        ("/benelux-plus", "/benelux-plus/static/benelux-plus.js", WEB / "benelux-plus" / "benelux-plus.js", "no-cache"),
    ],
)
def test_a_page_names_its_files_by_content_and_they_are_kept_a_year(http, page, url, file, unversioned):
    html = http.get(page, headers={"Accept": "text/html"}).text
    named = re.search(re.escape(url) + r"\?v=([0-9a-f]+)", html)
    assert named, f"{page} does not name {url} by its content"
    assert named.group(1) == hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    kept = http.get(named.group(0))
    assert kept.status_code == 200 and kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert http.get(url).headers["cache-control"] == unversioned
