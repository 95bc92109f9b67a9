"""The shared caches' codec: every read of every kind round-trips equal; nothing else decodes."""

import datetime as dt
import decimal
import json

import pytest

from facade.domain.answers import AnswerQuery
from facade.domain.jobs import JobCreated, JobStatus
from facade.smsc.wire import Fmt
from facade.upstream.codec import decode, encode
from tests.upstream.harness import harness

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("fmt", list(Fmt))
async def test_every_read_of_the_demo_account_round_trips(fmt: Fmt) -> None:
    client = harness(fmt=fmt).client
    reads = [
        (await client.templates()).value,
        (await client.jobs()).value,
        (await client.contacts()).value,
        (await client.groups()).value,
        (await client.blacklist()).value,
        (await client.answers(AnswerQuery(hours=168))).value,
        (await client.download_tasks()).value,
    ]
    for value in reads:
        assert value, "the demo account has some of each"
        assert decode(encode(value)) == value


def test_scalars_keep_their_types() -> None:
    value = (
        JobCreated(id="7", cost=decimal.Decimal("1.50")),
        dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        dt.date(2026, 1, 2),
        0.1,
        b"\x00\xff",
        JobStatus.DONE,
        [None, True, 3, "три"],
    )
    decoded = decode(encode(value))
    assert decoded == value
    assert isinstance(decoded, tuple)
    assert decoded[1].utcoffset() == dt.timedelta(hours=3)
    assert "три" in encode(value).decode(), "UTF-8, not escapes"


@pytest.mark.parametrize(
    "data",
    [
        {"$t": "os:system", "v": "echo"},
        {"$t": "facade.settings:Settings", "v": {}},
        {"$t": "facade.domain.jobs:JobCreated", "v": {"id": "1", "evil": 2}},
        {"$t": "decimal", "v": "not a number"},
        {"nope": 1},
    ],
)
def test_anything_but_a_domain_value_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="domain"):
        decode(json.dumps(data).encode())


def test_unencodable_values_are_refused() -> None:
    with pytest.raises(TypeError, match="set"):
        encode({1, 2})
