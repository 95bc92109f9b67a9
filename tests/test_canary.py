"""The canary test: known canary credentials and tokens, a corpus of failures at DEBUG logging,
and no form of any canary in the logs, the response bodies, the metrics or the files written.

The forms are computed here, independently of `facade.smsc.secrets`, so that a form the
redactor forgets is still looked for.
"""

import base64
import hashlib
import json
import logging
import pathlib
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote, quote_plus

import httpx
import pytest

from facade.cli import main
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.emulator.app import create_emulator
from facade.upstream.client import SmscClient
from tests.loopback import free_port, running
from tests.production import (
    CANARY_APIKEY,
    CANARY_LOGIN,
    CANARY_PASSWORD,
    Production,
    production,
    production_environ,
)

QUERIES = [
    "{ templates { id name } }",
    "{ groups { id name } }",
    '{ job(id: "1") { id status } }',
]
MUTATION = 'mutation { createGroup(input: {name: "VIP"}) { __typename } }'


def _encodings(value: str) -> Iterator[str]:
    raw = value.encode()
    yield value
    for encoded in (quote(value, safe=""), quote_plus(value), quote(value)):
        yield encoded
        yield encoded.lower()
    yield hashlib.md5(raw).hexdigest()  # noqa: S324 - SMSC's own password form
    yield hashlib.md5(raw).hexdigest().upper()  # noqa: S324
    for b64 in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        yield b64
        yield b64.rstrip("=")
    yield json.dumps(value)[1:-1]
    yield repr(raw)[2:-1]


def canary_forms(tokens: Iterable[str] = ()) -> set[str]:
    forms = {
        form
        for value in (CANARY_LOGIN, CANARY_PASSWORD, CANARY_APIKEY)
        for form in _encodings(value)
    }
    pair = f"{CANARY_LOGIN}:{CANARY_PASSWORD}".encode()
    forms |= {base64.b64encode(pair).decode(), base64.urlsafe_b64encode(pair).decode()}
    for token in tokens:
        forms |= {token, token.removeprefix("smscf_"), quote(token, safe="")}
    # Distinctive enough to mean a leak; the plain ASCII stems are checked through the raw forms.
    return {form for form in forms if len(form) >= 8}


def leaks(text: str, forms: set[str]) -> list[str]:
    return sorted(form for form in forms if form in text)


def files_text(root: pathlib.Path) -> str:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            found.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(found)


def echo_handler(status: int) -> Callable[[httpx.Request], httpx.Response]:
    """An upstream page that echoes the request: URL, headers and the whole form body."""

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = f"{request.method} {request.url}\n{request.headers}\n{request.content.decode()}"
        return httpx.Response(status, text=f"<html><pre>{echoed}</pre></html>")

    return handler


def timing_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout(f"timed out reading {request.content!r}", request=request)


def resetting(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError(f"reset while sending {request.url}", request=request)


UPSTREAMS: dict[str, httpx.AsyncBaseTransport | None] = {
    "emulator": None,
    "rejects-credentials": httpx.ASGITransport(app=create_emulator(seed="demo")),
    "5xx-echo": httpx.MockTransport(echo_handler(502)),
    "200-echo-malformed": httpx.MockTransport(echo_handler(200)),
    "timeout": httpx.MockTransport(timing_out),
    "reset": httpx.MockTransport(resetting),
}


async def _corpus(service: Production) -> list[httpx.Response]:
    client = service.client
    responses = []
    for scope in (Scope.READ, Scope.WRITE):
        for query in QUERIES:
            responses.append(
                await client.post("/graphql", json={"query": query}, headers=service.auth(scope))
            )
        responses.append(
            await client.post("/graphql", json={"query": MUTATION}, headers=service.auth(scope))
        )
        for path in ("/v1/templates", "/v1/jobs/1", "/v1/contacts?search=x", "/v1/answers"):
            responses.append(await client.get(path, headers=service.auth(scope)))
        responses.append(
            await client.post("/v1/groups", json={"name": "VIP"}, headers=service.auth(scope))
        )
    token = service.tokens[Scope.READ]
    responses += [
        await client.get(f"/v1/templates?access_token={token}"),
        await client.get(f"/graphql?query={{templates{{id}}}}&token={token}"),
        await client.post("/graphql", json={"query": "{ templates { id } }"}),
        await client.get("/v1/templates", headers={"authorization": f"Basic {token}"}),
        await client.post(
            "/graphql", content=b"{not json", headers={**service.auth(), "content-type": "a/b"}
        ),
        await client.get("/healthz"),
        await client.get("/readyz"),
        await client.get("/metrics"),
        await client.get("/openapi.json"),
        await client.get("/readyz", headers=service.auth(Scope.ADMIN)),
        await client.get("/metrics", headers=service.auth(Scope.ADMIN)),
        await client.get("/openapi.json", headers=service.auth()),
    ]
    return responses


@pytest.mark.anyio
@pytest.mark.parametrize("upstream", list(UPSTREAMS), ids=list(UPSTREAMS))
async def test_no_canary_leaks_through_failures_at_debug(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture, upstream: str
) -> None:
    caplog.set_level(logging.DEBUG)
    async with production(
        tmp_path,
        environ={"FACADE_LOG_LEVEL": "DEBUG"},
        upstream=UPSTREAMS[upstream],
    ) as service:
        responses = await _corpus(service)
        forms = canary_forms(service.tokens.values())
    assert caplog.records, "the corpus logs something at DEBUG"
    logged = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [caplog.text]
        + [str(vars(record)) for record in caplog.records]
    )
    assert leaks(logged, forms) == []
    bodies = "\n".join(f"{r.headers}\n{r.text}" for r in responses)
    assert leaks(bodies, forms) == []
    assert leaks(files_text(tmp_path / "data"), forms) == []


@pytest.mark.anyio
async def test_no_canary_leaks_from_an_exception_inside_a_resolver(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug that puts the password into an exception: clients see INTERNAL, logs the mask."""

    async def broken(self: SmscClient) -> None:
        raise RuntimeError(f"bug while holding {CANARY_PASSWORD} and {quote(CANARY_PASSWORD)}")

    monkeypatch.setattr(SmscClient, "templates", broken)
    caplog.set_level(logging.DEBUG)
    async with production(tmp_path) as service:
        graphql = await service.client.post(
            "/graphql", json={"query": "{ templates { id } }"}, headers=service.auth()
        )
        rest = await service.client.get("/v1/templates", headers=service.auth())
        forms = canary_forms(service.tokens.values())
    assert graphql.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert rest.status_code == 500
    assert "bug while holding" in caplog.text, "the error is logged, masked"
    assert "[REDACTED]" in caplog.text
    assert leaks(caplog.text + graphql.text + rest.text, forms) == []


def test_no_canary_in_configuration_errors(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file = tmp_path / "psw"
    secret_file.write_text(CANARY_PASSWORD, encoding="utf-8")
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        f'[accounts.m]\nlogin = "{CANARY_LOGIN}"\npassword = "{CANARY_PASSWORD}"\n',
        encoding="utf-8",
    )
    for name, value in {
        "SMSC_LOGIN": CANARY_LOGIN,
        "SMSC_PASSWORD_FILE": str(secret_file),
        "SMSC_APIKEY": CANARY_APIKEY,
        "SMSC_BASE_URL": f"https://{CANARY_LOGIN}:{quote(CANARY_PASSWORD)}@smsc.ru/?psw=1",
        "FACADE_ACCOUNTS_FILE": str(accounts),
        "FACADE_UPSTREAM_FMT": CANARY_PASSWORD,
        "FACADE_DATA_DIR": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "--port", "1"]) == 2
    assert main(["token", "issue", "x"]) == 2
    captured = capsys.readouterr()
    assert "SMSC_BASE_URL" in captured.err
    assert leaks(captured.out + captured.err, canary_forms()) == []


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_real_server_at_debug_logs_no_canary(tmp_path: pathlib.Path) -> None:
    """`facade serve` under uvicorn, its access log and every logger at DEBUG, SMSC unreachable."""
    environ = production_environ(tmp_path)
    environ |= {"SMSC_BASE_URL": f"http://127.0.0.1:{free_port()}", "FACADE_LOG_LEVEL": "DEBUG"}
    store = TokenStore.in_dir(pathlib.Path(environ["FACADE_DATA_DIR"]))
    try:
        token = store.issue("canary", scopes=[Scope.WRITE], account="default").token
    finally:
        store.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    with running(["serve", "--port", str(port)], ready_path="/healthz", port=port, env=environ) as (
        process
    ):
        bodies = [
            httpx.post(f"{base}/graphql", json={"query": QUERIES[0]}, headers=auth, timeout=30),
            httpx.post(f"{base}/graphql", json={"query": MUTATION}, headers=auth, timeout=30),
            httpx.get(f"{base}/v1/templates", headers=auth, timeout=30),
            httpx.get(f"{base}/v1/templates?access_token={token}", timeout=30),
            httpx.get(f"{base}/graphql?token={quote(token)}", timeout=30),
            httpx.get(f"{base}/v1/groups", headers={"Authorization": "Bearer " + token[:-1]}),
        ]
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert [r.status_code for r in bodies[3:]] == [400, 400, 401]
    assert "facade.access [" in err, "the access log (stderr) is captured"
    assert "GET /v1/templates 400" in err
    forms = canary_forms([token])
    assert leaks(out + err, forms) == []
    assert leaks("\n".join(r.text for r in bodies), forms) == []
    assert leaks(files_text(tmp_path), forms) == []
