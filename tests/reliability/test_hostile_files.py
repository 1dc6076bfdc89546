"""Hostile files given to `benelux-graph validate` and to POST /validate: broken syntax, billion laughs and
external entities in RDF/XML, JSON-LD with remote contexts (never fetched: a canary on another loopback port
receives nothing), huge literals, invalid UTF-8. Each is refused or reported with where and why, quickly, with
nothing read or fetched."""

from __future__ import annotations

import json
import os
import subprocess
import time

import httpx
import pytest

pytestmark = pytest.mark.server

PREFIXES = (
    "@prefix bx: <https://w3id.org/benelux-graph/ontology#> .\n"
    "@prefix bxr: <https://w3id.org/benelux-graph/id/> .\n"
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
)
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <rdf:Description rdf:about="https://w3id.org/benelux-graph/id/laughs"><skos:prefLabel>&lol9;</skos:prefLabel>
  </rdf:Description>
</rdf:RDF>
"""


def external_entity(target: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{target}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <rdf:Description rdf:about="https://w3id.org/benelux-graph/id/xxe"><skos:prefLabel>&xxe;</skos:prefLabel>
  </rdf:Description>
</rdf:RDF>
"""


def hostile_documents(canary_url: str) -> dict[str, bytes]:
    return {
        "broken-syntax.ttl": (PREFIXES + 'bxr:x a bx:Forum ;\n  skos:prefLabel "open@en .\n').encode(),
        "billion-laughs.rdf": BILLION_LAUGHS.encode(),
        "external-file.rdf": external_entity("file:///etc/passwd").encode(),
        "external-http.rdf": external_entity(canary_url + "/xxe").encode(),
        "billion-laughs.ttl": BILLION_LAUGHS.encode(),  # RDF/XML under a Turtle name
        "huge-literal.ttl": (PREFIXES + 'bxr:x skos:prefLabel "' + "x" * 3_000_000 + '"@en .\n').encode(),
        "invalid-utf8.ttl": (PREFIXES + 'bxr:x skos:prefLabel "').encode() + b"\xff\xfe\xc3(" + b'"@en .\n',
        "remote-context.jsonld": json.dumps(
            {"@context": canary_url + "/context.jsonld", "@id": "bxr:x", "name": "x"}
        ).encode(),
    }


@pytest.mark.parametrize("name", list(hostile_documents("http://127.0.0.1:1")))
def test_validate_command_refuses_hostile_files(tmp_path, canary, settings, name):
    path = tmp_path / name
    path.write_bytes(hostile_documents(canary.url)[name])
    start = time.monotonic()
    done = subprocess.run(
        ["benelux-graph", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "BENELUX_ROOT": str(settings.root)},
    )
    seconds = time.monotonic() - start
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert "root:" not in output and "CANARY" not in output and "lollollol" not in output
    if name == "huge-literal.ttl":  # well-formed: validated (a report), the literal not echoed whole
        assert done.returncode in (0, 1), output[-500:]
        assert len(output) < 200_000
    else:
        assert done.returncode == 2, output[-500:]
        assert output.startswith("error: ") and name in output, output[:300]
        assert ":" in output.split(name, 1)[1][:12] or name.endswith((".rdf", ".jsonld")), output[:300]
    assert seconds < 120
    time.sleep(0.2)
    assert canary.requests == []


@pytest.mark.parametrize("name", list(hostile_documents("http://127.0.0.1:1")))
def test_validate_route_refuses_hostile_bodies(client, canary, name):
    body = hostile_documents(canary.url)[name]
    content_type = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}[
        name.rsplit(".", 1)[1]
    ]
    r = client.post("/validate", content=body, headers={"content-type": content_type, "accept": "application/json"})
    assert r.status_code in (400, 413, 415), (r.status_code, r.text[:300])
    error = r.json()["error"]
    assert error["status"] == r.status_code
    assert "root:" not in r.text and "CANARY" not in r.text and "lollollol" not in r.text
    if name == "broken-syntax.ttl":
        assert error["line"] == 5 and error["column"]
    if name == "remote-context.jsonld":
        assert error["type"] == "remote-context"
    # also as the form of the /validate page
    syntax = "jsonld" if name.endswith(".jsonld") else "turtle"
    r = client.post(
        "/validate", data={"data": body.decode("utf-8", "replace"), "syntax": syntax}, headers={"accept": "text/html"}
    )
    # (a form carries text: invalid bytes arrive as replacement characters, a well-formed contribution)
    assert r.status_code in ((200, 400) if name == "invalid-utf8.ttl" else (400, 413)), r.status_code
    assert "lollollol" not in r.text and "root:x" not in r.text
    time.sleep(0.2)
    assert canary.requests == []


def test_jsonld_scoped_and_nested_remote_contexts_are_never_fetched(client, canary):
    documents = [
        {"@context": [canary.url + "/a.jsonld"], "@id": "https://w3id.org/benelux-graph/id/x"},
        {"@context": {"@import": canary.url + "/b.jsonld"}, "@id": "https://w3id.org/benelux-graph/id/x"},
        {
            "@context": {"p": {"@id": "http://x/p", "@context": canary.url + "/c.jsonld"}},
            "@id": "https://w3id.org/benelux-graph/id/x",
            "p": {"q": 1},
        },
        {"@graph": [{"@context": canary.url + "/d.jsonld", "@id": "https://w3id.org/benelux-graph/id/x"}]},
        {"@context": {"@base": canary.url + "/"}, "@id": "x", "http://x/p": {"@id": "y"}},
    ]
    for doc in documents:
        r = client.post("/validate", content=json.dumps(doc), headers={"content-type": "application/ld+json"})
        assert r.status_code in (200, 400), (doc, r.text[:300])
    time.sleep(0.3)
    assert canary.requests == []


def test_a_body_over_the_limit_is_413_before_parsing(capped_server):
    r = httpx.post(capped_server.url + "/validate", content=b"#" * 5_000, headers={"content-type": "text/turtle"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "body-too-large"
