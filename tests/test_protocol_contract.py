"""The emulator and the parsers were written apart; here they must agree.

For every read command and every fmt, parsing the emulator's answer gives the same domain objects
as fmt=3, over the demo data and its text that breaks naive parsers; and the charsets agree too.
So do a message's send, its statuses, its cost and the balance (send.php, status.php,
balance.php) in every fmt.
"""

import dataclasses
import decimal
import urllib.parse
from typing import Any

import httpx
import pytest

from facade.domain.answers import AnswerQuery
from facade.domain.jobs import JobQuery, JobSpec, new_marker
from facade.domain.messages import MessageRef, MessageSpec, MessageStatus
from facade.emulator.app import create_emulator
from facade.settings import SANDBOX_LOGIN, SANDBOX_PASSWORD
from facade.smsc import commands, messages, phonebook
from facade.smsc.commands import Command, Credentials, build_form, reply_for
from facade.smsc.wire import Fmt
from tests.fakes import FakeClock

DEMO = Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)

READS: dict[str, Command[Any]] = {
    "templates": commands.list_templates(),
    "jobs": commands.list_jobs(),
    "contacts": phonebook.list_contacts(),
    "groups": phonebook.list_groups(),
    "blacklist": phonebook.list_blacklist(),
    "answers": commands.list_answers(AnswerQuery(hours=168)),
    "download-tasks": commands.list_download_tasks(),
}


async def ask(
    client: httpx.AsyncClient, command: Command[Any], fmt: Fmt, charset: str = "utf-8"
) -> Any:
    form = build_form(command, credentials=DEMO, fmt=fmt, charset=charset)
    response = await client.post(
        command.endpoint.path,
        content=urllib.parse.urlencode(form, encoding=charset).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    reply = reply_for(
        command,
        response.content,
        fmt=fmt,
        charset=charset,
        content_type=response.headers.get("content-type"),
        content_disposition=response.headers.get("content-disposition"),
    )
    return command.parse(reply)


@pytest.fixture
async def emulator():
    app = create_emulator(seed="demo")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://smsc.test"
    ) as client:
        yield client


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value) for t in _texts(getattr(value, f.name))]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts(item)]
    return []


def _through_charset(value: Any, charset: str) -> Any:
    """What a value becomes when its text passes a charset that cannot hold every character."""
    if isinstance(value, str):
        return value.encode(charset, "replace").decode(charset)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _through_charset(getattr(value, f.name), charset)
            for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, list):
        return [_through_charset(item, charset) for item in value]
    if isinstance(value, tuple):
        return tuple(_through_charset(item, charset) for item in value)
    return value


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", [Fmt.TEXT, Fmt.CSV, Fmt.XML], ids=lambda f: f"fmt{int(f)}")
@pytest.mark.parametrize("read", READS)
async def test_every_fmt_reads_the_same_as_json(emulator, read, fmt):
    command = READS[read]
    expected = await ask(emulator, command, Fmt.JSON)
    assert expected, f"the demo data has no {read}"
    assert await ask(emulator, command, fmt) == expected


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", list(Fmt), ids=lambda f: f"fmt{int(f)}")
async def test_every_fmt_reads_each_job_the_same_as_json(emulator, fmt):
    jobs = await ask(emulator, commands.list_jobs(), Fmt.JSON)
    for job in jobs:
        assert await ask(emulator, commands.get_job(job.id), fmt) == job


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", list(Fmt), ids=lambda f: f"fmt{int(f)}")
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Promo", id="plain"),
        pytest.param('Promo, "spring" & <sale>, 50%', id="commas-quotes-xml"),
        pytest.param("Весна, 2024 [fx:", id="cyrillic-and-a-marker-start"),
    ],
)
async def test_a_marked_job_name_reads_back_in_every_fmt(emulator, fmt, name):
    """The facade's marker rides on the name SMSC keeps; every fmt gives name and marker back."""
    spec = JobSpec(name=name, phones=("79161234567",), message="Hi, all", marker=new_marker())
    created = await ask(emulator, commands.create_job(spec), fmt)

    one = await ask(emulator, commands.get_job(created.id), fmt)
    listed = await ask(emulator, commands.list_jobs(JobQuery(since=one.created_at.date())), fmt)

    assert (one.name, one.marker) == (name, spec.marker)
    assert [job for job in listed if job.marker == spec.marker] == [one]


@pytest.mark.anyio
@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
@pytest.mark.parametrize("fmt", list(Fmt), ids=lambda f: f"fmt{int(f)}")
@pytest.mark.parametrize("read", READS)
async def test_other_charsets_read_the_same_as_utf8(emulator, read, fmt, charset):
    command = READS[read]
    expected = _through_charset(await ask(emulator, command, Fmt.JSON), charset)
    assert await ask(emulator, command, fmt, charset) == expected


@pytest.mark.anyio
async def test_demo_data_holds_text_that_breaks_naive_parsers(emulator):
    texts = []
    for command in READS.values():
        texts += _texts(await ask(emulator, command, Fmt.JSON))
    joined = "\n".join(texts)
    for tricky in [",", '"', "<", "&", ">"]:
        assert tricky in joined, tricky
    assert any(ord(char) > 0xFFFF for char in joined), "no emoji"
    assert any("\n" in text for text in texts)
    assert any("\u0430" <= char <= "\u044f" for char in joined), "no Cyrillic"


@pytest.mark.anyio
@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
@pytest.mark.parametrize("fmt", list(Fmt), ids=lambda f: f"fmt{int(f)}")
async def test_a_large_phonebook_reads_the_same_in_every_fmt(fmt, charset):
    """Generated contacts (`--contacts N`) keep the demo data's rules for fmt 0 and 1, and a
    fmt 3 body of more than a megabyte is read a piece at a time to the same contacts."""
    app = create_emulator(seed="demo", contacts=5000)
    listed = app.state.emulator.account().contacts
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://smsc.test"
    ) as client:
        found = await ask(client, phonebook.list_contacts(), fmt, charset)

    assert len(found) == len(listed) == 5008
    assert [contact.phones for contact in found] == [
        tuple(listed[id].phones) for id in sorted(listed)
    ]
    if fmt is not Fmt.JSON:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://smsc.test"
        ) as client:
            assert found == await ask(client, phonebook.list_contacts(), Fmt.JSON, charset)


# Messages: a text that breaks naive parsers (commas, quotes, markup, a new line, Cyrillic), to a
# phone SMSC delivers to and one it refuses within the send (listed with `err=1`).
MESSAGE_TEXT = 'Hi, "all" <&> 50%;\n' + "Весна, 2024"
DELIVERED = "79161234567"
REFUSED = "79990000308"
MESSAGE = MessageSpec(phones=(DELIVERED, REFUSED), message=MESSAGE_TEXT, with_cost=True)


@pytest.fixture
async def messages_emulator():
    """The emulator on a clock that stands still: a status (and its `last_date`) stays put."""
    app = create_emulator(seed="demo", clock=FakeClock())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://smsc.test"
    ) as client:
        yield client


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", list(Fmt), ids=lambda f: f"fmt{int(f)}")
async def test_every_fmt_sends_a_message_and_reads_its_statuses_as_json(messages_emulator, fmt):
    first = dataclasses.replace(MESSAGE, id="fxcontractjson")
    second = dataclasses.replace(MESSAGE, id=f"fxcontract{int(fmt)}")
    by_json = await ask(messages_emulator, messages.send_message(first), Fmt.JSON)
    sent = await ask(messages_emulator, messages.send_message(second), fmt)

    assert dataclasses.replace(sent, id=by_json.id, balance=by_json.balance) == by_json
    assert sent.id == second.id
    assert (sent.parts, sent.cost) == (1, decimal.Decimal("2.50"))
    assert [r.phone for r in sent.rejected] == [REFUSED]
    assert sent.balance == by_json.balance - sent.cost
    refs = [
        MessageRef(sent.id, DELIVERED),
        MessageRef(sent.id, REFUSED),
        MessageRef("fxcontractunknown", DELIVERED),
    ]
    command = messages.get_message_statuses(refs)
    states = await ask(messages_emulator, command, Fmt.JSON)
    assert [state.status for state in states] == [
        MessageStatus.SENT,
        MessageStatus.UNAVAILABLE_NUMBER,
        MessageStatus.NOT_FOUND,
    ]
    assert states[0].message == MESSAGE_TEXT
    assert await ask(messages_emulator, command, fmt) == states


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", list(Fmt), ids=lambda f: f"fmt{int(f)}")
async def test_every_fmt_reads_a_cost_and_the_balance_as_json(messages_emulator, fmt):
    cost = messages.get_message_cost(MESSAGE)
    expected = await ask(messages_emulator, cost, Fmt.JSON)
    assert (expected.cost, expected.parts) == (decimal.Decimal("2.50"), 1)  # the refused: free
    assert await ask(messages_emulator, cost, fmt) == expected

    balance = await ask(messages_emulator, messages.get_balance(), Fmt.JSON)
    assert (balance.amount, balance.currency) == (decimal.Decimal("1500.00"), "RUR")
    assert await ask(messages_emulator, messages.get_balance(), fmt) == balance
