"""The lean path of /sparql (api/lean.py): GET, HEAD and POST of /sparql reach the endpoint without the routers,
through every middleware, with the same answers and errors; any other request is routed as before."""

from __future__ import annotations

import json
from urllib.parse import quote

from benelux_graph.api.app import create_app
from benelux_graph.api.lean import LeanSparql
from support.aio import run_async

ASK = quote("ASK { ?s ?p ?o }")


def lean_layer(stack) -> LeanSparql:
    layer = stack
    while not isinstance(layer, LeanSparql):
        layer = layer.app  # every layer keeps the next as `app`
    return layer


def call(app, method: str, target: str, headers: dict, body: bytes = b""):
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "127.0.0.1", **headers}.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent: list[dict] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    run_async(app(scope, receive, send))  # a thread of its own: browser tests keep a loop on the main thread
    head = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], head, b"".join(m.get("body", b"") for m in sent[1:])


def test_sparql_goes_past_the_routers_and_other_paths_through_them(settings, store):
    app = create_app(settings, store)
    app.middleware_stack = app.build_middleware_stack()  # the stack the requests below go through
    lean = lean_layer(app.middleware_stack)
    routed: list[str] = []
    router = lean.app  # the rest: ExceptionMiddleware, the routers

    async def counting(scope, receive, send):
        routed.append(scope["path"])
        await router(scope, receive, send)

    lean.app = counting
    accept = {"Accept": "application/sparql-results+json"}
    status, head, body = call(app, "GET", f"/sparql?query={ASK}", accept)
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    # the middlewares' headers are all there: service headers, CORS exposure, security, the cache's
    assert head["x-benelux-release"] == store.release and "total;dur=" in head["server-timing"]
    assert head["x-content-type-options"] == "nosniff" and head["etag"] and head["vary"].startswith("Accept")
    status, head, body = call(
        app, "POST", "/sparql", {**accept, "Content-Type": "application/x-www-form-urlencoded"}, f"query={ASK}".encode()
    )
    assert status == 200 and json.loads(body)["boolean"] is True
    status, head, body = call(app, "HEAD", f"/sparql?query={ASK}", accept)
    assert status == 200 and body == b""
    # an error is answered in the one shape by the application's handlers
    status, head, body = call(app, "GET", "/sparql?query=" + quote("SELECT WHERE {"), accept)
    assert status == 400 and json.loads(body)["error"]["type"] == "malformed-query"
    status, head, body = call(app, "GET", f"/sparql?query={ASK}&query={ASK}", accept)
    assert status == 400 and json.loads(body)["error"]["type"] == "bad-parameter"
    assert routed == []
    status, _, _ = call(app, "GET", "/healthz", {"Accept": "application/json"})
    status_put, _, body = call(app, "PUT", "/sparql", accept)
    assert routed == ["/healthz", "/sparql"] and status == 200 and status_put == 405


def test_a_request_does_not_look_for_opentelemetry_providers(settings, store, monkeypatch):
    """No OpenTelemetry SDK is installed: FastAPI's native telemetry, on by default, looked up three global
    providers on every request to find nothing configured (issue 15). It is off: no lookup per request."""
    from opentelemetry import _logs, metrics, trace

    looked: list[str] = []
    for module, name in (
        (trace, "get_tracer_provider"),
        (metrics, "get_meter_provider"),
        (_logs, "get_logger_provider"),
    ):
        original = getattr(module, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            looked.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    app = create_app(settings, store)
    status, _, _ = call(app, "GET", f"/sparql?query={ASK}", {"Accept": "application/sparql-results+json"})
    assert status == 200 and looked == []
