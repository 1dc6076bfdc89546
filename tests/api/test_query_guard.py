"""The reading of a query text before it runs: form, FROM, and what is refused, with line and column."""

from __future__ import annotations

import time

import pytest

from benelux_graph.errors import QueryRefused
from benelux_graph.sparql_text import MAX_DEPTH, inspect_query, maybe_star, star_projection, tokens

ALLOW = ("http://127.0.0.1:9/sparql",)


@pytest.mark.parametrize(
    "text, form",
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("PREFIX ex: <http://e/>\nask { ex:a ?p ?o }", "ASK"),
        ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://e/a>", "DESCRIBE"),
    ],
)
def test_form(text, form):
    assert inspect_query(text).form == form


def test_from_is_seen_outside_strings_and_iris():
    assert inspect_query("SELECT * FROM <http://g/> { ?s ?p ?o }").has_dataset
    assert inspect_query("SELECT * FROM NAMED <http://g/> { GRAPH ?g { ?s ?p ?o } }").has_dataset
    assert not inspect_query('SELECT * { ?s ?p "FROM" . ?s <http://e/FROM> ?o } # FROM').has_dataset


@pytest.mark.parametrize(
    "text, word, line, column",
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT", 1, 1),
        ("PREFIX ex: <http://e/>\n  DELETE WHERE { ?s ?p ?o }", "DELETE", 2, 3),
        ("LOAD <file:///etc/passwd>", "LOAD", 1, 1),
        ("CLEAR ALL", "CLEAR", 1, 1),
        ("DROP GRAPH <http://g/>", "DROP", 1, 1),
        ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", 1, 1),
        ("SELECT * { ?s ?p ?o } ; insert data { <http://a> <http://b> 1 }", "insert", 1, 25),
    ],
)
def test_updates_are_refused_with_their_position(text, word, line, column):
    with pytest.raises(QueryRefused) as e:
        inspect_query(text)
    assert word.upper() in e.value.message and "read-only" in e.value.message
    assert (e.value.line, e.value.column) == (line, column)


def test_update_words_in_strings_iris_and_names_are_not_updates():
    text = 'SELECT * { ?s <http://e/insert> "DELETE" ; ex:load ?drop } # CLEAR'
    assert inspect_query(text, prefixes={"ex": "http://e/"}).form == "SELECT"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * { ?a ?b ?c SERVICE # a comment\n <http://x/> { ?s ?p ?o } }",
        "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
        "PREFIX c: <http://127.0.0.1:9/> SELECT * { FILTER(1<2)SERVICE c:sparql#>\n{ ?s ?p ?o } }",
        # a less-than sign that reads as the start of an IRI hides the word from the tokenizer: still refused
        "PREFIX : <http://127.0.0.1:9/> SELECT * { FILTER(1<2)SERVICE:sparql#>\n{ ?s ?p ?o } }",
    ],
)
def test_service_is_refused_by_default(text):
    with pytest.raises(QueryRefused) as e:
        inspect_query(text)
    assert "SERVICE" in e.value.message and e.value.line is not None


def test_service_words_in_names_strings_and_iris_are_not_calls():
    text = 'SELECT * { ?s a bx:Service ; <http://e/service> "service" ; bx:serviceOf ?o } # service\n'
    assert inspect_query(text, prefixes={"bx": "http://b/"}).services == []


def test_allow_listed_service_is_accepted_by_iri_or_prefixed_name():
    assert inspect_query(f"SELECT * {{ SERVICE <{ALLOW[0]}> {{ ?s ?p ?o }} }}", ALLOW).services == list(ALLOW)
    text = "PREFIX r: <http://127.0.0.1:9/> SELECT * { SERVICE SILENT r:sparql { ?s ?p ?o } }"
    assert inspect_query(text, ALLOW).services == list(ALLOW)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://elsewhere/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE ?e { ?s ?p ?o } }",
        # with an allow-list, any standalone SERVICE the tokenizer did not read as a call is refused
        f"PREFIX : <{ALLOW[0][:-6]}> SELECT * {{ FILTER(1<2)SERVICE:sparql#>\n{{ ?s ?p ?o }} }}",
        f'SELECT * {{ SERVICE <{ALLOW[0]}> {{ ?s ?p "a service" }} }}',
    ],
)
def test_allow_list_refuses_everything_else(text):
    with pytest.raises(QueryRefused):
        inspect_query(text, ALLOW)


# --- linear time ---------------------------------------------------------------------------------------------

HOSTILE = {  # each about 60 KB (the size limit is 64 KB); a quadratic reading took 1 to 20 s on these
    "dotted-names": "SELECT * { " + "a." * 30_000 + " }",
    "dashed-names": "SELECT * { " + "a-" * 30_000 + " }",
    "open-strings": "SELECT * { " + "'\\" * 30_000 + " }",
    "open-double-strings": "SELECT * { " + '"\\' * 30_000 + " }",
    "open-long-strings": "SELECT * { " + "'''\\" * 15_000 + " }",
    "open-iris": "SELECT * { " + "<a" * 30_000 + " }",
    "service-in-strings": "SELECT * { ?s ?p " + "'service' , " * 5_000 + "1 }",
    "nesting": "ASK { FILTER(" + "(" * 30_000 + "1" + ")" * 30_000 + ") }",
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_the_guard_reads_any_text_in_linear_time(kind):
    # CPU time of this thread, not the wall clock: on a shared machine the wall clock also counts the time spent
    # waiting for a core (3-4 s under a load of 15 on 2 cores), which says nothing about the guard's work
    start = time.thread_time()
    try:
        inspect_query(HOSTILE[kind])
    except QueryRefused:
        pass
    assert time.thread_time() - start < 3.0  # linear: ~50 ms; quadratic: 9-15 s


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "a.b-c:d.e f.g-h",
            [("pname", "a.b-c:d.e"), ("word", "f"), ("other", "."), ("word", "g"), ("other", "-"), ("word", "h")],
        ),
        ("x.1y:z", [("pname", "x.1y:z")]),
        ("'a\\'b' \"c'd\" '''e''f'''", [("string", "'a\\'b'"), ("string", '"c\'d"'), ("string", "'''e''f'''")]),
        ("'a\\' INSERT", [("other", "'"), ("word", "a"), ("other", "\\"), ("other", "'"), ("word", "INSERT")]),
        ("'''a ''", [("string", "''"), ("string", "'a '"), ("other", "'")]),  # a long string never closed
        (
            "<http://x/\\u0041#b> <a b>",
            [("iri", "<http://x/\\u0041#b>"), ("other", "<"), ("word", "a"), ("word", "b"), ("other", ">")],
        ),
    ],
)
def test_tokens(text, expected):
    assert [(t.kind, t.text) for t in tokens(text)] == expected


# --- nesting -------------------------------------------------------------------------------------------------


def test_nesting_up_to_the_limit_is_accepted():
    assert inspect_query("ASK { FILTER(" + "(" * (MAX_DEPTH - 2) + "1" + ")" * (MAX_DEPTH - 2) + ") }").form
    assert inspect_query("ASK { FILTER(" + "!" * (MAX_DEPTH - 2) + "true) }").form
    brackets = "(" * 100 + "[" * 100 + "{" * 100
    assert inspect_query(f'ASK {{ ?s ?p "{brackets}" }} # {brackets}\n').form  # strings and comments: no levels


@pytest.mark.parametrize(
    "text, depth, column",
    [
        ("ASK { FILTER(" + "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH + ") }", MAX_DEPTH + 2, 13 + MAX_DEPTH - 1),
        ("SELECT * {\n" + "{ " * MAX_DEPTH + "}" * MAX_DEPTH + " }", MAX_DEPTH + 1, 2 * MAX_DEPTH - 1),
        ("ASK { FILTER(" + "!" * 500 + "true) }", 502, 13 + MAX_DEPTH - 1),
        ("ASK { FILTER(" + "!(" * 40 + "true" + ")" * 41 + " }", 82, 13 + MAX_DEPTH - 1),
        ("SELECT * { ?s ?p " + "[ ?p " * 100 + "1" + " ]" * 100 + " }", 101, 18 + 5 * (MAX_DEPTH - 1)),
        # a less-than sign that reads as an IRI's start: what is inside counts
        ("ASK { FILTER(?a<" + "(" * 100 + "1" + ")" * 100 + ">0) }", 102, 16 + MAX_DEPTH - 1),
    ],
)
def test_deeper_nesting_is_refused_with_the_depth_and_the_limit(text, depth, column):
    with pytest.raises(QueryRefused) as e:
        inspect_query(text)
    assert f"nested {depth} levels deep" in e.value.message and f"at most {MAX_DEPTH}" in e.value.message
    assert e.value.column == column


# --- readings that part --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # a codepoint escape in an IRI: once read as a backslash, `#` hid the rest of the line
        "SELECT * { <http://x/\\u0041#> ?p ?o . SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        # `<2)'>` read as an IRI: the quote then opened a string that hid SERVICE, where Oxigraph read `'>'`
        "SELECT * { FILTER(1<2)'>' ?p ?o . SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } ?x ?y '' }",
        # ... or hid a nesting that overflows Oxigraph's stack
        "SELECT * { FILTER(1<2)'>' <http://x/p> " + "(" * 9_000 + "1" + ")" * 9_000 + " . ?x ?y '' }",
        "SELECT * { FILTER(?a<b#>\n SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_a_text_read_two_ways_is_refused(text):
    with pytest.raises(QueryRefused) as e:
        inspect_query(text)
    assert e.value.line is not None


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { VALUES (?a ?b) { (<http://x/#a> <http://x/#b>) } }",
        "SELECT * { ?s ?p (?a <http://x/#b> 'c') . ?s (<http://x/#p>/<http://x/#q>)* ?o }",
        "SELECT (COUNT(DISTINCT <http://x/#a>) AS ?n) { ?s ?p ?o } ORDER BY ?n <http://x/#f>(?n)",
        "SELECT * { BIND(<<( <http://x/#a> <http://x/#b> <http://x/#c> )>> AS ?t) }",
        "SELECT * { ?s <http://x/#p> ?o FILTER(?o < 'b#' && ?o > 'a' && ?o IN (<http://x/#a>, <http://x/#b>)) }",
        "SELECT * { { SELECT ?s (COUNT(?o) AS ?n) { ?s <http://x/#p> ?o } GROUP BY ?s HAVING (?n > 1) } }",
    ],
)
def test_iris_with_quotes_or_hashes_elsewhere_are_accepted(text):
    assert inspect_query(text).form == "SELECT"


# --- SELECT * ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SELECT * { ?b ?a ?c }", ["b", "a", "c"]),
        ("select # the variables *\n  distinct # all of them\n * { ?b ?a }", ["b", "a"]),
        ("PREFIX : <http://e/#> SELECT\tREDUCED* { ?z :p ?y }", ["z", "y"]),
        ("SELECT ?a { ?a <http://e/p>* ?b }", None),  # a path's star
        ("SELECT # *\n ?a { ?a ?b ?c }", None),  # a star in a comment
        ("SELECT ?a { { SELECT * { ?a ?b ?c } } }", None),  # a subquery's star
        ("# SELECT *\nASK { ?s ?p ?o }", None),
    ],
)
def test_star_projection(text, expected):
    found = star_projection(text)
    assert (found and list(found[1])) == expected
    assert maybe_star(text) or expected is None  # the quick check never rules out a SELECT *


@pytest.mark.parametrize("text", ["SELECT #" * 8_000, "SELECT " * 10_000, "SELECT" + " " * 60_000 + "#" * 60_000])
def test_the_select_star_check_takes_linear_time(text):
    start = time.thread_time()
    maybe_star(text)
    assert time.thread_time() - start < 0.5  # linear: ~7 ms; searched from every SELECT of a comment: ~1 s
