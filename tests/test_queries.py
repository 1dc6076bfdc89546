"""The saved queries (queries/*.rq): their headers and parameters, and their answers.

The expected answers come from the seed documents (data/sources/), not from whatever the queries return:
each test quotes or paraphrases the sentence it checks. A failure here means either a query or the data is
wrong; it is never to be "fixed" by copying the current answer into the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from benelux_graph.errors import ParameterError, QueryError
from benelux_graph.namespaces import BX, BXR, ROLE, STATUS, THEME
from benelux_graph.saved_queries import LANGUAGES, PARAM_TYPES, get_query, load_queries, load_query, parse_header

ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = ROOT / "queries"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))

JWP = str(BXR["joint-work-programme-2025-2028"])
CWP = str(BXR["common-work-programme-2021-2024"])


def bxr(slug: str) -> str:
    return str(BXR[slug])


def theme(slug: str) -> str:
    return str(THEME[slug])


def role(slug: str) -> str:
    return str(ROLE[slug])


def status(slug: str) -> str:
    return str(STATUS[slug])


@pytest.fixture(scope="module")
def queries(settings):
    return load_queries(settings.queries_dir)


@pytest.fixture(scope="module")
def run(store, queries):
    """run(name, **params) -> the answer as a list of {variable: value} with IRIs and literals as strings."""

    def _run(name: str, **params) -> list[dict[str, str]]:
        q = get_query(queries, name)
        result = store.query(q.text, substitutions=q.bindings({k: str(v) for k, v in params.items()}))
        names = [v.value for v in result.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in result]

    return _run


def col(rows: list[dict[str, str]], var: str) -> set[str]:
    return {r[var] for r in rows if var in r}


def pairs(rows: list[dict[str, str]], a: str, b: str) -> set[tuple[str, str]]:
    return {(r[a], r[b]) for r in rows if a in r and b in r}


# --------------------------------------------------------------------------------------------------------
# Files, headers, parameters
# --------------------------------------------------------------------------------------------------------


def test_there_are_at_least_22_queries():
    assert len(QUERY_FILES) >= 22, [p.name for p in QUERY_FILES]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_header_is_valid(path):
    q = load_query(path)  # raises QueryError on any malformed header
    header = parse_header(path)
    assert set(header) <= {"title", "description", "tags", "params"}
    assert q.title and "\n" not in q.title
    assert len(q.description) >= 20
    assert isinstance(header.get("tags", []), list)
    for p in q.params:
        assert p.type in PARAM_TYPES
        assert p.description.strip()
        assert p.default is not None, f"parameter '{p.name}' has no default: the query must run without arguments"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_is_standalone_select(path):
    """Each file declares its own prefixes: it parses and runs with no prologue added, on an empty store."""
    result = ox.Store().query(path.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions), "a saved query is a SELECT query"
    assert list(result) == []


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_parameter_is_used_and_bound(path):
    q = load_query(path)
    text = q.text
    body = text[text.upper().index("WHERE") :] if "WHERE" in text.upper() else text
    for p in q.params:
        assert re.search(r"[?$]" + re.escape(p.name) + r"\b", body), f"?{p.name} is not used in the WHERE clause"
    if q.params:
        # Oxigraph substitutes only projected variables: this raises if a parameter is not in the SELECT clause.
        result = ox.Store().query(text, substitutions=q.bindings({}))
        assert {p.name for p in q.params} <= {v.value for v in result.variables}


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_runs_with_its_defaults_and_answers(path, store):
    q = load_query(path)
    rows = list(store.query(q.text, substitutions=q.bindings({})))
    assert rows, f"{q.name} has no answer on the project's data with its default parameters"


def test_parameters_are_bound_by_substitution_not_pasted(queries, store):
    """A value that would break or change the query if pasted is just a literal that matches nothing."""
    q = queries["facts-from-section"]
    rows = list(store.query(q.text, substitutions=q.bindings({"section": '" } ; DROP ALL ; SELECT * { "'})))
    assert rows == []


BAD_VALUES = {
    "iri": "not an iri",
    "year": "20x7",
    "integer": "twelve",
    "lang": "Dutch",
}


def _params_of(type_: str):
    out = []
    for path in QUERY_FILES:
        for p in load_query(path).params:
            if p.type == type_:
                out.append(pytest.param(path.stem, p.name, id=f"{path.stem}:{p.name}"))
    return out


@pytest.mark.parametrize("name,param", [p for t in BAD_VALUES for p in _params_of(t)])
def test_bad_parameter_value_raises(queries, name, param):
    q = queries[name]
    p = next(p for p in q.params if p.name == param)
    with pytest.raises(ParameterError):
        q.bindings({param: BAD_VALUES[p.type]})


def test_unknown_parameter_raises(queries):
    for q in queries.values():
        with pytest.raises(ParameterError):
            q.bindings({"no-such-parameter": "x"})


def test_enum_is_enforced(queries):
    q = queries["label-lookup"]
    assert set(next(p for p in q.params if p.name == "lang").enum) == {"en", "fr", "nl", "de"}
    with pytest.raises(ParameterError):
        q.bindings({"lang": "es"})
    q.bindings({"lang": "fr"})


def test_year_parameter_accepts_only_whole_years(queries):
    q = queries["presidency-in-year"]
    for bad in ["2027-01", "MMXXVII", "", "2027.5"]:
        with pytest.raises(ParameterError):
            q.bindings({"year": bad})


def test_iri_parameter_accepts_prefixed_and_full_iris(queries):
    q = queries["organisation-members"]
    a = q.bindings({"organisation": "bxr:benelux-union"})
    b = q.bindings({"organisation": f"<{bxr('benelux-union')}>"})
    c = q.bindings({"organisation": bxr("benelux-union")})
    assert a == b == c


def test_readme_lists_every_query():
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    missing = [p.stem for p in QUERY_FILES if f"`{p.stem}`" not in readme or f"({p.name})" not in readme]
    assert not missing, f"queries/README.md does not list {missing}"
    checks = sorted((QUERIES_DIR / "checks").glob("*.rq"))
    missing_checks = [p.stem for p in checks if f"checks/{p.name}" not in readme]
    assert not missing_checks, f"queries/README.md does not list the checks {missing_checks}"


def test_every_query_speaks_the_four_languages():
    """A reader in fr/nl/de sees the saved queries' titles and descriptions in their language (editor, home page,
    /api/queries?lang=, /docs): a query whose header lacks one is named here, rather than shown in English."""
    missing = [
        f"{path.name}: {key} in {lang}"
        for path in QUERY_FILES
        for key in ("title", "description")
        for lang in LANGUAGES
        if lang not in (parse_header(path)[key] if isinstance(parse_header(path)[key], dict) else {"en": 1})
    ]
    assert missing == [], "not translated:\n" + "\n".join(missing)
    untranslated = [
        f"{q.name}: {lang}"
        for q in load_queries(QUERIES_DIR).values()
        for lang in LANGUAGES[1:]
        if q.titles[lang] == q.title or q.descriptions[lang] == q.description
    ]
    assert untranslated == [], "the same text as the English one:\n" + "\n".join(untranslated)
    parameters = [
        f"{q.name}: parameter {p.name} in {lang}"
        for q in load_queries(QUERIES_DIR).values()
        for p in q.params
        for lang in LANGUAGES
        if lang not in p.descriptions or (lang != "en" and p.descriptions[lang] == p.description)
    ]
    assert parameters == [], "parameters not described in every language:\n" + "\n".join(parameters)


def test_header_words_in_languages(tmp_path):
    """An English-only header stays valid; a mapping needs English and only the site's languages."""
    path = tmp_path / "some-query.rq"
    path.write_text("#+ title: Things\n#+ description: All the things.\nSELECT ?s WHERE { ?s ?p ?o }\n")
    q = load_query(path)
    assert (q.title_in("de"), q.description_in("fr"), q.titles) == ("Things", "All the things.", {"en": "Things"})
    path.write_text(
        "#+ title: {en: Things, de: Dinge}\n#+ description:\n#+   en: All the things.\n#+   nl: Alle dingen.\n"
        "SELECT ?s WHERE { ?s ?p ?o }\n"
    )
    q = load_query(path)
    assert (q.title, q.title_in("de"), q.title_in("nl"), q.description_in("nl")) == (
        "Things",
        "Dinge",
        "Things",
        "Alle dingen.",
    )
    for title, error in [
        ("{de: Dinge}", "needs a non-empty 'title'"),
        ("{en: Things, es: Cosas}", "unknown languages ['es']"),
        ("{en: Things, fr: ''}", "'title' in 'fr' must be a non-empty text"),
    ]:
        path.write_text(f"#+ title: {title}\n#+ description: d\nSELECT ?s WHERE {{ ?s ?p ?o }}\n")
        with pytest.raises(QueryError, match=re.escape(error)):
            load_query(path)


def test_readme_lists_no_query_that_does_not_exist():
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(([a-z0-9-]+)\.rq\)", readme))
    assert listed <= {p.stem for p in QUERY_FILES}


def test_malformed_header_is_an_error(tmp_path):
    bad = tmp_path / "bad-query.rq"
    bad.write_text("#+ title: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError):
        load_query(bad)
    unused = tmp_path / "unused-param.rq"
    unused.write_text(
        "#+ title: t\n#+ description: d\n#+ params:\n#+   - {name: nowhere, type: iri, description: x}\n"
        "SELECT * WHERE { ?s ?p ?o }\n"
    )
    with pytest.raises(QueryError):
        load_query(unused)


# --------------------------------------------------------------------------------------------------------
# Answers, from the seeds
# --------------------------------------------------------------------------------------------------------


def test_secretariat_provider(run):
    # JWP "Energy and supply security": "The role of the Benelux Union in the Pentalateral Energy Forum, where it
    # provides the secretariat and allocates projects, ..."
    rows = run("secretariat-provider")
    assert col(rows, "provider") == {bxr("benelux-union")}
    assert any("provides the secretariat" in q for q in col(rows, "quote"))
    assert run("secretariat-provider", forum=f"<{bxr('gas-platform')}>") == []


def test_country_participations(run):
    rows = run("country-participations")
    triples = {(r["country"], r["organisation"], r["relation"]) for r in rows}
    for country in ("belgium", "netherlands", "luxembourg"):
        c = bxr(country)
        # INTRODUCTION: Belgium, the Netherlands and Luxembourg ... through the Benelux Union.
        assert (c, bxr("benelux-union"), role("member")) in triples
        # Through the Union: the Penta secretariat, the NSEC role, the Secretariat-General's chair of the
        # Scheldt Council, and the four energy forums the Union is "the home" of (2021-2024, cwp-0030; audit 7:
        # the leaflet lists the NSEC with the other three).
        assert (c, bxr("pentalateral-energy-forum"), role("secretariat")) in triples
        assert (c, bxr("north-seas-energy-cooperation"), role("participant")) in triples
        assert (c, bxr("scheldt-council"), role("chair")) in triples
        for forum in (
            "benelux-energy-expertise-network",
            "gas-platform",
            "pentalateral-energy-forum",
            "north-seas-energy-cooperation",
        ):
            assert (c, bxr(forum), str(BX.hosts)) in triples
    via = {(r["country"], r["organisation"]): r["via"] for r in rows if r["relation"] == role("chair")}
    assert via[(bxr("belgium"), bxr("scheldt-council"))] == bxr("secretariat-general")
    # BENELUX+: "the presidencies of the Greater Region held by ... Luxembourg in 2027-2028" - directly.
    assert (bxr("luxembourg"), bxr("greater-region"), role("presidency")) in triples
    assert (bxr("belgium"), bxr("greater-region"), role("presidency")) not in triples
    assert bxr("germany") not in col(rows, "country")


def test_regions_cooperation(run):
    answer = run("regions-cooperation")
    rows = {r["region"]: r for r in answer}
    assert set(rows) == {
        bxr("north-rhine-westphalia"),
        bxr("hauts-de-france"),
        bxr("greater-region"),
        bxr("lower-saxony"),
    }
    nrw = rows[bxr("north-rhine-westphalia")]
    # "cooperation with North Rhine-Westphalia will be further deepened, building on the joint declarations of
    # 2008 and 2019"; "it is being analysed how North Rhine-Westphalia can also be integrated into Benelux
    # cooperation at a more strategic level": a row per status
    assert nrw["since"] == "2008"
    assert {r["status"] for r in answer if r["region"] == bxr("north-rhine-westphalia")} == {
        status("deepening"),
        status("strategic-integration-under-analysis"),
    }
    assert set(nrw["instruments"].split()) == {
        bxr("joint-declaration-north-rhine-westphalia-2008"),
        bxr("joint-declaration-north-rhine-westphalia-2019"),
    }
    hdf = rows[bxr("hauts-de-france")]
    # "New opportunities ... are also being explored, based on the 2018 memorandum of understanding and the action
    # plan between the Benelux Union and the Hauts-de-France region, expected to be signed in 2025": the 2018
    # memorandum is the one with France; the region's cooperation rests on the action plan, not signed yet.
    assert "since" not in hdf
    assert hdf["status"] == status("exploring")
    assert set(hdf["instruments"].split()) == {bxr("action-plan-hauts-de-france")}
    # "the Benelux Union will strengthen cooperation with the Greater Region, ... while also exploring
    # opportunities for more intensive cooperation with Lower Saxony"
    assert rows[bxr("greater-region")]["status"] == status("strengthening")
    assert rows[bxr("lower-saxony")]["status"] == status("exploring")
    assert "since" not in rows[bxr("lower-saxony")]


@pytest.mark.parametrize(
    "year,expected",
    [
        # "the presidencies of the Greater Region held by Wallonia and the German-speaking Community in 2025-2026,
        # and Luxembourg in 2027-2028"
        (2025, {"wallonia", "german-speaking-community"}),
        (2026, {"wallonia", "german-speaking-community"}),
        (2027, {"luxembourg"}),
        (2028, {"luxembourg"}),
        (2024, set()),
        (2029, set()),
    ],
)
def test_presidency_in_year(run, year, expected):
    rows = run("presidency-in-year", year=year)
    assert col(rows, "member") == {bxr(m) for m in expected}


def test_presidency_in_year_default_is_2027_luxembourg(run):
    rows = run("presidency-in-year")
    assert col(rows, "member") == {bxr("luxembourg")}
    assert col(rows, "year") == {"2027"}


def test_relationships_active_in_year(run):
    in_2025 = col(run("relationships-active-in-year", year=2025), "relationship")
    assert {
        bxr("membership-wallonia-greater-region-presidency"),
        bxr("membership-german-speaking-community-greater-region-presidency"),
    } <= in_2025
    assert bxr("membership-luxembourg-greater-region-presidency") not in in_2025
    in_2028 = col(run("relationships-active-in-year", year=2028), "relationship")
    assert bxr("membership-luxembourg-greater-region-presidency") in in_2028
    assert bxr("membership-wallonia-greater-region-presidency") not in in_2028
    assert run("relationships-active-in-year", year=1990) == []


def test_cooperations_active_in_year_follow_the_programme_that_states_them(run):
    # 2021-2024: "Deep partnership with North Rhine-Westphalia"; Lower Saxony only in 2025-2028: "exploring
    # opportunities for more intensive cooperation with Lower Saxony".
    in_2023 = run("relationships-active-in-year", year=2023)
    assert bxr("cooperation-north-rhine-westphalia") in col(in_2023, "relationship")
    assert bxr("cooperation-lower-saxony") not in col(in_2023, "relationship")
    assert {r["source"] for r in in_2023 if r["kind"] == "cooperation"} == {CWP}
    in_2027 = run("relationships-active-in-year", year=2027)
    assert {bxr("cooperation-north-rhine-westphalia"), bxr("cooperation-lower-saxony")} <= col(in_2027, "relationship")
    assert {r["source"] for r in in_2027 if r["kind"] == "cooperation"} == {JWP}


# Themes named by both documents: 2021-2024 leaflet item -> 2025-2028 section.
SHARED = {
    "artificial-intelligence",  # "Pooling expertise on Artificial Intelligence" / "collaboration in the field of AI"
    "cybersecurity",  # "Ensuring food safety and cybersecurity" / "Cybersecurity and digital resilience"
    "circular-economy",  # "Commitment to the European Green Deal and Circular Economy" / "Circular economy"
    "labour-mobility",  # "A cross-border labour market without barriers" / "Cross-border labour mobility"
    "food-safety",  # "Ensuring food safety ..." / "... animal welfare, and food safety into agricultural policy"
    "cross-border-fraud",  # "Tackling cross-border fraud" / "a joint approach to all forms of cross-border fraud"
    "crisis-management",  # "Dealing with crises and disasters together" / "Civil security, crisis management ..."
    "healthcare",  # "Cross-border health policy" / "cross-border cooperation in the field of healthcare"
    "police-cooperation",  # "A renewed Benelux Policing Convention" / "cross-border police cooperation"
    "judicial-cooperation",  # "Justice that works together across borders" / "judicial cooperation"
}
# Only in 2025-2028.
NEW = {"migration", "digital-archiving", "military-mobility", "biodiversity", "water-management", "human-trafficking"}
# Only in 2021-2024: "Supporting national COVID-19 recovery plans", "EU role model for promoting the digital
# single market" (and the two other items of the 'smart Benelux' priority).
DROPPED = {"covid-19-recovery", "digital-single-market"}


def test_shared_themes(run):
    shared = col(run("shared-themes"), "theme")
    assert {theme(t) for t in SHARED} <= shared
    assert not ({theme(t) for t in NEW | DROPPED} & shared)
    swapped = col(run("shared-themes", programme=CWP, other=JWP), "theme")
    assert swapped == shared


def test_themes_new(run):
    new = col(run("themes-new"), "theme")
    assert {theme(t) for t in NEW} <= new
    assert not ({theme(t) for t in SHARED | DROPPED} & new)


def test_themes_dropped(run):
    dropped = col(run("themes-dropped"), "theme")
    assert {theme(t) for t in DROPPED} <= dropped
    assert not ({theme(t) for t in SHARED | NEW} & dropped)
    # Asking the other way round is the same as asking what is new.
    assert col(run("themes-new", programme=CWP, earlier=JWP), "theme") == dropped


def test_legal_instruments_on_cross_border_security(run):
    # "Cross-border security and crime control": "... the operationalisation of the Benelux Police Treaty and the
    # drafting of implementation agreements arising from the so-called second tranche of the Treaty"
    expected = {
        bxr("benelux-police-treaty"),
        bxr("benelux-police-treaty-second-tranche"),
        bxr("police-treaty-implementation-agreements"),
    }
    assert col(run("legal-instruments-by-theme"), "instrument") == expected
    assert col(run("legal-instruments-by-theme", theme="theme:police-cooperation"), "instrument") == expected
    # "the implementation of the Pact on Migration and Asylum"; "assess the impact of the 2024 eIDAS 2.0 Regulation"
    assert bxr("pact-on-migration-and-asylum") in col(
        run("legal-instruments-by-theme", theme="theme:migration"), "instrument"
    )
    assert bxr("eidas-2-regulation") in col(
        run("legal-instruments-by-theme", theme="theme:digital-archiving"), "instrument"
    )


def test_secretariat_general_roles(run):
    rows = run("secretariat-general-roles")
    got = {(r["actor"], r["relation"], r["target"]) for r in rows}
    sg, union = bxr("secretariat-general"), bxr("benelux-union")
    # "the Secretariat-General of the Benelux Union will continue to fulfil its essential facilitating and
    # supporting role as an independent chair of the Scheldt Council"
    assert (sg, str(BX.chairedBy), bxr("scheldt-council")) in got
    # "The General Secretariat of the Benelux countries continues to closely monitor the cross-border scientific
    # project Einstein Telescope and supports it where necessary."
    assert (sg, str(BX.supports), bxr("einstein-telescope")) in got
    # 2021-2024: "The home of regional energy cooperation: Benelux Energy Expertise Network, Pentilateral Energy
    # Forum, Gas Platform and North Sea Energy Cooperation" - all four (audit 7; issue 12 had kept the NSEC out on
    # the 2025-2028 programme's "playing a key role in the North Seas Energy Cooperation partnership", but each
    # bx:hosts is now the leaflet's own, cited to cwp-0030).
    for forum in ("benelux-energy-expertise-network", "pentalateral-energy-forum", "gas-platform"):
        assert (union, str(BX.hosts), bxr(forum)) in got
    assert (union, str(BX.hosts), bxr("north-seas-energy-cooperation")) in got
    assert (union, str(BX.secretariatProvidedBy), bxr("pentalateral-energy-forum")) in got


def test_facts_from_section(run):
    rows = run("facts-from-section")
    subjects = col(rows, "subject")
    assert {
        bxr("cooperation-north-rhine-westphalia"),
        bxr("cooperation-hauts-de-france"),
        bxr("cooperation-greater-region"),
        bxr("cooperation-lower-saxony"),
        bxr("joint-declaration-north-rhine-westphalia-2008"),
        bxr("memorandum-of-understanding-hauts-de-france-2018"),
        bxr("membership-luxembourg-greater-region-presidency"),
    } <= subjects
    assert col(rows, "document") == {JWP}
    assert any("Nordic Council" in q for q in col(rows, "quote"))
    # The title compares without regard to case.
    assert col(run("facts-from-section", section="benelux+ and beyond"), "subject") == subjects
    energy = col(run("facts-from-section", section="Energy and supply security"), "subject")
    assert {
        bxr("pentalateral-energy-forum"),
        bxr("membership-benelux-union-pentalateral-energy-forum-secretariat"),
    } <= energy
    assert run("facts-from-section", section="No such section") == []


def test_missing_translations(run):
    rows = {r["entity"]: set(r["missing"].split()) for r in run("missing-translations")}
    assert rows[bxr("benelux-house")] == {"fr", "nl", "de"}
    assert bxr("benelux-union") not in rows  # Benelux Union / Union Benelux / Benelux Unie / Benelux-Union
    for entity, missing in rows.items():
        assert missing and missing <= {"fr", "nl", "de"}, entity
        assert not entity.startswith(
            (bxr("source/"), bxr("membership-"), bxr("cooperation-"), bxr("year-"), bxr("period-"))
        ), entity


def test_entity_sources(run):
    rows = run("entity-sources")
    quotes = col(rows, "quote")
    assert any("where it provides the secretariat and allocates projects" in q for q in quotes)
    assert any("Pentilateral Energy Forum" in q for q in quotes)  # the 2021-2024 spelling
    assert {JWP, CWP} <= col(rows, "document")
    gr = run("entity-sources", entity="bxr:greater-region")
    assert any("Luxembourg in 2027-2028" in q for q in col(gr, "quote"))


def test_organisation_members(run):
    rows = run("organisation-members")
    members = {r["member"] for r in rows if r["role"] == role("member")}
    assert members == {bxr("belgium"), bxr("netherlands"), bxr("luxembourg")}
    # Colophon: "Mr Frans Weekers Secretary-General of the Benelux Union"
    assert (bxr("frans-weekers"), role("secretary-general")) in pairs(rows, "member", "role")
    gr = run("organisation-members", organisation="bxr:greater-region")
    periods = {(r["member"], r["role"], r.get("from"), r.get("to")) for r in gr}
    assert {
        (bxr("wallonia"), role("presidency"), "2025", "2026"),
        (bxr("german-speaking-community"), role("presidency"), "2025", "2026"),
        (bxr("luxembourg"), role("presidency"), "2027", "2028"),
    } <= periods


def test_instrument_parties(run):
    # The default, the Benelux Police Treaty: "the police databases of the Treaty parties" - the Benelux countries.
    assert col(run("instrument-parties"), "party") == {bxr("belgium"), bxr("netherlands"), bxr("luxembourg")}
    # "the 2018 memorandum of understanding and the action plan between the Benelux Union and the Hauts-de-France
    # region": "between ..." goes with the action plan; the 2018 memorandum (with France) has no parties named.
    assert run("instrument-parties", instrument="bxr:memorandum-of-understanding-hauts-de-france-2018") == []
    # "building on the joint declarations of 2008 and 2019": the text names no parties (issue 12).
    assert run("instrument-parties", instrument="bxr:joint-declaration-north-rhine-westphalia-2008") == []
    # The Benelux Police Treaty: "the police databases of the Treaty parties" - the Benelux countries.
    police = run("instrument-parties", instrument="bxr:benelux-police-treaty")
    assert col(police, "party") == {bxr("belgium"), bxr("netherlands"), bxr("luxembourg")}
    # "the action plan ..., expected to be signed in 2025": not signed, so no parties yet.
    assert run("instrument-parties", instrument="bxr:action-plan-hauts-de-france") == []


def test_ports_and_countries(run):
    # "the main Benelux ports - such as Rotterdam, the Port of Antwerp-Bruges, Amsterdam, and North Sea Port"
    rows = run("ports-and-countries")
    assert col(rows, "port") == {
        bxr(p) for p in ("port-of-rotterdam", "port-of-antwerp-bruges", "port-of-amsterdam", "north-sea-port")
    }
    got = pairs(rows, "port", "country")
    assert (bxr("port-of-rotterdam"), bxr("netherlands")) in got
    assert (bxr("port-of-amsterdam"), bxr("netherlands")) in got
    assert (bxr("port-of-antwerp-bruges"), bxr("belgium")) in got
    # North Sea Port lies on both sides of the Belgian-Dutch border (Ghent, Terneuzen, Vlissingen).
    assert {c for p, c in got if p == bxr("north-sea-port")} == {bxr("belgium"), bxr("netherlands")}


def test_body_roles_by_theme_energy(run):
    rows = run("body-roles-by-theme")
    bodies = col(rows, "body")
    energy_forums = {
        bxr(f)
        for f in (
            "pentalateral-energy-forum",
            "north-seas-energy-cooperation",
            "benelux-energy-expertise-network",
            "gas-platform",
        )
    }
    assert energy_forums <= bodies
    roles = {}
    for r in rows:
        roles.setdefault(r["body"], set()).add(r.get("role"))
    assert {role("secretariat"), str(BX.hosts)} <= roles[bxr("pentalateral-energy-forum")]
    # "The Benelux Union remains dedicated to playing a key role in the North Seas Energy Cooperation partnership."
    assert role("participant") in roles[bxr("north-seas-energy-cooperation")]
    assert str(BX.hosts) in roles[bxr("north-seas-energy-cooperation")]  # the leaflet's "home of" (cwp-0030)
    assert str(BX.hosts) in roles[bxr("gas-platform")]


def test_advisory_bodies(run):
    # "... brought together to advise the Flemish-Dutch Scheldt Commission (VNSC) on a joint cross-border policy and
    # management of the Scheldt estuary"
    rows = run("advisory-bodies")
    assert (bxr("scheldt-council"), bxr("flemish-dutch-scheldt-commission")) in pairs(rows, "adviser", "advised")
    row = next(r for r in rows if r["adviser"] == bxr("scheldt-council"))
    assert bxr("secretariat-general") in row["chairs"].split()
    assert bxr("scheldt-estuary") in row["concerns"].split()


def test_predecessor_chain(run):
    # "In 1944, the Benelux Customs Union was thus established, which ... became the precursor to the present-day
    # Benelux Union"
    rows = run("predecessor-chain")
    assert col(rows, "predecessor") == {bxr("benelux-customs-union")}
    assert col(rows, "created") == {"1944"}


# The table of contents of the Joint Work Programme 2025-2028: central themes and their sections.
JWP_TOC = {
    "SECURITY, MIGRATION, JUDICIAL COOPERATION AND A RESILIENT SOCIETY": [
        "Cross-border security and crime control",
        "A coherent approach to migration",
        "Civil security, crisis management and a resilient society",
        "Cybersecurity and digital resilience",
    ],
    "ECONOMIC INTEGRATION, SOCIAL PROTECTION AND SUSTAINABLE GROWTH": [
        "Strengthening the single market",
        "Supporting SMEs",
        "Cross-border labour mobility",
        "Preserving industry and economic prosperity",
        "Joint vision for smart and sustainable mobility",
        "More sustainable and resilient logistics chains",
        "Digital archiving",
    ],
    "SUSTAINABLE DEVELOPMENT AND GREEN TRANSITION": [
        "The North Sea as a green energy source and vital infrastructure",
        "Energy and supply security",
        "Circular economy",
        "Resilience to natural disasters and water management",
        "Sustainable agriculture, food security and the future of the agricultural sector",
        "Nature conservation and biodiversity",
    ],
}
# The leaflet's five priorities and how many actions each lists.
CWP_PRIORITIES = {
    "A strong and sustainable Benelux internal market, contributing to a digital and green recovery": 5,
    "The ambition to achieve a common security space": 5,
    "A 'smart Benelux' that connects citizens and businesses": 3,
    "A platform for responsible cooperation, prepared to take concrete action": 4,
    "Ally of regional cooperation and European integration": 4,
}


def test_programme_structure_2025_2028(run):
    rows = run("programme-structure")
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r)
    central = by_kind[str(BX.CentralTheme)]
    assert {r["componentLabel"].casefold() for r in central} == {t.casefold() for t in JWP_TOC}
    assert {r["parent"] for r in central} == {JWP}
    label_of = {r["component"]: r["componentLabel"].casefold() for r in rows}
    sub = by_kind[str(BX.SubTheme)]
    got = {(label_of[r["parent"]], r["componentLabel"].casefold()) for r in sub}
    expected = {(c.casefold(), s.casefold()) for c, subs in JWP_TOC.items() for s in subs}
    assert got == expected
    chapters = {r["componentLabel"].casefold() for r in by_kind[str(BX.ProgrammeChapter)]}
    assert "benelux+ and beyond" in chapters
    assert all(r.get("parent") for r in rows), "every component has a parent"


def test_programme_structure_2021_2024(run):
    rows = run("programme-structure", programme=CWP)
    label_of = {r["component"]: r["componentLabel"] for r in rows}
    priorities = {r["componentLabel"] for r in rows if r["kind"] == str(BX.Priority)}
    assert priorities == set(CWP_PRIORITIES)
    assert {r["parent"] for r in rows if r["kind"] == str(BX.Priority)} == {CWP}
    actions = [r for r in rows if r["kind"] == str(BX.Action)]
    counts = {}
    for r in actions:
        counts[label_of[r["parent"]]] = counts.get(label_of[r["parent"]], 0) + 1
    assert counts == CWP_PRIORITIES


def test_components_by_theme(run):
    cyber = run("components-by-theme")
    assert col(cyber, "programme") == {JWP, CWP}
    assert "Cybersecurity and digital resilience" in col(cyber, "componentLabel")
    assert "Ensuring food safety and cybersecurity" in col(cyber, "componentLabel")
    energy = col(run("components-by-theme", theme="theme:energy"), "componentLabel")
    assert {"Energy and supply security", "The home of regional energy cooperation"} <= energy
    # Narrower themes count: police cooperation falls under security and crime control.
    security = col(run("components-by-theme", theme="theme:security-and-crime-control"), "componentLabel")
    assert "A renewed Benelux Policing Convention" in security


def test_partners_by_status(run):
    rows = run("partners-by-status")
    by_status = {}
    for r in rows:
        by_status.setdefault(r["status"], set()).add(r["partner"])
    assert bxr("benelux-union") not in col(rows, "partner")
    assert bxr("north-rhine-westphalia") in by_status[status("deepening")]
    # "the Benelux Union will strengthen cooperation with the Greater Region"; "strengthen ties with other regional
    # partners, including the Nordic Council and the Baltic States"
    assert {bxr("greater-region"), bxr("nordic-council"), bxr("baltic-states")} <= by_status[status("strengthening")]
    # "exploring opportunities for more intensive cooperation with Lower Saxony"; "New opportunities for
    # collaboration with France are also being explored"
    assert {bxr("lower-saxony"), bxr("france")} <= by_status[status("exploring")]


def test_label_lookup(run):
    assert col(run("label-lookup"), "label") == {"Benelux Unie"}
    assert "Union Benelux" in col(run("label-lookup", lang="fr"), "label")
    penta = run("label-lookup", entity="bxr:pentalateral-energy-forum", lang="en")
    got = {(r["label"], r["kind"]) for r in penta}
    assert ("Pentalateral Energy Forum", "preferred") in got
    assert ("Pentilateral Energy Forum", "alternative") in got  # the 2021-2024 leaflet's spelling


def test_regions_and_countries(run):
    rows = run("regions-and-countries")
    got = pairs(rows, "region", "country")
    for region, country in [
        ("north-rhine-westphalia", "germany"),
        ("lower-saxony", "germany"),
        ("hauts-de-france", "france"),
        ("wallonia", "belgium"),
        ("flanders", "belgium"),
        ("german-speaking-community", "belgium"),
    ]:
        assert (bxr(region), bxr(country)) in got
    kinds = {r["region"]: r["kind"] for r in rows}
    assert kinds[bxr("greater-region")] == str(BX.CrossBorderRegion)
    assert kinds[bxr("hauts-de-france")] == str(BX.AdministrativeRegion)
    assert kinds[bxr("north-rhine-westphalia")] == str(BX.FederatedEntity)


def test_initiative_supporters(run):
    rows = {r["initiative"]: r for r in run("initiative-supporters")}
    assert {
        bxr(i)
        for i in (
            "einstein-telescope",
            "benelux-strategic-mobility-agenda",
            "water-agenda",
            "misp",
            "ebsi",
            "charging-operator-registration-service",
        )
    } <= set(rows)
    assert rows[bxr("einstein-telescope")]["supporters"].split() == [bxr("secretariat-general")]
    assert rows[bxr("einstein-telescope")]["kind"] == str(BX.Project)
    assert rows[bxr("benelux-strategic-mobility-agenda")]["kind"] == str(BX.Agenda)
    assert rows[bxr("misp")]["kind"] == str(BX.Platform)


def test_cooperation_themes(run):
    # "This cooperation will focus on energy transition, mobility and transport, higher education, vocational
    # training, the economy, and the sustainable management of natural resources and agriculture."
    rows = run("cooperation-themes")
    assert col(rows, "theme") == {
        theme(t)
        for t in (
            "energy-transition",
            "mobility-and-transport",
            "higher-education",
            "vocational-training",
            "economy",
            "natural-resources",
            "agriculture",
        )
    }
    assert col(rows, "status") == {status("exploring")}


def test_legal_instruments(run):
    rows = {r["instrument"]: r for r in run("legal-instruments")}
    assert rows[bxr("joint-declaration-north-rhine-westphalia-2008")]["issued"] == "2008"
    assert rows[bxr("joint-declaration-north-rhine-westphalia-2019")]["issued"] == "2019"
    assert rows[bxr("memorandum-of-understanding-hauts-de-france-2018")]["issued"] == "2018"
    assert rows[bxr("eidas-2-regulation")]["issued"] == "2024"  # "the 2024 eIDAS 2.0 Regulation"
    plan = rows[bxr("action-plan-hauts-de-france")]
    assert plan["expectedSigningYear"] == "2025" and "issued" not in plan
    assert rows[bxr("benelux-police-treaty-second-tranche")]["partOf"] == bxr("benelux-police-treaty")
    assert rows[bxr("tfeu-article-350")]["partOf"] == bxr("tfeu")  # "Art. 350 of the Treaty on the Functioning ..."
    assert rows[bxr("joint-declaration-north-rhine-westphalia-2008")]["kind"] == str(BX.JointDeclaration)
    assert rows[bxr("benelux-treaty")]["kind"] == str(BX.Treaty)


def test_narrower_themes(run):
    security = col(run("narrower-themes"), "narrower")
    assert theme("police-cooperation") in security
    assert theme("migration") not in security
    energy = col(run("narrower-themes", theme="theme:energy"), "narrower")
    assert {theme("energy-security"), theme("energy-transition")} <= energy


def test_heads_of_units(run):
    rows = run("heads-of-units")
    assert (bxr("frans-weekers"), bxr("secretariat-general")) in pairs(rows, "person", "unit")
    row = next(r for r in rows if r["person"] == bxr("frans-weekers"))
    assert row["name"] == "Frans Weekers"
    assert row["role"] == role("secretary-general")
    assert row["organisation"] == bxr("benelux-union")


def test_every_query_has_a_seed_test():
    """Each saved query is exercised by name in one of the answer tests above."""
    source = Path(__file__).read_text(encoding="utf-8")
    answer_part = source[source.index("# Answers, from the seeds") :]
    untested = [p.stem for p in QUERY_FILES if f'"{p.stem}"' not in answer_part]
    assert not untested, f"no answer test for {untested}"


def test_fact_sources(run):
    # 2021-2024 leaflet: "Deep partnership with North Rhine-Westphalia" states the cooperation.
    rows = run(
        "fact-sources", subject="bxr:benelux-union", predicate="bx:cooperatesWith", object="bxr:north-rhine-westphalia"
    )
    cwp = [r for r in rows if r["source"] == CWP]
    assert [r["quote"] for r in cwp] == ["Deep partnership with North Rhine-Westphalia"]
    assert cwp[0]["period"] == bxr("period-2021-2024")
    assert cwp[0]["section"] == "Ally of regional cooperation and European integration"
    assert int(cwp[0]["end"]) - int(cwp[0]["start"]) == len("Deep partnership with North Rhine-Westphalia")
    # Common knowledge: Flanders lies in Belgium, after the NUTS classification (region BE2 of BE).
    rows = run("fact-sources", subject="bxr:flanders", predicate="bx:locatedIn", object="bxr:belgium")
    assert col(rows, "source") == {bxr("authority-nuts-2021")} and "quote" not in rows[0]
