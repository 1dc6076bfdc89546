"""The refusals of a contribution (POST /validate's 4xx and 5xx), said in the /validate page's language.

Each refusal is raised where it happens with a key of the site's catalogue (web/messages.json, `refusal_*`) and its
parameters: the JSON API's `message` is the key's English text, for programs; the page says the same key in French,
Dutch or German. A translation is found by its key, never by the English wording, so rewording the English cannot
leave a language behind. What a message quotes (the parser's own detail, a field name, an IRI) stays as it was:
the `detail` parameter is marked `lang="en"`. An error with no key is shown in English, marked as such.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .errors import ApiError
from .messages import UI


class Phrase(str):
    """A parameter that is itself a catalogue key (`refusal_word_*`): said in the reader's language too."""


def say(key: str, lang: str, params: dict, catalogue: dict[str, dict[str, str]] = UI) -> str:
    """The plain text of `key` in `lang` with its parameters."""
    words = catalogue[lang]
    return words[key].format(**{k: words[v] if isinstance(v, Phrase) else v for k, v in params.items()})


def refusal(
    status: int,
    type: str,
    key: str,
    line: int | None = None,
    column: int | None = None,
    headers: dict[str, str] | None = None,
    **params,
) -> ApiError:
    """An ApiError whose message is `key` in English, which the page can say again in its own language; the
    templates may name `{line}` and `{column}` too."""
    if line is not None:
        params = {"line": line, "column": column} | params
    return ApiError(status, type, say(key, "en", params), line, column, headers, key=key, params=params)


def localized_message(error: ApiError, lang: str, catalogue: dict[str, dict[str, str]] = UI) -> tuple[Markup, bool]:
    """The error's message in `lang` as HTML, and whether it is in `lang` (False: English, to be marked so)."""
    if error.key is None or error.key not in catalogue[lang]:
        return Markup(escape(error.message)), lang == "en"
    words = catalogue[lang]
    values = {
        name: Markup('<span lang="en">{}</span>').format(value)
        if name == "detail"
        else words[value]
        if isinstance(value, Phrase)
        else value
        for name, value in error.params.items()
    }
    return Markup(escape(words[error.key])).format(**values), True
