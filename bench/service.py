"""The service over loopback HTTP, next to a plain Starlette app serving the same bytes.

Run: .venv/bin/python -m bench.service [--loop asyncio|uvloop] [--http h11|httptools]  (default:
     what `facade serve` runs)
     .venv/bin/python -m bench.service --matrix     (every loop and HTTP implementation installed)
Needs wrk (apt-get install wrk). Prints, in one run:
- a repeated cached GraphQL query and a repeated cached REST GET, each next to the plain app
  serving the same payload (same connections, same duration): req/s, p50, p99 and the ratios;
- 1,000 concurrent identical cold GraphQL queries: upstream calls and errors;
- what a cache miss adds to the emulator's own latency (p50, p99).
"""

import argparse
import asyncio
import contextlib
import importlib.util
import itertools
import json
import statistics
import time
import urllib.parse
from collections.abc import Iterator

import httpx

from bench.loadgen import (
    CONNECTIONS,
    DURATION,
    ROUNDS,
    Load,
    Production,
    Server,
    alternate,
    emulator,
    facade,
    production,
    reference,
    upstream_calls,
    wrk,
)
from facade.cli import DEFAULT_HTTP, DEFAULT_LOOP, HTTP_PARSERS, LOOPS
from facade.domain.contacts import ContactQuery
from facade.settings import SANDBOX_LOGIN, SANDBOX_PASSWORD
from facade.smsc import phonebook
from facade.smsc.commands import Credentials, build_form
from facade.smsc.wire import Fmt

QUERY = "{ templates { id name message format sender autoSign } }"
COLD_QUERY = "{ groups { id name number contactCount } }"
GRAPHQL = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}
COLD_CLIENTS = 1000
MISS_SAMPLES = 200


@contextlib.contextmanager
def service(server: Server) -> Iterator[tuple[str, str, Production]]:
    with emulator() as smsc, production(smsc) as config, facade(config, server) as base:
        yield smsc, base, config


def cached(server: Server) -> tuple[Load, Load, Load, Load]:
    """Cached GraphQL and REST, each in turns with the plain app serving its payload."""
    body = json.dumps({"query": QUERY})
    with service(server) as (_, base, config):
        headers = {**GRAPHQL, **config.headers}
        first = httpx.post(base + "/graphql", content=body, headers=headers)
        assert first.status_code == 200, first.text
        assert "errors" not in first.json(), first.text
        rest_first = httpx.get(base + "/v1/templates", headers=config.headers)
        assert rest_first.status_code == 200, rest_first.text
        with (
            reference(first.content, server) as plain_graphql,
            reference(rest_first.content, server) as plain_rest,
        ):
            graphql = alternate(
                lambda: wrk(base + "/graphql", method="POST", body=body, headers=headers),
                lambda: wrk(plain_graphql + "/", method="POST", body=body, headers=headers),
            )
            rest = alternate(
                lambda: wrk(base + "/v1/templates", headers=config.headers),
                lambda: wrk(plain_rest + "/", headers=config.headers),
            )
        last = httpx.get(base + "/v1/templates", headers=config.headers)
        assert last.headers["x-facade-cache"] == "hit", "the run was served from the cache"
    return (*graphql, *rest)


async def _cold_burst(base: str, headers: dict[str, str]) -> tuple[list[int | str], float]:
    """COLD_CLIENTS connections opened first, then one identical request sent on each at once
    (raw HTTP/1.1: a Python HTTP client would trickle them out); their outcomes, and the seconds
    from the first request sent to the last answer read."""
    url = urllib.parse.urlsplit(base)
    body = json.dumps({"query": COLD_QUERY}).encode()
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: {url.netloc}\r\n{head}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    streams = await asyncio.gather(
        *(asyncio.open_connection(url.hostname, url.port) for _ in range(COLD_CLIENTS))
    )

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int | str:
        try:
            writer.write(request)
            answer = await reader.read()
        finally:
            writer.close()
        status_line, _, rest = answer.partition(b"\r\n")
        status = int(status_line.split()[1])
        payload = rest.partition(b"\r\n\r\n")[2]
        if status != 200 or b'"errors"' in payload:
            return f"{status} {payload[:80]!r}"
        return status

    started = time.perf_counter()
    outcomes = await asyncio.gather(*(one(reader, writer) for reader, writer in streams))
    return list(outcomes), time.perf_counter() - started


def cold(server: Server) -> tuple[int, int, float]:
    """1,000 concurrent identical queries on a fresh service: upstream calls, errors, seconds."""
    with service(server) as (smsc, base, config):
        before = upstream_calls(smsc)
        outcomes, seconds = asyncio.run(_cold_burst(base, {**GRAPHQL, **config.headers}))
        calls = upstream_calls(smsc) - before
    errors = [o for o in outcomes if o != 200]
    return calls, len(errors), seconds


def _percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1] * 1e3


def miss(server: Server) -> tuple[float, float, float, float]:
    """A REST read the facade must ask SMSC for (a new search each time) against the same
    request sent to the emulator directly: p50 and p99 of each, in ms."""
    direct: list[float] = []
    through: list[float] = []
    credentials = Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)
    with service(server) as (smsc, base, config), httpx.Client() as client:
        for i in range(MISS_SAMPLES):
            search = f"nobody{i}"
            command = phonebook.list_contacts(ContactQuery(search=search))
            form = build_form(command, credentials=credentials, fmt=Fmt.JSON, charset="utf-8")
            started = time.perf_counter()
            response = client.post(
                smsc + command.endpoint.path,
                content=urllib.parse.urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            direct.append(time.perf_counter() - started)
            assert response.status_code == 200
            started = time.perf_counter()
            response = client.get(
                base + "/v1/contacts", params={"search": f"x{search}"}, headers=config.headers
            )
            through.append(time.perf_counter() - started)
            assert response.headers["x-facade-cache"] == "miss", response.text
    return (
        _percentile(direct, 50),
        _percentile(direct, 99),
        _percentile(through, 50),
        _percentile(through, 99),
    )


def report(server: Server) -> None:
    print(
        f"uvicorn {server}, one worker on core 0; wrk on core 1, {CONNECTIONS} connections; "
        f"{ROUNDS} turns of {DURATION} each, medians"
    )
    graphql, plain_graphql, rest, plain_rest = cached(server)
    print(graphql.line("graphql templates (cached)"))
    print(plain_graphql.line("plain starlette, same payload"))
    print(f"  ratio graphql/plain: {graphql.rps / plain_graphql.rps:.1%} (target >= 50%)")
    print(rest.line("rest GET /v1/templates (cached)"))
    print(plain_rest.line("plain starlette, same payload"))
    print(f"  ratio rest/plain: {rest.rps / plain_rest.rps:.1%} (target >= 70%)")
    worst = max(graphql.p99_ms / graphql.p50_ms, rest.p99_ms / rest.p50_ms)
    print(f"  worst p99/p50 of the cached paths: {worst:.1f}x (target <= 3x)")
    calls, errors, seconds = cold(server)
    print(
        f"{COLD_CLIENTS} concurrent identical cold GraphQL queries: {calls} upstream call(s), "
        f"{errors} errors, {seconds:.2f} s (target: 1 call, 0 errors)"
    )
    d50, d99, t50, t99 = miss(server)
    print(
        f"cache miss ({MISS_SAMPLES} sequential REST searches): emulator direct p50 {d50:.2f} ms "
        f"p99 {d99:.2f} ms; through the facade p50 {t50:.2f} ms p99 {t99:.2f} ms; "
        f"added p50 {t50 - d50:.2f} ms (target < 5 ms)"
    )


def matrix() -> None:
    """Cached GraphQL and REST, and the plain app, under each installed loop and parser."""
    loops = [loop for loop in ("asyncio", "uvloop") if _installed(loop)]
    parsers = [http for http in ("h11", "httptools") if _installed(http)]
    print(f"wrk {CONNECTIONS} connections, {ROUNDS} turns of {DURATION} each, medians")
    for loop, http in itertools.product(loops, parsers):
        server = Server(loop, http)
        graphql, plain_graphql, rest, plain_rest = cached(server)
        print(f"uvicorn {server}")
        print(graphql.line("graphql templates (cached)"))
        print(plain_graphql.line("plain starlette (graphql payload)"))
        print(rest.line("rest GET /v1/templates (cached)"))
        print(plain_rest.line("plain starlette (rest payload)"))


def _installed(name: str) -> bool:
    return name in ("asyncio", "h11") or importlib.util.find_spec(name) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--loop", default=DEFAULT_LOOP, choices=LOOPS)
    parser.add_argument("--http", default=DEFAULT_HTTP, choices=HTTP_PARSERS)
    parser.add_argument("--matrix", action="store_true", help="every installed loop and parser")
    args = parser.parse_args()
    if args.matrix:
        matrix()
    else:
        report(Server(args.loop, args.http))


if __name__ == "__main__":
    main()
