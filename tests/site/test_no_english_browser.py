"""In French, Dutch and German no UI string is English: every page of the site, walked in Chromium in each
language, shows no text of the English catalogue (web/messages.json and the Benelux+ widget's own strings) and no
English sentence, outside what is marked as English (lang="en": a data label shown as the English fallback, a
quotation of an English source) and outside code (IRIs, queries, file names)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
BP = "document.querySelector('[data-benelux-plus]').beneluxPlus"
UNION = "https://w3id.org/benelux-graph/id/benelux-union"
CATALOGUE = ROOT / "src" / "benelux_graph" / "web" / "messages.json"
PAGES = [
    "/",
    "/benelux-plus",
    "/sparql",
    "/page/greater-region",
    "/page/benelux-union",
    "/search?q=region",
    "/ontology",
    "/shapes",
    "/downloads",
    "/validate",
    "/sources",
    "/compare",
    "/page/no-such-thing",
]
# words of English sentences that the language does not use (Dutch "of" is "or", German "was" is "what")
WORDS = "the of and with from this these by for are was has have you your which shown not".split()
ENGLISH = {
    lang: re.compile(r"\b(" + "|".join(w for w in WORDS if w not in own) + r")\b")
    for lang, own in (("fr", ()), ("nl", ("of",)), ("de", ("was",)))
}
# the text of the page that is the reader's language by its markup: not inside lang="en" (or any other language
# than the page's), code, scripts, the editor's query text, or what the widget draws on its canvas
# (YASGUI's result pane is checked too: its own English words are replaced from the catalogue, yasr_*; the
# results' cells and column names are data)
SKIP = "script, style, code, pre, kbd, samp, textarea, .CodeMirror, .iri, .yasr td, .yasr th, [hidden]"
TEXTS = """(lang) => { const out = []; const SKIP = "SKIP_SELECTOR"; const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const e = n.parentElement; const text = n.textContent.trim();
    if (!text || !e || e.closest(SKIP)) continue;
    const marked = e.closest("[lang]"); if (marked && marked.getAttribute("lang") !== lang) continue;
    if (!e.getClientRects().length && !e.closest("option, title")) continue;  // not rendered
    out.push(text); }
  for (const a of document.querySelectorAll("[aria-label], [placeholder], [title], [alt]")) {
    if (a.closest(SKIP)) continue;
    const marked = a.closest("[lang]"); if (marked && marked.getAttribute("lang") !== lang) continue;
    for (const k of ["aria-label", "placeholder", "title", "alt"]) if (a.getAttribute(k)) out.push(a.getAttribute(k)); }
  out.push(document.title);
  return out.filter(text => !/^https?:\\/\\/\\S+$/.test(text)); }""".replace(
    "SKIP_SELECTOR", SKIP
)  # an IRI is no English


def english_words() -> dict[str, set[str]]:
    """Per language, the English catalogue texts that are not also that language's text."""
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {
        lang: {t["en"] for t in catalogue.values() if t["en"] != t[lang] and len(t["en"]) > 3}
        for lang in ("fr", "nl", "de")
    }


def widget_words(page, lang: str) -> set[str]:
    return set(
        page.evaluate(
            """(lang) => { const out = []; const walk = (en, other) => { for (const k of Object.keys(en))
          typeof en[k] === "object" ? walk(en[k], other[k]) : (en[k] !== other[k] && out.push(en[k])); };
          walk(BeneluxPlus.UI.en, BeneluxPlus.UI[lang]); return out; }""",
            lang,
        )
    )


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_no_ui_string_is_english(browser, site_server, lang):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale=lang)
    page = context.new_page()
    catalogue = english_words()[lang]
    found = []
    for path in PAGES:
        url = site_server.url + path + ("&" if "?" in path else "?") + f"lang={lang}"
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if path == "/benelux-plus":
            page.wait_for_selector("[data-benelux-plus][data-state=ready]", timeout=20_000)
            english = catalogue | {w for w in widget_words(page, lang) if len(w) > 3}
            # what the canvas draws: the relationships' names, and the nodes' names not marked as fallbacks
            drawn = page.evaluate(f"{BP}.cy.edges().map(e => e.data('label'))") + page.evaluate(
                f"{BP}.cy.nodes().filter(n => !n.data('bpEnglish')).map(n => n.data('label'))"
            )
            found += [f"{path} (drawn): {text!r}" for text in drawn if text in english or ENGLISH[lang].search(text)]
            page.evaluate(f"{BP}.showNode('{UNION}')")  # the side panel of the hub
            page.locator(".bp-panel h3").first.wait_for(timeout=10_000)
            page.locator(".bp-panel details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        else:
            english = catalogue
        if path == "/sparql":
            page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
            # the example query run, so that the result pane shows its table, pager and counts
            page.evaluate("window.yasgui.getTab().getYasqe().query()")
            page.wait_for_selector(".yasr tbody tr", timeout=15_000)
        assert page.locator("html").get_attribute("lang") == lang, path
        for text in page.evaluate(TEXTS, lang):
            if text in english or ENGLISH[lang].search(text):
                found.append(f"{path}: {text[:90]!r}")
    context.close()
    assert found == [], f"{len(found)} English texts in {lang}:\n" + "\n".join(sorted(set(found)))
