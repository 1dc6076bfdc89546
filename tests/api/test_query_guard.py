"""The reading of a query text before it runs: form, FROM, and what is refused, with line and column."""

from __future__ import annotations

import pytest

from benelux_graph.api.guard import inspect_query
from benelux_graph.errors import QueryRefused

ALLOW = ("http://127.0.0.1:9/sparql",)


@pytest.mark.parametrize("text, form", [
    ("SELECT * { ?s ?p ?o }", "SELECT"),
    ("PREFIX ex: <http://e/>\nask { ex:a ?p ?o }", "ASK"),
    ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://e/a>", "DESCRIBE"),
])
def test_form(text, form):
    assert inspect_query(text).form == form


def test_from_is_seen_outside_strings_and_iris():
    assert inspect_query("SELECT * FROM <http://g/> { ?s ?p ?o }").has_dataset
    assert inspect_query("SELECT * FROM NAMED <http://g/> { GRAPH ?g { ?s ?p ?o } }").has_dataset
    assert not inspect_query('SELECT * { ?s ?p "FROM" . ?s <http://e/FROM> ?o } # FROM').has_dataset


@pytest.mark.parametrize("text, word, line, column", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT", 1, 1),
    ("PREFIX ex: <http://e/>\n  DELETE WHERE { ?s ?p ?o }", "DELETE", 2, 3),
    ("LOAD <file:///etc/passwd>", "LOAD", 1, 1),
    ("CLEAR ALL", "CLEAR", 1, 1),
    ("DROP GRAPH <http://g/>", "DROP", 1, 1),
    ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", 1, 1),
    ("SELECT * { ?s ?p ?o } ; insert data { <http://a> <http://b> 1 }", "insert", 1, 25),
])
def test_updates_are_refused_with_their_position(text, word, line, column):
    with pytest.raises(QueryRefused) as e:
        inspect_query(text)
    assert word.upper() in e.value.message and "read-only" in e.value.message
    assert (e.value.line, e.value.column) == (line, column)


def test_update_words_in_strings_iris_and_names_are_not_updates():
    text = 'SELECT * { ?s <http://e/insert> "DELETE" ; ex:load ?drop } # CLEAR'
    assert inspect_query(text, prefixes={"ex": "http://e/"}).form == "SELECT"


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { ?a ?b ?c SERVICE # a comment\n <http://x/> { ?s ?p ?o } }",
    "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX c: <http://127.0.0.1:9/> SELECT * { FILTER(1<2)SERVICE c:sparql#>\n{ ?s ?p ?o } }",
    # a less-than sign that reads as the start of an IRI hides the word from the tokenizer: still refused
    "PREFIX : <http://127.0.0.1:9/> SELECT * { FILTER(1<2)SERVICE:sparql#>\n{ ?s ?p ?o } }",
])
def test_service_is_refused_by_default(text):
    with pytest.raises(QueryRefused) as e:
        inspect_query(text)
    assert "SERVICE" in e.value.message and e.value.line is not None


def test_service_words_in_names_strings_and_iris_are_not_calls():
    text = ('SELECT * { ?s a bx:Service ; <http://e/service> "service" ; bx:serviceOf ?o } # service\n')
    assert inspect_query(text, prefixes={"bx": "http://b/"}).services == []


def test_allow_listed_service_is_accepted_by_iri_or_prefixed_name():
    assert inspect_query(f"SELECT * {{ SERVICE <{ALLOW[0]}> {{ ?s ?p ?o }} }}", ALLOW).services == list(ALLOW)
    text = "PREFIX r: <http://127.0.0.1:9/> SELECT * { SERVICE SILENT r:sparql { ?s ?p ?o } }"
    assert inspect_query(text, ALLOW).services == list(ALLOW)


@pytest.mark.parametrize("text", [
    "SELECT * { SERVICE <http://elsewhere/sparql> { ?s ?p ?o } }",
    "SELECT * { SERVICE ?e { ?s ?p ?o } }",
    # with an allow-list, any standalone SERVICE the tokenizer did not read as a call is refused
    f"PREFIX : <{ALLOW[0][:-6]}> SELECT * {{ FILTER(1<2)SERVICE:sparql#>\n{{ ?s ?p ?o }} }}",
    f'SELECT * {{ SERVICE <{ALLOW[0]}> {{ ?s ?p "a service" }} }}',
])
def test_allow_list_refuses_everything_else(text):
    with pytest.raises(QueryRefused):
        inspect_query(text, ALLOW)
