"""Single messages: what the facade adds to a send and to a status read, and what following
messages costs SMSC.

Run: .venv/bin/python -m bench.messages [--messages N] [--followed N]

- Send and status: N messages, each to its own phone (SMSC refuses identical sends within a
  minute), each sent with `POST /v1/messages` and then read once with `GET /v1/messages/{id}`
  (a cache miss: a status.php request each), and N more sent under an `Idempotency-Key` each
  (a record written to SQLite before and after), through the facade's ASGI app in its production
  configuration (SMSC credentials, a client token, the access log at INFO to /dev/null, metrics),
  next to the same send.php and status.php requests sent to the emulator directly. Prints p50
  and p99 of each and what the facade adds.
- Following: N messages (scheduled ten minutes ahead, so none ends while measured) followed by
  one subscriber each; prints the status.php requests one poll interval makes.
"""

import argparse
import asyncio
import contextlib
import decimal
import functools
import os
import pathlib
import statistics
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable

import httpx

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.domain.jobs import SendAfter
from facade.domain.messages import MessageRef, MessageSpec
from facade.emulator.app import create_emulator
from facade.observability import logs
from facade.settings import SANDBOX_LOGIN, SANDBOX_PASSWORD, Settings
from facade.upstream.message_poller import MessageWatch
from facade.upstream.pollers import Pollers, Subscription

BASE = "http://facade"
RICH = decimal.Decimal(10_000_000)  # the emulator's balance: every send is paid for


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99, in milliseconds."""
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


async def timed(call: Callable[[], Awaitable[httpx.Response]], into: list[float]) -> httpx.Response:
    started = time.perf_counter()
    response = await call()
    into.append(time.perf_counter() - started)
    return response


def phone(n: int) -> str:
    return f"7916{n:07d}"  # none of the emulator's test numbers (7999000030x)


async def through_facade(messages: int) -> dict[str, list[float]]:
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
        token = store.issue("bench", scopes=[Scope.WRITE], account="default").token
        emulator = create_emulator(seed="demo")
        emulator.state.emulator.set_balance(RICH)
        app = create_app(settings, upstream_transport=httpx.ASGITransport(app=emulator))
        headers = {"authorization": f"Bearer {token}"}
        sends: list[float] = []
        reads: list[float] = []
        keyed: list[float] = []
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client,
        ):
            for n in range(messages):
                body = {"phones": [phone(n)], "message": f"Code {n}"}
                sent = await timed(
                    functools.partial(client.post, "/v1/messages", json=body, headers=headers),
                    sends,
                )
                assert sent.status_code == 201, sent.text
                id = sent.json()["id"]
                read = await timed(
                    functools.partial(
                        client.get,
                        f"/v1/messages/{id}",
                        params={"phone": phone(n)},
                        headers=headers,
                    ),
                    reads,
                )
                assert read.status_code == 200, read.text
            for n in range(messages, 2 * messages):
                body = {"phones": [phone(n)], "message": f"Code {n}"}
                once = {**headers, "idempotency-key": str(uuid.uuid4())}
                sent = await timed(
                    functools.partial(client.post, "/v1/messages", json=body, headers=once),
                    keyed,
                )
                assert sent.status_code == 201, sent.text
        store.close()
    return {"send": sends, "status": reads, "keyed send": keyed}


async def emulator_direct(messages: int) -> dict[str, list[float]]:
    emulator = create_emulator(seed="demo")
    emulator.state.emulator.set_balance(RICH)
    auth = {"login": SANDBOX_LOGIN, "psw": SANDBOX_PASSWORD, "fmt": "3", "charset": "utf-8"}
    form = {"content-type": "application/x-www-form-urlencoded"}
    sends: list[float] = []
    reads: list[float] = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator), base_url="http://smsc.bench"
    ) as client:
        for n in range(messages):
            id = f"fx{n:020d}"
            send = {**auth, "phones": phone(n), "mes": f"Code {n}", "id": id, "err": "1"}
            sent = await timed(
                functools.partial(
                    client.post, "/sys/send.php", content=urllib.parse.urlencode(send), headers=form
                ),
                sends,
            )
            assert "error" not in sent.json(), sent.text
            status = {**auth, "id": f"{id},", "phone": f"{phone(n)},", "all": "2"}
            await timed(
                functools.partial(
                    client.post,
                    "/sys/status.php",
                    content=urllib.parse.urlencode(status),
                    headers=form,
                ),
                reads,
            )
    return {"send": sends, "status": reads}


async def following(followed: int) -> int:
    """status.php requests of one poll for `followed` messages."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings.from_env(
            {
                "SMSC_LOGIN": SANDBOX_LOGIN,
                "SMSC_PASSWORD": SANDBOX_PASSWORD,
                "SMSC_BASE_URL": "http://smsc.bench",
                "FACADE_DATA_DIR": data_dir,
            }
        )
        emulator = create_emulator(seed="demo")
        emulator.state.emulator.set_balance(RICH)
        app = create_app(settings, upstream_transport=httpx.ASGITransport(app=emulator))
        client = app.state.smsc
        later = SendAfter(10)
        refs = []
        for n in range(followed):
            spec = MessageSpec(phones=(phone(n),), message="Later", send_time=later)
            refs.append(MessageRef((await client.send_message(spec)).id, phone(n)))
        live: Pollers = app.state.pollers["default"]
        poller = live.message_poller
        for ref in refs:
            poller.subscribers[Subscription()] = MessageWatch(ref, None, 0.0)
        calls = emulator.state.emulator.calls
        before = sum(1 for call in calls if call.path.endswith("/status.php"))
        await poller.poll()
        return sum(1 for call in calls if call.path.endswith("/status.php")) - before


async def measure(messages: int, followed: int) -> None:
    logs.configure("INFO", "text")
    facade = await through_facade(messages)
    direct = await emulator_direct(messages)
    print(
        f"{messages} messages, each sent then read once, in process (ASGI), production configuration:"
    )
    for what in ("send", "status", "keyed send"):
        f50, f99 = percentiles(facade[what])
        d50, d99 = percentiles(direct[what.removeprefix("keyed ")])
        print(
            f"  {what:10}  emulator direct p50 {d50:6.2f} ms p99 {d99:6.2f} ms;"
            f" through the facade p50 {f50:6.2f} ms p99 {f99:6.2f} ms;"
            f" added p50 {f50 - d50:5.2f} ms p99 {f99 - d99:5.2f} ms"
        )
    requests = await following(followed)
    per_thousand = requests * 1000 / followed
    print(
        f"following {followed} messages: {requests} status.php request(s) a poll interval"
        f" ({per_thousand:.0f} per 1,000 followed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--followed", type=int, default=1000)
    arguments = parser.parse_args()
    with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
        asyncio.run(measure(arguments.messages, arguments.followed))


if __name__ == "__main__":
    main()
