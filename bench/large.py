"""Large accounts at constant cost: 100,000 contacts read once, then paged at any depth.

Run: .venv/bin/python -m bench.large   (about a minute; `--contacts N`, `--pages N` change sizes)

Each number is printed next to its target:
1. the first, cold read of the contact list (`SmscClient.contacts()`, fmt 3) over real HTTP from
   `facade emulator --seed empty --contacts N`, started as a subprocess on a free loopback port so
   that its memory and work are not this process's; then the emulator's answer alone, and the
   parse alone (`parse_contacts` on that body, median of 5): target < 1 s;
2. pages of 50 contacts at random depths once the list is cached (p50 and max, target < 5 ms):
   the GraphQL resolver's and the REST handler's own work (cache read, page, conversion), and
   the whole operation: GraphQL `contacts(first: 50, after:)` executed through the schema with a
   `Context` on the client, REST `GET /v1/contacts?limit=50&cursor=` through the ASGI app
   (httpx.ASGITransport); the same for 10,000 answers (the most SMSC lists in a call), from an
   emulator in this process, once the memory has been read;
3. this process's memory with the list cached, /proc/self/status VmHWM (peak) and VmRSS:
   target < 200 MB.
The machine's other load shows in every number: run it on a quiet machine.
"""

import argparse
import asyncio
import gc
import random
import statistics
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from bench.loadgen import emulator
from facade.app import create_smsc_clients
from facade.domain.answers import AnswerQuery
from facade.domain.contacts import ContactQuery, page_key
from facade.emulator.app import create_emulator
from facade.graphql import connections
from facade.graphql.context import Context
from facade.graphql.schema import create_schema
from facade.rest import EXCEPTION_HANDLERS, pagination, rest_routes
from facade.rest.operations import Call, NoParams
from facade.rest.resources import answers as rest_answers
from facade.rest.resources import contacts as rest_contacts
from facade.settings import CACHE_TTLS, SANDBOX_LOGIN, SANDBOX_PASSWORD, Settings
from facade.smsc import phonebook
from facade.smsc.commands import Credentials, build_form, reply_for
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.exchange import Freshness
from facade.upstream.transport import FORM_CONTENT_TYPE, SmscTransport
from facade.vocabulary import paging
from facade.vocabulary.answers import Answer
from facade.vocabulary.contacts import Contact
from facade.vocabulary.paging import MEMO, encode_cursor, paginate

CONTACTS = 100_000
ANSWERS = 10_000
PAGES = 200
PAGE_SIZE = 50
PARSE_RUNS = 5
STARTUP_TIMEOUT = 120.0
MB = 1 << 20
PARSE_TARGET = 1.0
PAGE_TARGET = 5e-3
MEMORY_TARGET = 200 * MB

Page = Callable[[str], Awaitable[Any]]  # one page, given the cursor it resumes after

CONTACTS_QUERY = """query($after: String) {
  contacts(first: 50, after: $after) {
    totalCount
    edges { cursor node { phones name firstName lastName birthday clientId comment tags } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""
ANSWERS_QUERY = """query($after: String) {
  answers(first: 50, after: $after) {
    totalCount
    edges { cursor node { id receivedAt phone message toPhone } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def memory() -> dict[str, int]:
    """VmHWM (peak) and VmRSS of this process, in bytes."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def remote_client(url: str, http: httpx.AsyncClient) -> SmscClient:
    """The account's client as `create_app` builds it, pointed at `url`."""
    settings = Settings.from_env(
        {
            "SMSC_LOGIN": SANDBOX_LOGIN,
            "SMSC_PASSWORD": SANDBOX_PASSWORD,
            "SMSC_BASE_URL": url,
            "SMSC_BACKUP_URLS": url,
        }
    )
    return create_smsc_clients(settings, http)["default"]


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def mb(size: int) -> str:
    return f"{size / MB:.0f} MB"


async def timed(page: Page, cursor: str) -> float:
    started = time.perf_counter()
    await page(cursor)
    return time.perf_counter() - started


def report(name: str, samples: list[float], target: float = PAGE_TARGET) -> None:
    p50, worst = statistics.median(samples), max(samples)
    verdict = "ok" if p50 < target else "OVER"
    print(f"    {name:50} p50 {ms(p50):>8}, max {ms(worst):>9} (target < {ms(target)}: {verdict})")


def through_schema(client: SmscClient, query: str, field: str) -> Page:
    """The whole GraphQL operation: parse, validate, resolve, serialize every field."""
    schema = create_schema()

    async def page(after: str) -> None:
        result = await schema.execute(
            query, variable_values={"after": after}, context_value=Context(smsc=client)
        )
        assert result.errors is None, result.errors
        assert result.data is not None
        assert len(result.data[field]["edges"]) == PAGE_SIZE

    return page


def through_asgi(client: SmscClient, path: str) -> Page:
    """The whole REST request: routing, validation, handler, JSON, ETag."""
    app = Starlette(routes=rest_routes(client), exception_handlers=EXCEPTION_HANDLERS)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://facade")

    async def page(cursor: str) -> None:
        response = await http.get(path, params={"limit": PAGE_SIZE, "cursor": cursor})
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == PAGE_SIZE

    return page


def contact_resolver(client: SmscClient) -> Page:
    """What the `contacts` resolver does: check the arguments, read the cache, build the page."""

    async def page(after: str) -> None:
        request = connections.contacts_page(PAGE_SIZE, after)
        found = (await client.contacts(ContactQuery())).value
        assert len(connections.contact_connection(found, request).edges) == PAGE_SIZE

    return page


def _call(client: SmscClient, path: str) -> Call[Any, Any, None]:
    """A handler's view of `GET <path>?limit=50`."""
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"limit=50"}
    request = Request({**scope, "headers": []})
    return Call(request=request, smsc=client, path=NoParams(), query=NoParams(), body=None)


def contact_handler(client: SmscClient) -> Page:
    """What the `listContacts` handler does: read the cache, slice, convert, link the next."""
    call = _call(client, rest_contacts.PREFIX)

    async def page(cursor: str) -> None:
        fetched = await client.contacts(ContactQuery())
        query = rest_contacts.ContactsQuery(limit=PAGE_SIZE, cursor=cursor)
        found = paginate(fetched.value, paging.CONTACTS, query.page(paging.CONTACTS))
        body = pagination.Page[Contact]
        reply = pagination.page_reply(
            body, call, rest_contacts.PREFIX, found, Contact.from_domain, fetched
        )
        assert reply.headers

    return page


def answer_resolver(client: SmscClient) -> Page:
    async def page(after: str) -> None:
        request = connections.answers_page(PAGE_SIZE, after)
        found = (await client.answers(AnswerQuery())).value
        assert len(connections.answer_connection(found, request).edges) == PAGE_SIZE

    return page


def answer_handler(client: SmscClient) -> Page:
    call = _call(client, rest_answers.PREFIX)

    async def page(cursor: str) -> None:
        fetched = await client.answers(AnswerQuery())
        query = rest_answers.AnswersQuery(limit=PAGE_SIZE, cursor=cursor)
        found = paginate(fetched.value, paging.ANSWERS, query.page(paging.ANSWERS))
        body = pagination.Page[Answer]
        reply = pagination.page_reply(
            body, call, rest_answers.PREFIX, found, Answer.from_domain, fetched
        )
        assert reply.headers

    return page


async def pages_of(
    rows: list[tuple[str, Page, list[str]]], first: tuple[str, Page, str] | None = None
) -> None:
    if first is not None:
        name, page, cursor = first
        print(f"  {name}: {ms(await timed(page, cursor))}")
    print(f"  pages of {PAGE_SIZE} at random depths, once cached:")
    for name, page, cursors in rows:
        report(name, [await timed(page, cursor) for cursor in cursors])


async def parse_alone(url: str, http: httpx.AsyncClient) -> tuple[float, list[float], list[float]]:
    """The emulator's answer to the client's request (seconds), then `parse_contacts` on it
    (seconds per run, and CPU seconds), in a process that holds no contact list."""
    command = phonebook.list_contacts()
    credentials = Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)
    form = build_form(command, credentials=credentials, fmt=Fmt.JSON, charset="utf-8")
    started = time.perf_counter()
    response = await http.post(
        url + command.endpoint.path,
        content=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": FORM_CONTENT_TYPE},
        timeout=60.0,
    )
    answered = time.perf_counter() - started
    reply = reply_for(command, response.content, fmt=Fmt.JSON, charset="utf-8")
    del response
    runs, cpu = [], []
    for _ in range(PARSE_RUNS):
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        parsed = parse_contacts(reply)
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        del parsed
    return answered, runs, cpu


async def contacts(count: int, pages: int, rng: random.Random) -> None:
    print(f"{count:,} contacts, from `facade emulator --contacts {count}` in its own process")
    before = memory()
    with emulator("--seed", "empty", "--contacts", str(count), timeout=STARTUP_TIMEOUT) as url:
        async with httpx.AsyncClient(trust_env=False) as http:
            client = remote_client(url, http)
            started = time.perf_counter()
            fetched = await client.contacts()
            cold = time.perf_counter() - started
            assert fetched.freshness is Freshness.MISS
            assert len(fetched.value) == count, len(fetched.value)
            print(
                f"  cold read, SmscClient.contacts(): {cold:.2f} s "
                "(the emulator writing the list, HTTP, the parse)"
            )
            listed = fetched.value
            positions = [rng.randrange(1, count - PAGE_SIZE) for _ in range(pages)]
            # A cursor names the contact before the page, and its position: one cursor, which
            # both APIs take.
            keys = [(p, page_key(listed[p - 1])) for p in positions]
            graphql = [encode_cursor("contact", p - 1, key) for p, key in keys]
            rest = graphql
            first = ("first page after the read, indexing the list", through_schema, graphql[0])
            await pages_of(
                [
                    (
                        "GraphQL contacts resolver (cache read + page)",
                        contact_resolver(client),
                        graphql,
                    ),
                    (
                        "GraphQL contacts(first: 50, after:), whole query",
                        through_schema(client, CONTACTS_QUERY, "contacts"),
                        graphql,
                    ),
                    (
                        "REST listContacts handler (cache read + page)",
                        contact_handler(client),
                        rest,
                    ),
                    (
                        "REST GET /v1/contacts?limit=50&cursor=, via ASGI",
                        through_asgi(client, "/v1/contacts"),
                        rest,
                    ),
                ],
                (first[0], through_schema(client, CONTACTS_QUERY, "contacts"), first[2]),
            )
            held = memory()
            verdict = "ok" if held["VmHWM"] < MEMORY_TARGET else "OVER"
            print(
                f"  memory, {count:,} contacts cached: peak (VmHWM) {mb(held['VmHWM'])}, "
                f"now (VmRSS) {mb(held['VmRSS'])}; {mb(before['VmRSS'])} before the read "
                f"(target < {mb(MEMORY_TARGET)}: {verdict})"
            )
            del fetched, listed
            client.cache.entries.clear()
            MEMO.clear()
            answered, runs, cpu = await parse_alone(url, http)
            median = statistics.median(runs)
            verdict = "ok" if median < PARSE_TARGET else "OVER"
            print(f"  the emulator's answer alone: {answered:.2f} s (writing and sending the list)")
            print(
                f"  parse alone, parse_contacts on that body: {median:.2f} s median, "
                f"{min(runs):.2f} s best, {max(runs):.2f} s worst of {len(runs)}, "
                f"{statistics.median(cpu):.2f} s CPU median (target < {PARSE_TARGET:.0f} s: "
                f"{verdict})"
            )


async def answers(count: int, pages: int, rng: random.Random) -> None:
    print(f"{count:,} answers (the most SMSC lists in a call), from an emulator in process")
    app = create_emulator(seed="empty")
    for n in range(count):
        app.state.emulator.inject_answer(phone=f"7916{n:07d}", message=f"Ответ {n}, да")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        config = UpstreamConfig(fmt=Fmt.JSON, ttls=CACHE_TTLS)
        client = SmscClient(
            account="bench",
            credentials=Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD),
            transport=SmscTransport(http, base_urls=["http://smsc.bench"], config=config),
            config=config,
        )
        listed = (await client.answers()).value
        assert len(listed) == count, len(listed)
        ids = sorted(int(answer.id) for answer in listed)
        after = [str(ids[rng.randrange(0, count - PAGE_SIZE)]) for _ in range(pages)]
        graphql = [encode_cursor("answer", 0, id) for id in after]
        rest = graphql
        schema = through_schema(client, ANSWERS_QUERY, "answers")
        await pages_of(
            [
                ("GraphQL answers resolver (cache read + page)", answer_resolver(client), graphql),
                ("GraphQL answers(first: 50, after:), whole query", schema, graphql),
                ("REST listAnswers handler (cache read + page)", answer_handler(client), rest),
                (
                    "REST GET /v1/answers?limit=50&cursor=, via ASGI",
                    through_asgi(client, "/v1/answers"),
                    rest,
                ),
            ],
            ("first page after the read, ordering the list by id", schema, graphql[0]),
        )


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.large", description=__doc__)
    parser.add_argument("--contacts", type=int, default=CONTACTS)
    parser.add_argument("--pages", type=int, default=PAGES)
    args = parser.parse_args()
    rng = random.Random(2024)  # noqa: S311 - repeatable depths, not a secret
    await contacts(args.contacts, args.pages, rng)
    await answers(ANSWERS, args.pages, rng)


if __name__ == "__main__":
    asyncio.run(main())
