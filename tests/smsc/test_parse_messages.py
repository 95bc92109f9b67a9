"""send.php's replies in every fmt: a send (its id, parts, cost, balance and refused recipients)
and a cost request. Their error envelopes: test_message_envelopes.py."""

import decimal

import pytest

from facade.domain.messages import (
    MessageCost,
    MessageSent,
    MessageStatus,
    RecipientRejection,
)
from facade.errors import UpstreamProtocolError
from facade.smsc.parse.messages import parse_message_cost, parse_message_sent
from facade.smsc.wire import Endpoint, Fmt, Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)
FX = "fxk7m2q4r5s6t7u2v3w4x5"
D = decimal.Decimal


def send(path: str, command: str = "send") -> Reply:
    return reply(f"send/{path}", command)


def inline(
    body: str, fmt: int, *, endpoint: Endpoint = Endpoint.SEND, command: str = "send"
) -> Reply:
    return Reply(body=body.encode(), endpoint=endpoint, command=command, fmt=Fmt(fmt))


REFUSED = (
    RecipientRejection(
        phone="123",
        status=MessageStatus.INVALID_NUMBER,
        status_code=22,
        error_code=249,
        error="Wrong number format",
    ),
    RecipientRejection(
        phone="79990000009",
        status=MessageStatus.PROHIBITED,
        status_code=23,
        error_code=252,
        error="Number prohibited",
    ),
)

# ---------------------------------------------------------------------------- send


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(send(f"sent.fmt{n}.txt"), MessageSent(id=FX, parts=2), id=f"fmt{n}-sent")
            for n in FMTS
        ),
        *(
            pytest.param(
                send(f"sent-cost.fmt{n}.txt"),
                MessageSent(id=FX, parts=2, cost=D("2.80"), balance=D("1868.82")),
                id=f"fmt{n}-sent-with-cost-and-balance",
            )
            for n in FMTS
        ),
        *(
            pytest.param(
                send(f"sent-refused.fmt{n}.txt"),
                MessageSent(id=FX, parts=1, rejected=REFUSED),
                id=f"fmt{n}-sent-with-refused-recipients",
            )
            for n in FMTS
        ),
        pytest.param(
            send("sent-recorded.fmt3.txt"),
            MessageSent(id="33", parts=1),
            id="fmt3-recorded-one-key-a-line",
        ),
        pytest.param(
            send("sent-cost-numbers.fmt3.txt"),
            MessageSent(id=FX, parts=2, cost=D("2.80"), balance=D("1868.82")),
            id="fmt3-numbers-as-strings-and-money-as-numbers",
        ),
        pytest.param(
            send("sent-rootless.fmt2.txt"),
            MessageSent(id="12345", parts=2, cost=D("4.48"), balance=D("1231.21")),
            id="fmt2-without-a-root",
        ),
        pytest.param(
            inline(
                '<?xml version="1.0" encoding="utf-8"?>\n<result><id>7</id><cnt>1</cnt></result>',
                2,
            ),
            MessageSent(id="7", parts=1),
            id="fmt2-xml-declaration",
        ),
        pytest.param(
            inline("OK - 1 SMS, ID - 7, COST - 1.40", 0),
            MessageSent(id="7", parts=1, cost=D("1.40")),
            id="fmt0-cost-without-balance",
        ),
        pytest.param(
            inline("7,1,1.40,-3.20\n\n", 1),
            MessageSent(id="7", parts=1, cost=D("1.40"), balance=D("-3.20")),
            id="fmt1-balance-below-zero",
        ),
        pytest.param(
            inline("7,1\n123,22,\n", 1),
            MessageSent(
                id="7",
                parts=1,
                rejected=(
                    RecipientRejection(
                        phone="123", status=MessageStatus.INVALID_NUMBER, status_code=22
                    ),
                ),
            ),
            id="fmt1-refused-without-error",
        ),
        pytest.param(
            inline('{"id": 7, "cnt": 1, "phones": [{"phone": 123, "status": "77"}]}', 3),
            MessageSent(
                id="7",
                parts=1,
                rejected=(
                    RecipientRejection(phone="123", status=MessageStatus.UNKNOWN, status_code=77),
                ),
            ),
            id="fmt3-refused-unknown-status",
        ),
        pytest.param(
            inline('{"id": 7, "cnt": 1, "phones": [], "cost": ""}', 3),
            MessageSent(id="7", parts=1),
            id="fmt3-empty-phones-and-cost",
        ),
    ],
)
def test_parse_message_sent(sample, expected):
    assert parse_message_sent(sample) == expected


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(inline('{"cnt": 1}', 3), id="fmt3-no-id"),
        pytest.param(inline('{"id": "a b", "cnt": 1}', 3), id="fmt3-id-with-space"),
        pytest.param(inline('{"id": "", "cnt": 1}', 3), id="fmt3-id-empty"),
        pytest.param(inline('{"id": 1}', 3), id="fmt3-no-cnt"),
        pytest.param(inline('{"id": 1, "cnt": true}', 3), id="fmt3-cnt-bool"),
        pytest.param(inline('{"id": 1, "cnt": 1.5}', 3), id="fmt3-cnt-decimal"),
        pytest.param(inline('{"id": 1, "cnt": 1, "cost": "1,40"}', 3), id="fmt3-cost-comma"),
        pytest.param(inline('{"id": 1, "cnt": 1, "cost": "-1"}', 3), id="fmt3-cost-negative"),
        pytest.param(inline('{"id": 1, "cnt": 1, "phones": {}}', 3), id="fmt3-phones-object"),
        pytest.param(inline('{"id": 1, "cnt": 1, "phones": [1]}', 3), id="fmt3-phones-numbers"),
        pytest.param(
            inline('{"id": 1, "cnt": 1, "phones": [{"phone": "1"}]}', 3), id="fmt3-no-status"
        ),
        pytest.param(
            inline('{"id": 1, "cnt": 1, "phones": [{"phone": "1", "status": [1]}]}', 3),
            id="fmt3-status-list",
        ),
        pytest.param(inline("[1]", 3), id="fmt3-list"),
        pytest.param(inline(f"{FX}", 1), id="fmt1-no-cnt"),
        pytest.param(inline(f"{FX},2\nnot a recipient", 1), id="fmt1-garbage-line"),
        pytest.param(inline("", 1), id="fmt1-empty"),
        pytest.param(inline("OK - 1 SMS", 0), id="fmt0-no-id"),
        pytest.param(
            inline("OK - 1 SMS, ID - 7\n123 - STATUS = x, ERR = 1", 0), id="fmt0-bad-line"
        ),
        pytest.param(inline("<result><cnt>1</cnt></result>", 2), id="fmt2-no-id"),
        pytest.param(
            inline("<result><id>1</id><cnt>1</cnt><phones/><phones/></result>", 2),
            id="fmt2-phones-repeated",
        ),
        pytest.param(
            inline("<result><id>1</id><cnt>1</cnt><phones><x/></phones></result>", 2),
            id="fmt2-phones-holds-other",
        ),
        pytest.param(
            inline("<result><id>1</id><cnt>1</cnt><phones><phone/></phones></result>", 2),
            id="fmt2-phone-empty",
        ),
        pytest.param(inline("<list/>", 2), id="fmt2-other-root"),
        pytest.param(inline("<result><id>1</id>", 2), id="fmt2-truncated"),
        pytest.param(send("cost.fmt3.txt"), id="fmt3-a-cost-is-no-send"),
    ],
)
def test_parse_message_sent_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_message_sent(sample)


# ---------------------------------------------------------------------------- cost


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(
                send(f"cost.fmt{n}.txt", "cost"), MessageCost(cost=D("2.80"), parts=2), id=f"fmt{n}"
            )
            for n in FMTS
        ),
        pytest.param(
            send("cost-number.fmt3.txt", "cost"),
            MessageCost(cost=D("1.44"), parts=1),
            id="fmt3-cost-a-number",
        ),
        pytest.param(
            inline("<cost>0</cost><cnt>3</cnt>", 2, command="cost"),
            MessageCost(cost=D(0), parts=3),
            id="fmt2-without-a-root",
        ),
    ],
)
def test_parse_message_cost(sample, expected):
    assert parse_message_cost(sample) == expected


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(inline('{"cnt": 1}', 3, command="cost"), id="fmt3-no-cost"),
        pytest.param(inline('{"cost": "1"}', 3, command="cost"), id="fmt3-no-cnt"),
        pytest.param(inline("[]", 3, command="cost"), id="fmt3-list"),
        pytest.param(inline("1.40", 1, command="cost"), id="fmt1-no-cnt"),
        pytest.param(inline("1.40 (SMS)", 0, command="cost"), id="fmt0-no-cnt"),
        pytest.param(inline("<result><cnt>1</cnt></result>", 2, command="cost"), id="fmt2-no-cost"),
        pytest.param(send("sent.fmt1.txt", "cost"), id="fmt1-a-send-is-no-cost"),
    ],
)
def test_parse_message_cost_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_message_cost(sample)
