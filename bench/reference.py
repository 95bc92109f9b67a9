"""A plain Starlette JSON endpoint serving a fixed payload: the reference for the HTTP benchmarks.

`BENCH_PAYLOAD_FILE` names a file whose bytes are served as application/json at `/`.
"""

import os
import pathlib

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_PAYLOAD = pathlib.Path(os.environ.get("BENCH_PAYLOAD_FILE", "/dev/null")).read_bytes()


async def payload(request: Request) -> Response:
    return Response(_PAYLOAD, media_type="application/json")


app = Starlette(routes=[Route("/", payload, methods=["GET", "POST"])])
