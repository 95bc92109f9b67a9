"""JSON logs: one object a line, the request id on every record made while serving a request."""

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from facade.observability import logs
from facade.observability.logs import accepted_request_id
from facade.observability.metrics import Metrics
from facade.observability.middleware import Observe, RequestIds

pytestmark = pytest.mark.anyio

inner = logging.getLogger("facade.upstream.test")


async def endpoint(_: Request) -> JSONResponse:
    inner.info("asking SMSC for %s", "templates.get")
    return JSONResponse({})


@pytest.fixture
def lines() -> Iterator[list[str]]:
    """Everything logged during the test, as the JSON handler writes it."""
    written: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(self.format(record))

    handler = Collect()
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield written
    root.removeHandler(handler)
    root.setLevel(level)


async def test_each_request_has_an_id_on_its_access_line_and_upstream_events(
    lines: list[str],
) -> None:
    app = Starlette(
        routes=[Route("/v1/templates", endpoint)],
        middleware=[Middleware(Observe, metrics=Metrics(dict))],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        first = await client.get("/v1/templates?toPhone=79161234567")
        second = await client.get("/v1/templates", headers={"X-Request-ID": "lb-42.a_b"})
        refused = await client.get("/v1/templates", headers={"X-Request-ID": "bad id\n"})

    records = [json.loads(line) for line in lines]
    ids = [first.headers["x-request-id"], "lb-42.a_b", refused.headers["x-request-id"]]
    assert second.headers["x-request-id"] == "lb-42.a_b"
    assert refused.headers["x-request-id"] != "bad id\n"
    assert len(set(ids)) == 3
    for request_id in ids:
        mine = [r for r in records if r["requestId"] == request_id]
        assert [r["logger"] for r in mine] == ["facade.upstream.test", "facade.access"]
    access = next(r for r in records if r["logger"] == "facade.access")
    assert access["method"] == "GET"
    assert access["path"] == "/v1/templates"
    assert access["status"] == 200
    assert access["operation"] == "GET /v1/templates"
    assert isinstance(access["durationMs"], float)
    assert "79161234567" not in lines[1] + lines[0], "no query string in the access line"


def test_json_lines_carry_tracebacks_and_outside_requests_no_id(lines: list[str]) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        inner.exception("failed")
    (line,) = lines
    record = json.loads(line)
    assert record["level"] == "ERROR"
    assert record["requestId"] == "-"
    assert "ValueError: boom" in record["exception"]
    assert record["time"].endswith("+00:00")


def test_configure_routes_every_logger_through_one_handler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        logs.configure("INFO", "json")
        logging.getLogger("uvicorn.error").info("Started server process")
        logging.getLogger("httpx").debug("below the level")
        record = json.loads(capsys.readouterr().err.strip())
        assert record["logger"] == "uvicorn.error"
        logs.configure("DEBUG", "text")
        logging.getLogger("httpx").debug("now shown")
        assert "DEBUG httpx [-] now shown" in capsys.readouterr().err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_request_ids_are_unique_and_distinct_across_processes() -> None:
    first, second = RequestIds(), RequestIds()
    ids = [first.new() for _ in range(1000)] + [second.new() for _ in range(1000)]
    assert len(set(ids)) == 2000
    assert all(accepted_request_id(i) == i for i in ids), "our own ids have the accepted shape"


async def test_the_access_record_carries_its_fields_only_where_the_format_shows_them(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Starlette(
        routes=[Route("/v1/templates", endpoint)],
        middleware=[Middleware(Observe, metrics=Metrics(dict))],
    )
    caplog.set_level(logging.INFO, logger="facade.access")
    for shown in (True, False):
        monkeypatch.setattr(logs, "_fields_shown", shown)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://facade"
        ) as client:
            await client.get("/v1/templates")
    with_fields, without = [r for r in caplog.records if r.name == "facade.access"]
    assert getattr(with_fields, "durationMs", None) is not None
    assert not hasattr(without, "durationMs")
    assert without.getMessage().startswith("GET /v1/templates 200 ")


def test_configure_says_whether_fields_are_shown() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        logs.configure("INFO", "text")
        assert not logs.fields_shown()
        logs.configure("INFO", "json")
        assert logs.fields_shown()
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
