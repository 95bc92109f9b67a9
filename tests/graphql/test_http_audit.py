"""The graphql-http server audits (all of them, warnings included) against a live `/graphql`.

A real uvicorn on loopback serves `GraphQLView` over `create_schema()`; `node --test` runs
`tests/graphql_http_audit/audit.test.mjs` against it. `make audit-deps` installs the audit suite.
"""

import contextlib
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from facade.graphql.context import Context
from facade.graphql.http import GraphQLView
from facade.graphql.schema import create_schema
from tests.loopback import free_port
from tests.upstream.harness import harness

AUDIT_DIR = Path(__file__).parents[1] / "graphql_http_audit"
STARTUP_TIMEOUT = 10.0
AUDIT_TIMEOUT = 60.0


def audit_app() -> Starlette:
    upstream = harness()

    async def context(_: Request) -> Context:
        return Context(smsc=upstream.client)

    view = GraphQLView(create_schema(), context_getter=context)
    return Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"])])


@contextlib.contextmanager
def serving(app: Any, port: int) -> Iterator[str]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", ws="none", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            assert thread.is_alive(), "uvicorn exited before it started"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_every_graphql_http_audit_passes() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for the graphql-http audits"
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), "run `make audit-deps` first"
    with serving(audit_app(), free_port()) as url:
        finished = subprocess.run(  # noqa: S603 - node running our own audit file
            [node, "--test", "--test-reporter=tap", "audit.test.mjs"],
            cwd=AUDIT_DIR,
            env={**os.environ, "GRAPHQL_HTTP_AUDIT_URL": url},
            capture_output=True,
            text=True,
            timeout=AUDIT_TIMEOUT,
            check=False,
        )
    failing = [line for line in finished.stdout.splitlines() if line.lstrip().startswith("not ok")]
    report = "\n".join(
        ["failing audits:", *failing, finished.stdout[-4000:], finished.stderr[-2000:]]
    )
    assert not failing, report
    assert finished.returncode == 0, report
    counts = dict(re.findall(r"^# (tests|pass) (\d+)$", finished.stdout, re.MULTILINE))
    assert counts.get("tests", "0") != "0", finished.stdout[-2000:]
    assert counts["pass"] == counts["tests"], finished.stdout[-2000:]
