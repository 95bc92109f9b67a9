"""The facade's own time per request, without a server: the ASGI app called directly.

Run: .venv/bin/python -m bench.inprocess [--requests N]

The app is built as in production (SMSC credentials, a client token, text logs at INFO written
to /dev/null), with the emulator in process behind it. Prints microseconds per request for:
- a plain Starlette endpoint serving 1.6 KB (the floor: Starlette itself);
- a repeated cached `GET /v1/templates` and a repeated cached GraphQL `templates` query;
- a GraphQL query repeated with a new variable each time (a kept document, not a kept answer).
"""

import argparse
import asyncio
import contextlib
import json
import os
import pathlib
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.emulator.app import create_emulator
from facade.observability import logs
from facade.settings import SANDBOX_LOGIN, SANDBOX_PASSWORD, Settings

TEMPLATES = {"query": "{ templates { id name message format sender autoSign } }"}
BY_ID = "query T($id: ID!) { template(id: $id) { id name } groups { id name } }"
PAYLOAD = b"x" * 1600


async def _plain(_: Request) -> Response:
    return Response(PAYLOAD, media_type="application/json")


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"facade"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }


def caller(
    app: ASGIApp, method: str, path: str, headers: list[tuple[bytes, bytes]]
) -> Callable[[bytes], Awaitable[None]]:
    """One request to `app` with `body`, checked to answer 200."""

    async def call(body: bytes) -> None:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        length = [(b"content-length", str(len(body)).encode())] if body else []
        await app(_scope(method, path, [*headers, *length]), receive, send)
        assert sent[0]["status"] == 200, sent

    return call


async def per_request(call: Callable[[bytes], Awaitable[None]], bodies: list[bytes]) -> float:
    """Microseconds per request over `bodies`, after a warm-up with the first."""
    for _ in range(20):
        await call(bodies[0])
    started = time.perf_counter()
    for body in bodies:
        await call(body)
    return (time.perf_counter() - started) / len(bodies) * 1e6


async def measure(requests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings.from_env(
            {
                "SMSC_LOGIN": SANDBOX_LOGIN,
                "SMSC_PASSWORD": SANDBOX_PASSWORD,
                "SMSC_BASE_URL": "http://smsc.bench",
                "FACADE_DATA_DIR": data_dir,
            }
        )
        store = TokenStore.in_dir(pathlib.Path(data_dir))
        token = store.issue("bench", scopes=[Scope.READ], account="default").token
        logs.configure("INFO", "text")
        emulator = create_emulator(seed="demo")
        app = create_app(settings, upstream_transport=httpx.ASGITransport(app=emulator))
        auth = (b"authorization", b"Bearer " + token.encode())
        accept = (b"accept", b"application/json")
        graphql_headers = [auth, accept, (b"content-type", b"application/json")]
        plain = Starlette(routes=[Route("/", _plain)])
        async with app.router.lifespan_context(app):
            results = {
                "plain Starlette, 1.6 KB": await per_request(
                    caller(plain, "GET", "/", [accept]), [b""] * requests
                ),
                "cached GET /v1/templates": await per_request(
                    caller(app, "GET", "/v1/templates", [auth, accept]), [b""] * requests
                ),
                "cached GraphQL templates": await per_request(
                    caller(app, "POST", "/graphql", graphql_headers),
                    [json.dumps(TEMPLATES).encode()] * requests,
                ),
                "GraphQL, a new variable each time": await per_request(
                    caller(app, "POST", "/graphql", graphql_headers),
                    [
                        json.dumps({"query": BY_ID, "variables": {"id": str(i)}}).encode()
                        for i in range(1000, 1000 + requests)
                    ],
                ),
            }
        store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    requests = parser.parse_args().requests
    # The access log goes where production's would, here to nowhere: its cost is measured.
    with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
        results = asyncio.run(measure(requests))
    print(f"in process, production configuration, {requests} requests each:")
    for name, micros in results.items():
        print(f"  {name:36} {micros:8.0f} us/request")


if __name__ == "__main__":
    main()
