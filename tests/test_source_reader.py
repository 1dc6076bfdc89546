"""The source reader's document model from real ledger files: sentences in reading order, a line break in the
source starts a paragraph, a heading sentence is a block of its own; an unreadable ledger is no document (the
page answers 404), never an exception. And `marked` cuts a sentence at overlapping spans without losing text."""

from __future__ import annotations

from pathlib import Path

from benelux_graph.citations import marked
from benelux_graph.source_reader import read_document

ROOT = Path(__file__).resolve().parents[1]


def write(root: Path, ledger: str, source: str) -> None:
    (root / "data" / "ledger").mkdir(parents=True)
    (root / "data" / "sources").mkdir(parents=True)
    (root / "data" / "sources" / "doc.txt").write_text(source, encoding="utf-8")
    (root / "data" / "ledger" / "doc.yaml").write_text(ledger, encoding="utf-8")


def test_paragraphs_and_headings_follow_the_source(tmp_path):
    write(
        tmp_path,
        """document: bxr:doc
source: data/sources/doc.txt
sentences:
  - {id: jwp-0001, section: Intro, text: Intro, reason: heading}
  - {id: jwp-0002, section: Intro, text: "One sentence.", reason: context}
  - {id: jwp-0003, section: Intro, text: "Same **paragraph**.", reason: context}
  - {id: jwp-0004, section: Intro, text: "Next paragraph.", reason: context}
""",
        "# Intro\n\nOne sentence. Same **paragraph**.\n\nNext paragraph.\n",
    )
    doc = read_document(tmp_path, "doc")
    assert doc.iri == "https://w3id.org/benelux-graph/id/doc"
    assert [(b.heading, [s.id for s in b.sentences]) for b in doc.blocks] == [
        (True, ["jwp-0001"]),
        (False, ["jwp-0002", "jwp-0003"]),
        (False, ["jwp-0004"]),
    ]
    assert doc.sentences[2].text == "Same paragraph."


def test_an_unreadable_ledger_is_no_document(tmp_path):
    write(tmp_path, "document: bxr:doc\nsentences: [\n", "text")
    assert read_document(tmp_path, "doc") is None
    assert read_document(tmp_path, "other") is None


def test_the_project_ledgers_read_whole():
    doc = read_document(ROOT, "joint-work-programme-2025-2028")
    assert len(doc.sentences) > 150 and doc.sentences[0].id == "jwp-0001"


def test_marked_splits_overlapping_spans_and_keeps_the_text():
    pieces = marked(
        "Belgium and the Netherlands cooperate.",
        [("Belgium and the Netherlands", "a"), ("the Netherlands cooperate", "b"), ("absent", "c")],
    )
    assert "".join(t for t, _ in pieces) == "Belgium and the Netherlands cooperate."
    assert pieces == [("Belgium and ", ["a"]), ("the Netherlands", ["a", "b"]), (" cooperate", ["b"]), (".", [])]
