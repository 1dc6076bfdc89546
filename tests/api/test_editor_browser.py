"""The query editor in a real browser (Debian's Chromium, headless, driven by Playwright): the example query runs
and its result table appears; a saved query opens from the picker in its own tab and runs; the page loads
nothing from any other host. A screenshot is kept in build/."""

from __future__ import annotations

from pathlib import Path

import pytest

from benelux_graph.saved_queries import load_queries

pytestmark = [pytest.mark.browser, pytest.mark.server]

BUILD = Path(__file__).resolve().parents[2] / "build"


@pytest.fixture
def editor(page, live_server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
    yield page
    outside = [u for u in requests if not u.startswith((live_server.url, "data:", "blob:"))]
    assert outside == [], "the editor must load and ask nothing from other hosts"
    assert errors == []


def run_and_wait_for_table(page) -> list[str]:
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr td", timeout=15_000)
    return page.locator(".tabPanel.active .yasr table tbody tr").all_inner_texts()


def test_the_example_query_shows_a_result_table(editor):
    rows = run_and_wait_for_table(editor)
    assert len(rows) > 3
    assert any("Benelux" in row for row in rows)
    BUILD.mkdir(exist_ok=True)
    editor.screenshot(path=str(BUILD / "editor.png"), full_page=True)


def test_a_saved_query_opens_in_a_tab_and_runs(editor):
    editor.select_option("#saved-queries", "secretariat-provider")
    editor.wait_for_selector(".tabPanel.active .yasqe .CodeMirror")
    assert "secretariatProvidedBy" in editor.evaluate("window.yasgui.getTab().getQuery()")
    assert "secretariat" in editor.locator("#saved-query-description").inner_text().lower()
    rows = run_and_wait_for_table(editor)
    assert rows
    BUILD.mkdir(exist_ok=True)
    editor.screenshot(path=str(BUILD / "editor-saved-query.png"), full_page=True)


def test_the_french_editor_lists_french_titles(page, live_server, settings):
    """/sparql?lang=fr: the picker's saved queries carry their French titles (from the queries' headers, not marked
    as English), and a picked one opens in a tab named in French, above its French description."""
    saved = load_queries(settings.queries_dir)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/sparql?lang=fr")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
    options = page.eval_on_selector_all(
        "#saved-queries option[value]:not([value=''])", "os => os.map(o => [o.value, o.textContent, o.lang])"
    )
    assert options == [[q.name, q.titles["fr"], ""] for q in saved.values()]
    assert "Qui exerce une présidence au cours d'une année donnée" in [text for _, text, _ in options]
    page.select_option("#saved-queries", "secretariat-provider")
    page.wait_for_selector(".tabPanel.active .yasqe .CodeMirror")
    about = page.locator("#saved-query-description span").first
    assert about.inner_text() == saved["secretariat-provider"].descriptions["fr"]
    assert about.get_attribute("lang") is None
    assert page.locator("#saved-query-description code").first.inner_text() == "secretariat-provider"
    tab = page.locator(".tabsList .tab.active").inner_text()
    assert tab.splitlines()[0].strip() == saved["secretariat-provider"].titles["fr"]  # then its close button
    assert errors == []
