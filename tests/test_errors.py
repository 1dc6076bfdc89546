"""The one error table (errors.ERROR_TYPES): every type the code answers with is in it with its status, every
entry is used, every exception maps through it, and the README lists exactly it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from benelux_graph.api.errors import api_error
from benelux_graph.errors import ERROR_TYPES, EXCEPTION_TYPES, HTTP_TYPES, EngineError, QueryError

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {p: p.read_text(encoding="utf-8") for p in sorted((ROOT / "src" / "benelux_graph").rglob("*.py"))}
TYPE = r"[a-z]+(?:-[a-z]+)*"
#: A status, then (for a raw HTTP answer) its reason phrase, then the type: ApiError(400, "bad-parameter", ...),
#: ("error", 422, "validation-failed", ...), error_bytes(431, "Request Header Fields Too Large", "head-too-large").
#: (An error status is 4xx or 5xx; `"status": 400, "type"` is the shape's own example.)
RAISED = re.compile(rf'(?<!": )\b([45]\d\d),\s*(?:"[A-Z][^"]*",\s*)?"({TYPE})"')


def raised_in_code() -> set[tuple[str, int, str]]:
    return {
        (m.group(2), int(m.group(1)), f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}")
        for path, text in SOURCES.items()
        for m in RAISED.finditer(text)
    }


def test_the_code_raises_types():  # the scan below finds something to check
    assert len({t for t, _, _ in raised_in_code()}) >= 30


def test_every_type_the_code_answers_with_is_in_the_table_with_its_status():
    wrong = [
        f"{where}: {status} {type} (table: {ERROR_TYPES.get(type, ('missing',))[0]})"
        for type, status, where in sorted(raised_in_code())
        if ERROR_TYPES.get(type, (None,))[0] != status
    ]
    assert wrong == []


@pytest.mark.parametrize("type", sorted(ERROR_TYPES))
def test_every_type_of_the_table_is_used(type):
    uses = sum(text.count(f'"{type}"') for text in SOURCES.values())
    assert uses >= 2, f"{type} is only in the table: nothing answers with it"  # the table's own entry is one


@pytest.mark.parametrize("kind,type", EXCEPTION_TYPES, ids=[t for _, t in EXCEPTION_TYPES])
def test_each_exception_is_answered_with_the_status_and_type_of_the_table(kind, type):
    exc = kind("wrong here", 3, 7) if issubclass(kind, QueryError) else kind("wrong here")
    error = api_error(exc)
    assert (error.status, error.type) == (ERROR_TYPES[type][0], type)
    assert "wrong here" in error.message


@pytest.mark.parametrize("status,type", sorted(HTTP_TYPES.items()))
def test_http_errors_are_answered_with_the_type_of_their_status(status, type):
    error = api_error(HTTPException(status, "detail"))
    assert (error.status, error.type) == (status, type) and ERROR_TYPES[type][0] == status


def test_the_other_errors():
    assert (api_error(EngineError("busy")).status, api_error(EngineError("busy")).type) == (503, "engine-unavailable")
    assert api_error(HTTPException(418, "teapot")).type == "http-error"
    assert api_error(RequestValidationError([])).type == "bad-request"
    unexpected = api_error(RuntimeError("secret detail"))
    assert (unexpected.status, unexpected.type) == (500, "internal-error") and "secret" not in unexpected.message


def test_the_readme_lists_every_type_with_its_status_and_meaning():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- errors:start -->")[1].split("<!-- errors:end -->")[0]
    rows = re.findall(rf"^\| `({TYPE})` \| (\d+) \| (.+) \|$", block, re.MULTILINE)
    assert {t: (int(s), m) for t, s, m in rows} == ERROR_TYPES


def test_virtuosos_ways_of_saying_a_query_ran_past_its_time_are_timeouts():
    """HY008 SR203 (the statement cancelled at its limit) came as a plain remote error once in CI."""
    from benelux_graph.remote import is_timeout_message

    assert is_timeout_message("Virtuoso HY008 Error SR203: Async statement killed by SQLCancel.")
    assert is_timeout_message("Virtuoso S1TAT Error SR171: Transaction timed out")
    assert not is_timeout_message("Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error")
