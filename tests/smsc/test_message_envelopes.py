"""The error envelopes of send.php (a send and a cost request), status.php and balance.php in
every fmt, with and without the message id send.php adds to errors 3, 6, 7 and 8."""

import json

import pytest

from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscError,
    SmscMessageDenied,
    SmscNoMoney,
    SmscRateLimited,
    SmscRecipientRejected,
    SmscRejected,
    UpstreamProtocolError,
)
from facade.smsc.envelope import find_envelope
from facade.smsc.parse.messages import parse_balance, parse_message_cost, parse_message_sent
from facade.smsc.parse.statuses import parse_message_states
from facade.smsc.wire import Endpoint, Fmt, Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)
FX = "fxk7m2q4r5s6t7u2v3w4x5"


def send(path: str, command: str = "send") -> Reply:
    return reply(f"send/{path}", command)


def inline(
    body: str, fmt: int, *, endpoint: Endpoint = Endpoint.SEND, command: str = "send"
) -> Reply:
    return Reply(body=body.encode(), endpoint=endpoint, command=command, fmt=Fmt(fmt))


# send.php's codes (smsc-messages-notes.md §1.4): class and a description SMSC sends.
SEND_ERRORS = [
    (1, SmscBadRequest, "parameters error"),
    (2, SmscAuthError, "authorise error"),
    (3, SmscNoMoney, "no money"),
    (4, SmscBlocked, "ip is blocked"),
    (5, SmscBadRequest, "invalid date format"),
    (6, SmscMessageDenied, "message is denied"),
    (7, SmscRecipientRejected, "invalid number"),
    (8, SmscRecipientRejected, "can't to deliver"),
    (9, SmscRateLimited, "duplicate request, wait a minute"),
]
OTHER_ERRORS = [
    (1, SmscBadRequest, "parameters error"),
    (2, SmscAuthError, "authorise error"),
    (4, SmscBlocked, "ip is temporarily blocked"),
    (9, SmscRateLimited, "too many concurrent requests"),
    (15, SmscRejected, "unknown error"),
]


def envelope(fmt: int, code: int, description: str, message_id: str | None) -> str:
    """The envelope as the wire page has it for `fmt`, with send.php's id when given."""
    if fmt == 0:
        return f"ERROR = {code} ({description})" + (f", ID - {message_id}" if message_id else "")
    if fmt == 1:
        return f"{message_id or 0},-{code}"
    if fmt == 2:
        tail = f"<id>{message_id}</id>\n" if message_id else ""
        return f"<result>\n<error>{description}</error>\n<error_code>{code}</error_code>\n{tail}</result>"
    document: dict[str, object] = {"error": description, "error_code": code}
    if message_id is not None:
        document["id"] = int(message_id) if message_id.isdigit() else message_id
    return json.dumps(document)


@pytest.mark.parametrize(
    ("sample", "cls", "code", "description", "message_id"),
    [
        pytest.param(
            inline(envelope(fmt, code, text, message_id), fmt, command=command),
            cls,
            code,
            "" if fmt == 1 else text,
            message_id,
            id=f"fmt{fmt}-{command}-{code}-{'id-' + message_id if message_id else 'no-id'}",
        )
        for code, cls, text in SEND_ERRORS
        for fmt in FMTS
        for message_id in (None, "34", FX)
        for command in ("send", "cost")
    ]
    + [
        pytest.param(
            send(f"error-invalid-number.fmt{fmt}.txt"),
            SmscRecipientRejected,
            7,
            "" if fmt == 1 else "invalid number",
            "34",
            id=f"fmt{fmt}-recorded-invalid-number",
        )
        for fmt in FMTS
    ]
    + [
        pytest.param(
            send(f"error-duplicate.fmt{fmt}.txt"),
            SmscRateLimited,
            9,
            "" if fmt == 1 else "duplicate request, wait a minute",
            None,
            id=f"fmt{fmt}-recorded-duplicate",
        )
        for fmt in FMTS
    ]
    + [
        pytest.param(
            inline('{"error": "no money", "error_code": 3, "id": 0}', 3),
            SmscNoMoney,
            3,
            "no money",
            None,
            id="fmt3-id-0-is-none",
        ),
        pytest.param(
            inline('{"error": "no money", "error_code": "3", "id": "  77 "}', 3),
            SmscNoMoney,
            3,
            "no money",
            "77",
            id="fmt3-code-and-id-strings",
        ),
    ],
)
def test_send_error_envelopes(sample, cls, code, description, message_id):
    for parse in (parse_message_sent, parse_message_cost):
        with pytest.raises(cls) as caught:
            parse(sample)
        error = caught.value
        assert type(error) is cls
        assert (error.upstream_code, error.description, error.message_id) == (
            code,
            description,
            message_id,
        )
        assert error.endpoint == f"/sys/send.php?{sample.command}"


def test_send_error_message_names_the_meaning_not_the_body():
    with pytest.raises(SmscRecipientRejected) as caught:
        parse_message_sent(send("error-invalid-number.fmt3.txt"))
    assert str(caught.value) == "SMSC refused a phone number as invalid (SMSC error 7)."
    assert caught.value.diagnostic == "SMSC /sys/send.php?send error 7: invalid number"


@pytest.mark.parametrize(
    ("endpoint", "parse"),
    [
        pytest.param(Endpoint.STATUS, lambda r: parse_message_states(r, ()), id="status"),
        pytest.param(Endpoint.BALANCE, parse_balance, id="balance"),
    ],
)
@pytest.mark.parametrize(
    ("code", "cls", "text"), OTHER_ERRORS, ids=[str(c) for c, *_ in OTHER_ERRORS]
)
@pytest.mark.parametrize("fmt", FMTS)
def test_status_and_balance_error_envelopes(endpoint, parse, code, cls, text, fmt):
    """Their envelopes carry no id; one written anyway is not read (only send.php's is)."""
    body = envelope(fmt, code, text, "34" if fmt != 1 else None)
    with pytest.raises(SmscError) as caught:
        parse(inline(body, fmt, endpoint=endpoint, command="get"))
    assert type(caught.value) is cls
    assert (caught.value.upstream_code, caught.value.message_id) == (code, None)


@pytest.mark.parametrize(
    "sample",
    [pytest.param(reply(f"status/error-blocked.fmt{n}.txt", "get"), id=f"fmt{n}") for n in FMTS],
)
def test_status_blocked_samples(sample):
    with pytest.raises(SmscBlocked):
        parse_message_states(sample, ())


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        pytest.param(Endpoint.STATUS, "34,-7", id="status-id-and-minus"),
        pytest.param(Endpoint.BALANCE, "-3.20,RUR", id="balance-below-zero"),
        pytest.param(Endpoint.SEND, f"{FX},7", id="send-a-sent-message"),
        pytest.param(Endpoint.SEND, "2.80,2", id="send-a-cost"),
    ],
)
def test_no_envelope(endpoint, body):
    assert find_envelope(inline(body, 1, endpoint=endpoint, command="get")) is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"error": "x", "error_code": 7, "id": "a,b"}', id="fmt3-id-with-comma"),
        pytest.param('{"error": "x", "error_code": 7, "id": true}', id="fmt3-id-bool"),
        pytest.param('{"error": "x", "error_code": 7, "id": -1}', id="fmt3-id-negative"),
        pytest.param('{"error": "x", "error_code": 7, "id": 1.5}', id="fmt3-id-decimal"),
        pytest.param(
            "<result><error>x</error><error_code>7</error_code><id>a b</id></result>",
            id="fmt2-id-with-space",
        ),
        pytest.param("ERROR = 7 (invalid number), ID - a b", id="fmt0-id-with-space"),
    ],
)
def test_malformed_send_envelope_id_is_a_protocol_error(body):
    with pytest.raises(UpstreamProtocolError):
        parse_message_sent(inline(body, 3))
