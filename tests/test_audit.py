"""The citation audit of issue 12: scripts/sample_facts.py draws the auditor's seeded sample, and the readings the
audit corrected stay corrected (a quote is the span that states its fact, "explored" is not "cooperates", a
section's analysis is not the theme of the regulation it analyses)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import Literal

from benelux_graph.ledger import read_ledgers
from benelux_graph.namespaces import BX, BXR, sparql_prologue

ROOT = Path(__file__).resolve().parents[1]
SAMPLER = ROOT / "scripts" / "sample_facts.py"


def sample(*args: str) -> str:
    done = subprocess.run([sys.executable, str(SAMPLER), *args], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def facts_printed(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("[")]


@pytest.fixture(scope="module")
def ledgers():
    return read_ledgers(ROOT)


def test_the_sample_is_seeded_and_sized():
    first = sample("-n", "30", "--seed", "7")
    assert first == sample("-n", "30", "--seed", "7")  # an audit can be repeated
    assert len(facts_printed(first)) == 30
    assert facts_printed(first) != facts_printed(sample("-n", "30", "--seed", "8"))
    # each fact comes with the sentence that states it and the quote
    assert first.count("    text : ") == 30 and first.count("    quote: ") == 30


def test_flagged_adds_every_fact_with_a_note():
    noted = 0
    for path in (ROOT / "data" / "ledger").glob("*-work-programme-*.yaml"):
        for sentence in yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]:
            noted += sum(1 for fact in sentence.get("facts") or [] if fact.get("note"))
    common = yaml.safe_load((ROOT / "data" / "ledger" / "authorities.yaml").read_text(encoding="utf-8"))
    noted += sum(len(f["o"]) if isinstance(f["o"], list) else 1 for f in common["facts"] if f.get("note"))
    out = sample("-n", "0", "--flagged")
    assert noted > 40 and out.count("    note : ") == noted
    assert "bx:partyTo" in out and "bx:hosts" in out and "bx:cooperatesWith" in out
    # common knowledge too, with its authority in place of a sentence
    assert "[benelux-treaty-2008] bxr:belgium  org:memberOf  bxr:benelux-union" in out


def test_a_quote_ends_with_what_states_the_fact_not_the_full_stop(ledgers):
    # a literal that is itself a sentence (the copyright line) keeps its full stop
    long = [
        (c.sentence, c.quote)
        for c in ledgers.cited
        if c.quote.endswith(".") and not (isinstance(c.o, Literal) and str(c.o).endswith("."))
    ]
    assert not long, long


def test_exploring_collaboration_with_france_is_not_cooperating(ledgers):
    # jwp-0187: "New opportunities for collaboration with France are also being explored"; only the 2021-2024
    # leaflet states cooperation with France ("Cooperation projects with France", cwp-0032).
    cited = [
        c.sentence for c in ledgers.cited if (c.s, c.p, c.o) == (BXR["benelux-union"], BX.cooperatesWith, BXR["france"])
    ]
    assert cited == ["cwp-0032"]


def test_the_hauts_de_france_cooperation_rests_on_the_signed_memorandum(ledgers):
    # The action plan is only "expected to be signed in 2025"; the 2018 memorandum binds the two already.
    quotes = [
        c.quote
        for c in ledgers.cited
        if (c.s, c.p, c.o) == (BXR["benelux-union"], BX.cooperatesWith, BXR["hauts-de-france"])
    ]
    assert quotes and all(q.startswith("the 2018 memorandum of understanding") for q in quotes)


def test_the_eidas_analysis_is_the_sections_not_the_regulations_theme(ledgers, store):
    # jwp-0140: "This analysis will focus on digital archiving" is the Digital archiving section's analysis.
    assert not [c for c in ledgers.cited if c.s == BXR["eidas-2-regulation"] and c.p == BX.addressesTheme]
    assert not store.query(sparql_prologue() + "ASK { bxr:eidas-2-regulation bx:addressesTheme ?theme }")
    assert "jwp-0140" in [
        c.sentence for c in ledgers.cited if (c.s, c.p) == (BXR["jwp-digital-archiving"], BX.addressesTheme)
    ]
