"""Accept headers with q-values, the `format` parameter, and 406 when nothing fits."""

from __future__ import annotations

import pytest

from benelux_graph.api.negotiation import GRAPHS, HTML, RESULTS, choose, negotiate, parse_accept


def name(fmt):
    return fmt.name if fmt else None


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("application/sparql-results+xml", "xml"),
        ("application/json", "json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "xml"),
        ("text/csv;q=0.9, application/sparql-results+xml;q=0.5", "csv"),
        ("*/*;q=0.1, text/tab-separated-values", "tsv"),
        ("text/*", "csv"),
        ("text/*;q=0.3, application/*;q=0.2", "csv"),
        ("application/sparql-results+json;q=0, */*", "xml"),
        ("text/turtle", None),
        ("image/png, text/html;q=0.9", None),
    ],
)
def test_results_negotiation(accept, expected):
    assert name(negotiate(accept, RESULTS)) == expected


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "turtle"),
        ("application/ld+json", "jsonld"),
        ("application/json", "jsonld"),
        ("application/rdf+xml;q=0.8, application/n-triples", "ntriples"),
        ("application/trig", "trig"),
        ("text/n3", "turtle"),
        ("application/sparql-results+json", None),
    ],
)
def test_graph_negotiation(accept, expected):
    assert name(negotiate(accept, GRAPHS)) == expected


def test_the_most_specific_range_gives_the_q_value():
    ranges = parse_accept("text/*;q=0.9, text/csv;q=0.1")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "*", 0.9), ("text", "csv", 0.1)]
    assert name(negotiate("text/*;q=0.9, text/csv;q=0.1", RESULTS)) == "tsv"


def test_a_browser_gets_html_and_a_machine_gets_turtle():
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    assert negotiate(browser, GRAPHS + (HTML,)) is HTML
    assert name(negotiate("*/*", GRAPHS + (HTML,))) == "turtle"


@pytest.mark.parametrize(
    "values, results, graphs",
    [
        (["json"], "json", "jsonld"),
        (["xml"], "xml", "rdfxml"),
        (["csv"], "csv", None),
        (["tsv", "text/tab-separated-values"], "tsv", None),
        (["turtle"], None, "turtle"),
        (["json-ld", "application/ld+json"], None, "jsonld"),
        (["rdf+xml"], None, "rdfxml"),
        (["nonsense"], None, None),
    ],
)
def test_format_parameter_wins_over_accept(values, results, graphs):
    assert name(choose("text/csv", values, RESULTS)) == results
    assert name(choose("text/csv", values, GRAPHS)) == graphs
