"""SECURITY.md maps every threat to its tests: each test it names exists, each threat names at least one, and
each test marked as a known gap in SECURITY.md is an xfail in the code (and the other way round)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "SECURITY.md"
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")


def table_rows() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Threats and the tests that prove each line", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and not line.startswith("| ---")]
    return [(cells[1].strip(), cells[2].strip()) for cells in (row.split("|") for row in rows[1:])]


def functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def is_xfail(node: ast.FunctionDef) -> bool:
    return any("xfail" in ast.unparse(d) for d in node.decorator_list)


def test_every_named_test_exists():
    references = REFERENCE.findall(DOC.read_text(encoding="utf-8"))
    assert len(references) > 40
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (ROOT / path).exists() or name not in functions(ROOT / path)
    ]
    assert missing == []


def test_every_threat_has_a_test():
    rows = table_rows()
    assert len(rows) >= 20
    for threat, tests in rows:
        assert REFERENCE.search(tests), threat


def test_known_gaps_are_the_xfail_tests():
    named_as_gap = set()
    for _, tests in table_rows():
        for part in tests.split(","):
            m = REFERENCE.search(part)
            if m and "(known gap)" in part:
                named_as_gap.add(m.group(0))
    xfails = {
        f"tests/reliability/{path.name}::{name}"
        for path in sorted((ROOT / "tests" / "reliability").glob("test_*.py"))
        for name, node in functions(path).items()
        if name.startswith("test_") and is_xfail(node)
    }
    undocumented = {x for x in xfails if x not in named_as_gap}
    assert undocumented == set()
    assert named_as_gap <= xfails
