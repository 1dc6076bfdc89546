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

from benelux_graph.graph_stats import unsourced_facts
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


def test_the_2018_memorandum_is_not_one_with_the_hauts_de_france_region(ledgers, store):
    # jwp-0187 "based on the 2018 memorandum of understanding and the action plan between the Benelux Union and the
    # Hauts-de-France region": "between ..." goes with the action plan. The 2018 instrument is the declaration of
    # intent between the Benelux countries and France, so the sentence names no parties of the memorandum.
    memorandum = BXR["memorandum-of-understanding-hauts-de-france-2018"]
    assert not [c for c in ledgers.cited if (c.p, c.o) == (BX.partyTo, memorandum)]
    assert not store.query(sparql_prologue() + f"ASK {{ ?party bx:partyTo <{memorandum}> }}")
    assert not store.query(sparql_prologue() + f"ASK {{ bxr:cooperation-hauts-de-france bx:basedOn <{memorandum}> }}")
    assert store.query(sparql_prologue() + f"ASK {{ bxr:cooperation-france bx:basedOn <{memorandum}> }}")
    quotes = [
        c.quote
        for c in ledgers.cited
        if (c.s, c.p, c.o) == (BXR["benelux-union"], BX.cooperatesWith, BXR["hauts-de-france"])
    ]
    assert quotes == ["the action plan between the Benelux Union and the Hauts-de-France region"]


def test_every_relationship_fact_has_its_own_source(store):
    # the 14 facts `stats --unsourced` listed are cited to their sentence or authority, or gone
    assert unsourced_facts(store) == []
    # and so are the facts of the cooperation nodes and the programmes themselves (not counted as relationships)
    uncited = store.query(
        sparql_prologue()
        + """SELECT ?s ?p ?o WHERE {
            { ?s a bx:Cooperation ; ?p ?o . FILTER(?p IN (bx:partner, bx:cooperationStatus, bx:basedOn)) }
            UNION { VALUES ?s { bxr:common-work-programme-2021-2024 bxr:joint-work-programme-2025-2028 }
                    ?s ?p ?o . FILTER(?p IN (dcterms:title, dcterms:temporal, dcterms:issued, dcterms:publisher)) }
            FILTER NOT EXISTS { ?f rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; bx:citation ?c } }"""
    )
    assert [tuple(str(x) for x in row) for row in uncited] == []


@pytest.mark.parametrize("partner", ["north-rhine-westphalia", "france", "greater-region", "nordics", "baltic-states"])
def test_a_cooperation_both_programmes_state_has_a_citation_from_each(store, partner):
    # one bx:Cooperation node per partner, but each programme's statement of it is a citation of its own
    for other in (f"bxr:{partner}", "bxr:benelux-union"):
        rows = store.query(
            sparql_prologue()
            + f"""SELECT DISTINCT ?document WHERE {{
                ?f rdf:subject bxr:cooperation-{partner} ; rdf:predicate bx:partner ; rdf:object {other} ;
                   bx:citation/oa:hasSource ?document }}"""
        )
        assert {row[0].value.rsplit("/", 1)[-1] for row in rows} == {
            "common-work-programme-2021-2024",
            "joint-work-programme-2025-2028",
        }, (partner, other)


def test_labels_that_are_no_official_name_are_gone(store):
    # "Grote Regio" is not the Greater Region's name (it has a French and a German one); the ports' own names are
    # the English ones. The UI shows the English label, marked as such, instead.
    for iri, lang in (("greater-region", "nl"), ("port-of-rotterdam", "nl"), ("port-of-amsterdam", "nl")):
        ask = f'ASK {{ bxr:{iri} skos:prefLabel ?l FILTER(lang(?l) = "{lang}") }}'
        assert not store.query(sparql_prologue() + ask), (iri, lang)


def test_the_eidas_analysis_is_the_sections_not_the_regulations_theme(ledgers, store):
    # jwp-0140: "This analysis will focus on digital archiving" is the Digital archiving section's analysis.
    assert not [c for c in ledgers.cited if c.s == BXR["eidas-2-regulation"] and c.p == BX.addressesTheme]
    assert not store.query(sparql_prologue() + "ASK { bxr:eidas-2-regulation bx:addressesTheme ?theme }")
    assert "jwp-0140" in [
        c.sentence for c in ledgers.cited if (c.s, c.p) == (BXR["jwp-digital-archiving"], BX.addressesTheme)
    ]


def cited_in(store, s: str, p: str, o: str) -> set[str]:
    """The sentences and authorities a fact is cited to (the last segment of each citation IRI)."""
    rows = store.query(
        sparql_prologue()
        + f"SELECT ?c WHERE {{ ?f rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; bx:citation ?c }}"
    )
    return {row[0].value.rsplit("/", 1)[-1] for row in rows}


def test_the_european_strategic_agenda_has_the_period_the_programme_gives_it(store):
    # jwp-0051: "... the topics from the European Strategic Agenda for 2024-2029" (audit 7: the period was missing)
    assert cited_in(store, "bxr:european-strategic-agenda-2024-2029", "dcterms:temporal", "bxr:period-2024-2029") == {
        "jwp-0051"
    }
    years = store.query(
        sparql_prologue()
        + """SELECT ?b ?e WHERE { bxr:period-2024-2029 time:hasBeginning/time:inXSDgYear ?b ;
                                                         time:hasEnd/time:inXSDgYear ?e }"""
    )
    assert [(b.value, e.value) for b, e in years] == [("2024", "2029")]


@pytest.mark.parametrize(
    "partner, sentences",
    [
        ("north-rhine-westphalia", {"cwp-0031", "jwp-0185"}),  # "Deep partnership"; "For instance, cooperation with"
        ("greater-region", {"cwp-0032", "jwp-0189"}),
        ("france", {"cwp-0032"}),  # jwp-0187 only explores collaboration with France
        ("nordics", {"cwp-0032"}),
        ("baltic-states", {"cwp-0032", "jwp-0190"}),  # "other regional partners, including ... the Baltic States"
        ("nordic-council", {"jwp-0190"}),
        ("lower-saxony", {"jwp-0189"}),
    ],
)
def test_a_cooperation_with_a_region_or_regional_partner_addresses_regional_cooperation(store, partner, sentences):
    # the leaflet sets them out under "Ally of regional cooperation"; the 2025-2028 programme in its paragraph on
    # cooperation with border regions and "other regional partners" (audit 7: the theme was missing)
    fact = (f"bxr:cooperation-{partner}", "bx:addressesTheme", "theme:regional-cooperation")
    assert cited_in(store, *fact) == sentences


@pytest.mark.parametrize(
    "s, o, sentence",
    [
        ("bxr:jwp-smes", "theme:energy-security", "jwp-0105"),  # "ensuring a reliable and stable energy supply"
        ("bxr:jwp-industry", "theme:green-transition", "jwp-0114"),  # "with attention to ... the green transition"
        ("bxr:jwp-industry", "theme:energy", "jwp-0116"),  # "Attention is also given to energy efficiency"
        ("bxr:cross-border-green-infrastructure", "theme:biodiversity", "jwp-0182"),
    ],
)
def test_themes_the_sentences_state_are_there(store, s, o, sentence):
    assert sentence in cited_in(store, s, "bx:addressesTheme", o)


@pytest.mark.parametrize(
    "instrument, date, authority",
    [
        ("benelux-treaty", "2008-06-17", "benelux-treaty-2008"),  # The Hague, 17 June 2008
        ("benelux-police-treaty", "2018-07-23", "benelux-police-treaty-2018"),  # Brussels, 23 July 2018
        ("european-strategic-agenda-2024-2029", "2024-06-27", "eu-strategic-agenda-2024-2029"),
        ("european-green-deal", "2019-12-11", "european-green-deal-2019"),  # COM(2019) 640
    ],
)
def test_the_dates_the_programme_leaves_out_come_from_their_authority(store, instrument, date, authority):
    # the programmes name these instruments without a date; the date is the one the authority's own label gives
    assert cited_in(store, f"bxr:{instrument}", "dcterms:issued", f'"{date}"^^xsd:date') == {authority}


def test_the_leaflet_is_the_home_of_all_four_energy_forums_it_lists(store):
    # cwp-0030 "The home of regional energy cooperation: Benelux Energy Expertise Network, Pentilateral Energy
    # Forum, Gas Platform and North Sea Energy Cooperation" - each a fact of the 2021-2024 leaflet only
    for forum in ("benelux-energy-expertise-network", "pentalateral-energy-forum", "gas-platform"):
        assert cited_in(store, "bxr:benelux-union", "bx:hosts", f"bxr:{forum}") == {"cwp-0030"}
    assert cited_in(store, "bxr:benelux-union", "bx:hosts", "bxr:north-seas-energy-cooperation") == {"cwp-0030"}
