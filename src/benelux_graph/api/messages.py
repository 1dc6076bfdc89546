"""The words of the pages in English, French, Dutch and German, from one catalogue (web/messages.json: each key
with its text in every language), shared by the linked-data pages, the home page and the query editor.

`choose_language` picks the reader's language: `?lang=`, else the best of Accept-Language, else English.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request

from .negotiation import entries, qvalue

LANGUAGES = ("en", "fr", "nl", "de")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "nl": "Nederlands", "de": "Deutsch"}
CATALOGUE = Path(__file__).resolve().parents[1] / "web" / "messages.json"


def load(path: Path = CATALOGUE) -> dict[str, dict[str, str]]:
    """{language: {key: text}}; a key missing in a language is an error, said with the key and the language."""
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    missing = [f"{key} ({lang})" for key, texts in catalogue.items() for lang in LANGUAGES if not texts.get(lang)]
    if missing:
        raise ValueError(f"{path.name}: no text for {', '.join(missing)}")
    return {lang: {key: texts[lang] for key, texts in catalogue.items()} for lang in LANGUAGES}


UI = load()


def choose_language(request: Request) -> tuple[str, bool]:
    """(language, whether the URL chose it): `?lang=`, else the best of Accept-Language, else English."""
    asked = request.query_params.get("lang", "").strip().lower().split("-")[0]  # fr-BE is French, as in the header
    if asked in LANGUAGES:
        return asked, True
    best, best_q = "en", 0.0
    for part in entries(request.headers.get("accept-language")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower().split("-")[0]
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                q = qvalue(f[2:])  # q=inf or q=abc is no weight (RFC 9110 12.4.2), never the best one
        if tag in LANGUAGES and q > best_q:
            best, best_q = tag, q
    return best, False


def term_label(curie: str, lang: str) -> str | None:
    """The name of a class or property (`bx:Theme`) in `lang`, from the catalogue's `term <curie>` entries."""
    return UI[lang].get("term " + curie)


#: Thousands separators: 4,354 in English, 4 354 in French (a narrow no-break space), 4.354 in Dutch and German.
THOUSANDS = {"en": ",", "fr": "\u202f", "nl": ".", "de": "."}


def number(value: int, lang: str) -> str:
    return f"{value:,}".replace(",", THOUSANDS.get(lang, ","))
