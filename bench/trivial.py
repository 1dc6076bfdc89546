"""The HTTP ceiling: a trivial FastAPI route, served by uvicorn with the same settings as `benelux-graph serve`.

uvicorn --app-dir bench trivial:app --workers N
"""

from fastapi import FastAPI
from starlette.responses import Response

app = FastAPI()
BODY = b'{"head":{},"boolean":true}'


@app.get("/sparql")
async def sparql() -> Response:
    return Response(BODY, media_type="application/sparql-results+json")
