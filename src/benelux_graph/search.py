"""Search: resources by their labels, in any of the four languages, ignoring case and accents."""

from __future__ import annotations

from dataclasses import dataclass

from .graph_index import (
    PREF_LABEL,
    Index,
    compact,
    fold,
)


@dataclass
class Hit:
    iri: str
    label: str
    label_lang: str | None
    matched: str
    matched_lang: str | None
    types: list[str]
    score: int


def search(index: Index, query: str, lang: str = "en", limit: int = 50, any_word: bool = False) -> list[Hit]:
    """Resources whose labels (any of the four languages, alternative labels too) contain every word of
    `query` (with `any_word`, one of them at least), ignoring case and accents; exact matches first, then prefix
    matches, then the others. One pass over the labels, however many words."""
    words = fold(query).split()
    if not words:
        return []
    wanted = " ".join(words)
    matches = any if any_word else all
    hits: dict = {}
    for s, p, o, text in index.searched:
        if not matches(w in text for w in words):
            continue
        score = 3 if text == wanted else 2 if text.startswith(wanted) else 1
        score = score * 2 + (p == PREF_LABEL) + (o.language == lang)
        if s not in hits or score > hits[s][0]:
            hits[s] = (score, o)
    out = []
    for s, (score, o) in hits.items():
        label, label_lang = index.label(s, lang)
        out.append(
            Hit(s.value, label, label_lang, o.value, o.language, [compact(t.value) for t in index.types(s)], score)
        )
    out.sort(key=lambda h: (-h.score, fold(h.label), h.iri))
    return out[:limit]
