"""A second SHACL engine agrees with pyshacl: Apache Jena's SHACL (Debian's libapache-jena-java, installed by
`make setup-jena`) gives the same results on the project's data (none: it conforms), on every invalid case of
tests/shapes/invalid/ and on the valid ones of tests/shapes/valid/, and the same verdict, so `validate`'s `conforms` is what the SHACL specification says.

Jena runs once for all cases (tests/engines/JenaShacl.java, a single-file Java program); its report graphs are
read with the same code as pyshacl's (validation.report_from_graph) and compared result by result: severity, focus
node, path and message.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import rdflib

from benelux_graph.validation import report_from_graph

ROOT = Path(__file__).resolve().parents[1]
SHAPES_TESTS = ROOT / "tests" / "shapes"
BASE = SHAPES_TESTS / "base.ttl"
INVALID = sorted((SHAPES_TESTS / "invalid").glob("*.ttl"))
VALID = sorted((SHAPES_TESTS / "valid").glob("*.ttl"))
JAVA_DIR = Path("/usr/share/java")
JARS = """jena-cmds jena-shacl jena-arq jena-core jena-base jena-iri jena-shex jena-rdfconnection jena-tdb jena-tdb2
    jena-dboe-base jena-dboe-index jena-dboe-storage jena-dboe-trans-data jena-dboe-transaction commons-cli
    commons-codec commons-compress commons-csv commons-io commons-lang3 dexx.collection gson guava httpclient
    httpcore jackson-core jackson-databind jackson-annotations jsonld-java jakarta.json-api protobuf slf4j-api
    slf4j-nop thrift titanium-json-ld""".split()

pytestmark = pytest.mark.skipif(
    not (JAVA_DIR / "jena-shacl.jar").exists() or shutil.which("java") is None,
    reason="Apache Jena is not installed: `make setup-jena` (Debian's libapache-jena-java)",
)


def classpath(tmp: Path) -> str:
    """Debian's jena-core moves Jena's copy of Xerces to the package `xerces` but leaves its message bundles under
    org/apache/jena/ext/xerces, so Jena fails at start ("internal error"): put a copy where the classes look."""
    fix = tmp / "xerces-messages"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        names = jar.namelist()
        if "xerces/impl/msg/XMLSchemaMessages.properties" not in names:
            prefix = "org/apache/jena/ext/"
            for name in names:
                if name.startswith(prefix + "xerces/") and name.endswith(".properties"):
                    target = fix / name.removeprefix(prefix)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    return ":".join([str(fix), *(str(JAVA_DIR / f"{j}.jar") for j in JARS)])


def keys(report) -> set[tuple]:
    """What both engines must agree on; blank nodes get new labels in each engine, so they compare as `_:`."""

    def node(text: str) -> str:
        return "_:" if text.startswith("_:") else text

    return {(r.severity, node(r.focus_node), r.path, r.message) for r in report.results}


@pytest.fixture(scope="module")
def jena(settings, tmp_path_factory) -> dict[str, rdflib.Graph]:
    """Jena's report graph for the project's data ("data") and for each invalid case (its stem)."""
    shapes = "|".join(str(p) for p in sorted(settings.shapes_dir.glob("*.ttl")))
    ontology = settings.ontology_dir / "benelux.ttl"
    runs = {"data": [ontology, *sorted(settings.data_dir.glob("*.ttl"))]}
    runs.update({case.stem: [ontology, BASE, case] for case in INVALID})
    runs.update({"valid/" + case.stem: [ontology, BASE, case] for case in VALID})
    lines = "".join(f"{shapes}\t{'|'.join(map(str, files))}\n" for files in runs.values())
    done = subprocess.run(
        ["java", "-cp", classpath(tmp_path_factory.mktemp("jena")), str(ROOT / "tests/engines/JenaShacl.java")],
        input=lines,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reports = done.stdout.split("#end\n")[:-1]
    assert len(reports) == len(runs), done.stderr[-3000:]
    return {name: rdflib.Graph().parse(data=text, format="nt") for name, text in zip(runs, reports, strict=True)}


@functools.cache
def shapes_graph(shapes_dir: Path) -> rdflib.Graph:
    """The shapes, parsed once (every case's report is read with them)."""
    shapes = rdflib.Graph()
    for p in sorted(shapes_dir.glob("*.ttl")):
        shapes.parse(p)
    return shapes


def jena_report(settings, graph: rdflib.Graph):
    return report_from_graph(graph, shapes_graph(settings.shapes_dir))


def conforms(graph: rdflib.Graph) -> bool:
    [verdict] = graph.objects(None, rdflib.SH.conforms)
    return verdict.toPython()


def test_jena_agrees_the_project_data_conforms(settings, jena, shacl_report):
    ours = shacl_report(None)
    theirs = jena_report(settings, jena["data"])
    assert conforms(jena["data"]) is True and ours.conforms is True
    assert keys(theirs) == keys(ours) == set()


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_jena_agrees_on_each_invalid_case(settings, jena, shacl_report, case):
    ours = shacl_report([BASE, case])
    theirs = jena_report(settings, jena[case.stem])
    assert conforms(jena[case.stem]) is ours.conforms is False
    assert keys(theirs) == keys(ours), (
        f"only pyshacl: {sorted(keys(ours) - keys(theirs))}\nonly Jena: {sorted(keys(theirs) - keys(ours))}"
    )


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_jena_agrees_each_valid_case_conforms(settings, jena, shacl_report, case):
    ours = shacl_report([BASE, case])
    theirs = jena_report(settings, jena["valid/" + case.stem])
    assert conforms(jena["valid/" + case.stem]) is ours.conforms is True
    assert keys(theirs) == keys(ours) == set()
