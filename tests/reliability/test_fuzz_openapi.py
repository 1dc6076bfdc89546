"""Schemathesis against the application's own OpenAPI description (/openapi.json), every documented route, on a
real server: no 5xx, every status documented, and the body, content type and headers of each response as
documented. Every check runs on every route: the routes document each answer's status, media types and schema
(api/openapi.py builds them from the formats they negotiate), and POST /sparql and POST /validate their bodies.

CI form: FUZZ_EXAMPLES examples per route (default 25, about half a minute in all). Long form:
`FUZZ_EXAMPLES=500 python -m pytest tests/reliability/test_fuzz_openapi.py` (or `make fuzz`).
Survey form: `FUZZ_SURVEY=1 ...` records every failing (route, check) instead of failing, and prints them.

The check `positive_data_acceptance` (a request valid by the schema must get 2xx) is not run: most parameters
accept only the graph's own slugs and IRIs, which a schema cannot list; the one real defect it found (an empty
`format=` answered 406) has its own test in test_fuzz_inputs.py. HEAD is answered like GET on every GET route and
is not listed in the document (one operation, one id); test_head_answers_like_get covers it.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

# declared in the test extra (pyproject.toml); skipped, saying so, on a machine installed without them
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

pytestmark = pytest.mark.server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SURVEY = os.environ.get("FUZZ_SURVEY") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# A SPARQL query sent as the body itself (POST /sparql, application/sparql-query) is text on the wire.
schemathesis.serializer.alias("application/sparql-query", "text/plain")

SURVEYED: dict[str, set[str]] = defaultdict(set)


@pytest.fixture(scope="session")
def api_schema(live_server):
    return schemathesis.openapi.from_url(live_server.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_route_conforms(case):
    response = case.call(timeout=60)
    if not SURVEY:
        case.validate_response(response, checks=CHECKS)
        return
    not_a_server_error_only = [not_a_server_error]
    case.validate_response(response, checks=not_a_server_error_only)
    for check in CHECKS[1:]:
        try:
            case.validate_response(response, checks=[check])
        except (FailureGroup, AssertionError):
            SURVEYED[case.operation.label].add(check.__name__)


def test_operation_ids_are_unique(client):
    spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values() if isinstance(op, dict)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert not [path for path, ops in spec["paths"].items() if "head" in ops]


def test_head_answers_like_get(client):
    """Every documented GET route without path parameters: HEAD gives GET's status and headers, and no body."""
    spec = client.get("/openapi.json").json()
    paths = [path for path, ops in spec["paths"].items() if "get" in ops and "{" not in path]
    assert len(paths) > 20
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert (head.status_code, head.headers.get("content-type")) == (
            get.status_code,
            get.headers.get("content-type"),
        ), path
        assert head.content == b"", path


def teardown_module():
    if SURVEY and SURVEYED:
        print("\nKNOWN = {")
        for label in sorted(SURVEYED):
            print(f"    {label!r}: {sorted(SURVEYED[label])},")
        print("}")
