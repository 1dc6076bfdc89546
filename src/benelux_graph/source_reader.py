"""A work programme as a readable document: its sentences (from the ledger, data/ledger/<document>.yaml) grouped
into sections and paragraphs as the source file lays them out, each with its id (the anchor `#jwp-0123`).

A sentence starts a new paragraph when a line break separates it from the previous one in data/sources/…; a
sentence whose ledger reason is `heading` is a heading. The facts and their spans come from the store
(citations.py), so the reader shows what the graph cites, not what the ledger says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .ledger import Source, normalise
from .namespaces import BXR

MAX_LEDGER_BYTES = 5_000_000  # a ledger is ~200 kB: anything much larger is not one


@dataclass
class Sentence:
    id: str
    text: str
    section: str
    heading: bool


@dataclass
class Block:
    """A heading (one sentence) or a paragraph (one or more sentences)."""

    heading: bool
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Document:
    slug: str
    iri: str
    source: str  # the source file, relative to the project root
    blocks: list[Block]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for b in self.blocks for s in b.sentences]


def ledger_paths(root: Path) -> dict[str, Path]:
    """Document slug -> its ledger file."""
    folder = root / "data" / "ledger"
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.name != "authorities.yaml"}


def read_document(root: Path, slug: str) -> Document | None:
    """The document of a ledger; None when there is none, or it cannot be read (the ledger test reports why)."""
    try:
        return _read(root, slug)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError):
        return None


def _read(root: Path, slug: str) -> Document | None:
    path = ledger_paths(root).get(slug)
    if path is None or path.stat().st_size > MAX_LEDGER_BYTES:
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    iri = str(data.get("document", ""))
    iri = str(BXR) + iri[4:] if iri.startswith("bxr:") else iri.strip("<>")
    source = Source.read(root / data["source"])
    blocks: list[Block] = []
    cursor, previous_end = 0, None
    for item in data.get("sentences") or []:
        text = normalise(str(item.get("text", "")))
        at = source.norm.find(text, cursor) if text else -1
        if at < 0:  # the ledger test guards this; a reader skips what it cannot place
            continue
        start, end = source.span(at, at + len(text))
        cursor = at + len(text)
        sentence = Sentence(str(item["id"]), text, str(item.get("section", "")), item.get("reason") == "heading")
        new_line = previous_end is None or "\n" in source.text[previous_end:start]
        if sentence.heading or new_line or not blocks or blocks[-1].heading:
            blocks.append(Block(sentence.heading))
        blocks[-1].sentences.append(sentence)
        previous_end = end
    return Document(slug, iri, data["source"], blocks)
