"""A French reader in Chromium posts a bad contribution on /validate and reads the answer in French: the shapes'
messages, and the refusal of a contribution that cannot be read (the parser's own detail marked English)."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

BAD = """@prefix bx: <https://w3id.org/benelux-graph/ontology#> .
@prefix bxr: <https://w3id.org/benelux-graph/id/> .
@prefix org: <http://www.w3.org/ns/org#> .

bxr:membership-example-invalid a org:Membership ;
    org:member bxr:luxembourg ;
    org:organization bxr:greater-region .
"""
# English words French does not use: a French text shown without lang="en" has none of them
ENGLISH = re.compile(r"\b(the|of|and|with|must|needs|this|cannot|be|read|one|use|per)\b")
# the text of an element that is in the page's language: not inside lang="en", code or the editor
SHOWN = """(selector) => Array.from(document.querySelectorAll(selector)).map(e => {
  const copy = e.cloneNode(true); copy.querySelectorAll('[lang="en"], code').forEach(n => n.remove());
  return e.closest('[lang="en"]') ? "" : copy.textContent.trim(); })"""


def post(page, server, text: str) -> None:
    page.goto(server.url + "/validate?lang=fr")
    page.fill("textarea[name=data]", text)
    with page.expect_navigation():
        page.click("#validate-form button[type=submit]")


def test_a_french_reader_sees_french_messages(browser, site_server):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    post(page, site_server, BAD)
    assert page.locator("#verdict").inner_text().strip() == "Non conforme"
    messages = page.evaluate(SHOWN, "#results tbody td:nth-child(4)")
    assert messages and all(messages), messages  # every message in French, none marked English
    assert "doit avoir exactement un org:role ; utilisez un nœud d’adhésion par rôle" in messages
    assert not [m for m in messages if ENGLISH.search(m)], messages

    post(page, site_server, BAD + "bxr:x a .\n")
    said = page.locator("#error p").inner_text()
    assert said.startswith("le Turtle ne peut pas être lu : ") and "(ligne 8" in said, said
    assert page.locator('#error p [lang="en"]').count() == 1  # the parser's own detail, in its English
    assert not ENGLISH.search(page.evaluate(SHOWN, "#error p")[0])
    context.close()
