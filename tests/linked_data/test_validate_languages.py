"""/validate in the reader's language: the shapes' messages and the refusals of unreadable input in French, Dutch
and German on the page (the parser's own detail kept, marked English), while the JSON API keeps its English
`message` and its fields for programs. Queried over HTTP on the live server."""

from __future__ import annotations

import html
import json
import re
import string

import httpx
import pytest

from benelux_graph.api import messages
from benelux_graph.api.contribution_check import MAX_CHAIN, MAX_NESTING, parse_contribution, read_form
from benelux_graph.api.contribution_errors import localized_message, say
from benelux_graph.api.contributions import ContributionChecker
from benelux_graph.api.errors import ApiError

PREFIXES = """@prefix bx: <https://w3id.org/benelux-graph/ontology#> .
@prefix bxr: <https://w3id.org/benelux-graph/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
"""
# a membership with no role and no source passage (as in test_validate.py)
INVALID = (
    PREFIXES
    + """
bxr:membership-example-invalid a org:Membership ;
    org:member bxr:luxembourg ;
    org:organization bxr:greater-region .
"""
)

FIELDS = ["severity", "focus_node", "path", "message", "value", "source_shape", "file"]


@pytest.fixture(scope="module")
def web(ld_server):
    with httpx.Client(base_url=ld_server, timeout=60) as c:
        yield c


def test_a_french_reader_sees_the_shapes_messages_in_french(web):
    r = web.post("/validate?lang=fr", data={"syntax": "turtle", "data": INVALID})
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert "doit avoir exactement un org:role ; utilisez un nœud d’adhésion par rôle" in text
    assert "needs exactly one org:role" not in text
    # a message in the page's language is not marked English
    assert '<td lang="en">' not in r.text


def test_accept_language_chooses_the_messages_language(web):
    r = web.post("/validate", data={"syntax": "turtle", "data": INVALID}, headers={"Accept-Language": "de"})
    assert "braucht genau ein org:role; verwenden Sie einen Mitgliedschaftsknoten je Rolle" in html.unescape(r.text)
    r = web.post("/validate?lang=nl", data={"syntax": "turtle", "data": INVALID})
    assert "heeft precies één org:role nodig; gebruik één lidmaatschapsknoop per rol" in html.unescape(r.text)


def test_the_json_keeps_its_english_messages_and_fields(web):
    r = web.post(
        "/validate?lang=fr",
        content=INVALID.encode(),
        headers={"Content-Type": "text/turtle", "Accept-Language": "fr"},
    )
    results = r.json()["results"]
    assert results and all(list(result) == FIELDS for result in results)
    assert any(
        result["message"] == "needs exactly one org:role; use one membership node per role" for result in results
    )


def test_an_unreadable_contribution_is_refused_in_the_readers_language(web):
    r = web.post("/validate?lang=fr", data={"syntax": "turtle", "data": PREFIXES + "bxr:x a .\n"})
    assert r.status_code == 400
    text = html.unescape(r.text)
    assert "le Turtle ne peut pas être lu : " in text and "the Turtle cannot be read" not in text
    assert "ligne 4" in text  # the parser's line, kept
    detail = r.text.split("le Turtle ne peut pas être lu : ", 1)[1]
    assert detail.startswith('<span lang="en">')  # the parser's own words, marked as English
    r = web.post(
        "/validate", data={"syntax": "jsonld", "data": '{"@id": "x",\n  "a": }'}, headers={"Accept-Language": "nl"}
    )
    assert r.status_code == 400 and "ongeldige JSON: " in html.unescape(r.text) and "regel 2" in r.text


def test_a_body_over_the_limit_is_refused_on_the_page_in_german(web, settings):
    r = web.post("/validate?lang=de", data={"syntax": "turtle", "data": "#" * (settings.max_body_bytes + 1)})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert f"größer als die Grenze von {settings.max_body_bytes} Bytes" in html.unescape(r.text)


def refusal(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


def chain(n: int) -> bytes:
    context = {f"t{i}": f"t{i + 1}:x" for i in range(n)} | {f"t{n}": "https://example.org/"}
    return json.dumps({"@context": context, "@id": "https://example.org/a", "t0": "x"}).encode()


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_every_refusal_of_unreadable_input_has_its_words(lang):
    """Each refusal parse_contribution and read_form write carries its catalogue key, so no reader gets English."""
    refusals = [
        refusal(lambda: parse_contribution(b"bxr:x a .", "turtle")),
        refusal(lambda: parse_contribution(b'{"a": }', "jsonld")),
        refusal(lambda: parse_contribution(b"\xff{}", "jsonld")),
        refusal(lambda: parse_contribution(b"[" * (MAX_NESTING + 1), "jsonld")),
        refusal(lambda: parse_contribution(PREFIXES.encode() + b"bxr:x bx:p " + b"(" * (MAX_NESTING + 1), "turtle")),
        refusal(lambda: parse_contribution(chain(MAX_CHAIN + 2), "jsonld")),
        refusal(lambda: parse_contribution(b'{"@context": "https://example.org/c", "@id": "x"}', "jsonld")),
        refusal(
            lambda: parse_contribution(
                b"<< <http://e.org/a> <http://e.org/b> <http://e.org/c> >> <http://e.org/d> <http://e.org/e> .",
                "turtle",
            )
        ),
        refusal(lambda: parse_contribution(PREFIXES.encode(), "turtle")),
        refusal(lambda: read_form(b"data=a&data=b")),
        refusal(lambda: read_form(b"syntax=rdfxml")),
    ]
    assert len({e.message for e in refusals}) == len(refusals)
    english = [e.message for e in refusals if not localized_message(e, lang)[1]]
    assert not english, f"refusals with no {lang} text: {english}"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_refusal_key_has_the_four_languages_with_the_same_parameters():
    """A translation that drops or invents a parameter would show a raw {name} or fail: each language of each
    `refusal_*` key names exactly the English one's."""
    catalogue = json.loads(messages.CATALOGUE.read_text(encoding="utf-8"))
    keys = [key for key in catalogue if key.startswith("refusal_")]
    assert len(keys) > 20
    for key in keys:
        texts = catalogue[key]
        assert set(texts) == set(messages.LANGUAGES), key
        assert all(texts.values()), key
        assert {lang: placeholders(text) for lang, text in texts.items()} == dict.fromkeys(
            messages.LANGUAGES, placeholders(texts["en"])
        ), key


def test_the_english_message_is_the_catalogues_text_byte_for_byte():
    """What programs read in `message` did not change when the refusals became keys."""
    nested = refusal(lambda: parse_contribution(b"[" * (MAX_NESTING + 1), "jsonld"))
    assert nested.message == f"the contribution nests arrays and objects more than {MAX_NESTING} levels deep " + (
        f"(at line 1, column {MAX_NESTING + 1})"
    )
    remote = refusal(lambda: parse_contribution(b'{"@context": "https://example.org/c", "@id": "x"}', "jsonld"))
    assert remote.message == (
        "the JSON-LD @context at the top names 'https://example.org/c': this service never fetches anything, so a "
        "context must be inline (or the project's own, https://w3id.org/benelux-graph/context.jsonld)"
    )
    checker = ContributionChecker.__new__(ContributionChecker)
    checker.memory = 1_500_000_000
    assert checker.lost("validating", -11).message == (
        "the validation of this contribution crashed (SIGSEGV), probably short of memory (the limit is "
        "1,500,000,000 bytes); send a smaller one"
    )


def test_rewording_the_english_leaves_no_language_behind():
    """The page finds a translation by its key, not by the English words: a catalogue whose English was reworded
    still says every refusal in French, Dutch and German."""
    catalogue = {lang: dict(words) for lang, words in messages.UI.items()}
    for key in catalogue["en"]:
        if key.startswith("refusal_"):
            catalogue["en"][key] = "Reworded: " + catalogue["en"][key]
    error = refusal(lambda: parse_contribution(b"[" * (MAX_NESTING + 1), "jsonld"))
    assert say(error.key, "en", error.params, catalogue).startswith("Reworded: the contribution nests")
    for lang in ("fr", "nl", "de"):
        said, in_lang = localized_message(error, lang, catalogue)
        assert in_lang and said == say(error.key, lang, error.params) and "Reworded" not in said
        assert str(MAX_NESTING) in said


def test_the_shapes_page_says_the_messages_in_the_readers_language(web):
    """/shapes showed the shapes' messages in English only, where /validate says them in French, Dutch or German:
    the same words on both (the shapes' names stay English, marked so)."""
    english = words(web.get("/shapes", headers={"Accept": "text/html"}).text)
    assert "needs exactly one org:role; use one membership node per role" in english
    r = web.get("/shapes?lang=fr", headers={"Accept": "text/html"})
    assert r.status_code == 200
    french = words(r.text)
    assert "doit avoir exactement un org:role ; utilisez un nœud d’adhésion par rôle" in french
    assert "needs exactly one org:role" not in french
    cell = r.text.split("doit avoir exactement un <code>org:role</code>", 1)[0].rsplit("<td", 1)[1]
    assert 'lang="en"' not in cell  # in the page's language: not marked English
    german = words(web.get("/shapes", headers={"Accept": "text/html", "Accept-Language": "de"}).text)
    assert "braucht genau ein org:role; verwenden Sie einen Mitgliedschaftsknoten je Rolle" in german


def words(page: str) -> str:
    """A page's text without its markup (the shapes' messages show the names they quote as code)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))
