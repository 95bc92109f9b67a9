"""status.php's multiple form (`all=2`) in every fmt: records in the order asked, fmt 0/1 records
found by the next message asked, Moscow dates and Unix times, unknown codes, per-item errors."""

import datetime as dt
import decimal

import pytest

from facade.domain.common import MOSCOW
from facade.domain.messages import MessageRef, MessageState, MessageStatus
from facade.errors import UpstreamProtocolError
from facade.smsc.delivery_errors import delivery_error
from facade.smsc.parse.statuses import parse_message_states
from facade.smsc.wire import Endpoint, Fmt, Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)
FX = "fxk7m2q4r5s6t7u2v3w4x5"
D = decimal.Decimal
NO_ERROR = "No error (subscriber exists and is reachable)"

A = MessageRef(FX, "79990001122")
B = MessageRef("33", "+79990003344")  # asked with "+", answered without


def msk(day: int, month: int, year: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MOSCOW)


DELIVERED = MessageState(
    id=FX,
    phone="79990001122",
    status=MessageStatus.DELIVERED,
    status_code=1,
    changed_at=msk(10, 3, 2024, 12, 0, 5),
    error_code=0,
    error=NO_ERROR,
    sent_at=msk(10, 3, 2024, 12, 0, 1),
    cost=D("1.40"),
    sender="Shop",
    status_name="Delivered",
    message="Hi, Ann",
    parts=1,
    country="Russia",
    operator="MegaFon",
    region="Moscow",
)
NOT_FOUND = MessageState(
    id="33",
    phone="+79990003344",
    status=MessageStatus.NOT_FOUND,
    status_code=-3,
    changed_at=msk(10, 3, 2024, 12, 1),
    error_code=0,
    error=NO_ERROR,
)
TRICKY_TEXT = (
    "Hi, Ann,\nyour codes: 1,2,3\n"
    "33,79990009999, is another phone\n"
    f"{FX},79990001122, is this message again\n"
    "id = 33, phone = 79990009999, neither\n"
    "end, message = here, sms_cnt = 5"
)
TRICKY = [
    MessageState(
        id=FX,
        phone="79990001122",
        status=MessageStatus.SENT,
        status_code=0,
        changed_at=msk(10, 3, 2024, 12, 0, 5),
        error_code=0,
        error=NO_ERROR,
        sent_at=msk(10, 3, 2024, 12, 0, 1),
        cost=D("1.40"),
        sender="Shop",
        status_name="Sent",
        message=TRICKY_TEXT,
        parts=2,
        country="Russia",
        operator="MegaFon",
        region="Moscow",
    ),
    MessageState(
        id="33",
        phone="+79990003344",
        status=MessageStatus.DELIVERED,
        status_code=1,
        changed_at=msk(10, 3, 2024, 12, 1),
        error_code=0,
        error=NO_ERROR,
        sent_at=msk(10, 3, 2024, 12, 0, 1),
        cost=D("0.70"),
        sender="Shop",
        status_name="Delivered",
        message="Bye,",
        parts=1,
        country="Russia",
        operator="MTS",
        region="Moscow",
    ),
]
RECORDED = MessageState(
    id="33",
    phone="+79990003344",
    status=MessageStatus.DELIVERED,
    status_code=1,
    changed_at=msk(18, 10, 2016, 15, 34, 12),
    error_code=0,
    error=NO_ERROR,
)
OTETZ = MessageState(
    id="1",
    phone="7926xxxxxxx",
    status=MessageStatus.DELIVERED,
    status_code=1,
    changed_at=msk(26, 5, 2017, 21, 39, 32),
    error_code=0,
    error=NO_ERROR,
    sent_at=msk(26, 5, 2017, 21, 39, 27),
    cost=D("1.20"),
    sender="avto-disp",
    status_name="Доставлено",
    message="test",
    country="Россия",
    operator="МегаФон",
    region="г.Москва и Московская область",  # noqa: RUF001 - P-otetz's fixture, verbatim
)


def status(path: str) -> Reply:
    return reply(f"status/{path}", "get")


def inline(body: str, fmt: int) -> Reply:
    return Reply(body=body.encode(), endpoint=Endpoint.STATUS, command="get", fmt=Fmt(fmt))


def line0(id_: str, phone: str, status_: str, err: str = "", message: str = "") -> str:
    return (
        f"id = {id_}, phone = {phone}, Status = {status_}, check_time = 10.03.2024 12:01:00, "
        f"err = {err}, send_date = , cost = , country = , operator = , region = , "
        f"sender_id = , status_name = , sms_cnt = , message = {message}"
    )


def line1(id_: str, phone: str, status_: str, err: str = "", message: str = "") -> str:
    return f"{id_},{phone},{status_},1710061260,{err},,,,,,,,,{message}"


def short(
    status_code: int, status_: MessageStatus, err: int = 0, ref: MessageRef = B
) -> MessageState:
    return MessageState(
        id=ref.id,
        phone=ref.phone,
        status=status_,
        status_code=status_code,
        changed_at=msk(10, 3, 2024, 12, 1),
        error_code=err,
        error=delivery_error(err),
    )


@pytest.mark.parametrize(
    ("sample", "refs", "expected"),
    [
        *(
            pytest.param(
                status(f"statuses.fmt{n}.txt"), [A, B], [DELIVERED, NOT_FOUND], id=f"fmt{n}-two"
            )
            for n in FMTS
        ),
        *(
            pytest.param(
                status(f"statuses-tricky.fmt{n}.txt"),
                [A, B],
                TRICKY,
                id=f"fmt{n}-messages-with-commas-new-lines-and-labels",
            )
            for n in (0, 1, 3)
        ),
        pytest.param(
            inline(
                "id = 33, phone = 79990003344, Status = -3, check_time = 10.03.2024 12:01:00\n"
                + line0(FX, "79990001122", "1", "0"),
                0,
            ),
            [B, A],
            [NOT_FOUND, short(1, MessageStatus.DELIVERED, ref=A)],
            id="fmt0-record-ending-after-its-time",
        ),
        pytest.param(
            inline("33,79990003344,-3,1710061260\n" + line1(FX, "79990001122", "1", "0"), 1),
            [B, A],
            [NOT_FOUND, short(1, MessageStatus.DELIVERED, ref=A)],
            id="fmt1-record-ending-after-its-time",
        ),
        pytest.param(
            status("statuses-recorded.fmt3.txt"),
            [B],
            [RECORDED],
            id="fmt3-recorded-record-err-absent-is-0",
        ),
        pytest.param(
            status("statuses-otetz.fmt3.txt"),
            [MessageRef("1", "7926xxxxxxx")],
            [OTETZ],
            id="fmt3-otetz-all-2",
        ),
        *(
            pytest.param(
                inline(line(B.id, "79990003344", "7", "249"), n),
                [B],
                [short(7, MessageStatus.UNKNOWN, 249)],
                id=f"fmt{n}-unknown-status-kept",
            )
            for n, line in ((0, line0), (1, line1))
        ),
        pytest.param(
            inline(
                '[{"id": 33, "phone": 79990003344, "status": 99, "err": 300, '
                '"last_timestamp": 1710061260}]',
                3,
            ),
            [B],
            [
                MessageState(
                    id="33",
                    phone="+79990003344",
                    status=MessageStatus.UNKNOWN,
                    status_code=99,
                    changed_at=msk(10, 3, 2024, 12, 1),
                    error_code=300,
                    error=None,
                )
            ],
            id="fmt3-unknown-status-and-error-phone-number",
        ),
        pytest.param(
            inline(
                "<list><sms><id>33</id><phone>79990003344</phone><status>22</status>"
                "<last_date>10.03.2024 12:01:00</last_date><err></err></sms></list>",
                2,
            ),
            [B],
            [short(22, MessageStatus.INVALID_NUMBER)],
            id="fmt2-empty-err-is-0",
        ),
        pytest.param(
            inline(
                '[{"id": "33", "phone": "79990003344", "status": 1, "last_date": '
                '"10.03.2024 12:01:00", "last_timestamp": 0, "send_date": "", "cost": ""}]',
                3,
            ),
            [B],
            [short(1, MessageStatus.DELIVERED)],
            id="fmt3-timestamp-0-falls-back-to-the-date-empty-is-none",
        ),
        pytest.param(
            inline(
                f'[{{"id": "{FX}", "phone": "79990001122", "error": "record not found", '
                '"error_code": 3}, {"id": 33, "phone": "79990003344", "status": -1}]',
                3,
            ),
            [A, B],
            [
                MessageState(
                    id=FX,
                    phone="79990001122",
                    status=MessageStatus.NOT_FOUND,
                    status_code=-3,
                    error_code=0,
                    error=NO_ERROR,
                ),
                MessageState(
                    id="33",
                    phone="+79990003344",
                    status=MessageStatus.WAITING,
                    status_code=-1,
                    error_code=0,
                    error=NO_ERROR,
                ),
            ],
            id="fmt3-per-item-error-3-is-not-found",
        ),
        pytest.param(
            inline(
                "<list><sms><id>33</id><phone>+79990003344</phone><error>record not found</error>"
                "<error_code>3</error_code></sms></list>",
                2,
            ),
            [B],
            [
                MessageState(
                    id="33",
                    phone="+79990003344",
                    status=MessageStatus.NOT_FOUND,
                    status_code=-3,
                    error_code=0,
                    error=NO_ERROR,
                )
            ],
            id="fmt2-per-item-error-3-is-not-found",
        ),
        pytest.param(
            inline(
                line0(B.id, "79990003344", "1", "0").replace(
                    "region = ", "region = Moscow, Moscow region"
                ),
                0,
            ),
            [B],
            [
                MessageState(
                    id="33",
                    phone="+79990003344",
                    status=MessageStatus.DELIVERED,
                    status_code=1,
                    changed_at=msk(10, 3, 2024, 12, 1),
                    error_code=0,
                    error=NO_ERROR,
                    region="Moscow, Moscow region",
                )
            ],
            id="fmt0-region-with-comma",
        ),
        pytest.param(
            inline(line1(A.id, A.phone, "1") + "\n" + line1(A.id, "+" + A.phone, "2") + "\n", 1),
            [A, A],
            [short(1, MessageStatus.DELIVERED, ref=A), short(2, MessageStatus.READ, ref=A)],
            id="fmt1-the-same-message-twice",
        ),
        *(
            pytest.param(inline(body, n), [], [], id=f"fmt{n}-none-asked")
            for n, body in ((0, ""), (1, "\n"), (2, "<list>\n</list>"), (3, "[]"))
        ),
    ],
)
def test_parse_message_states(sample, refs, expected):
    states = parse_message_states(sample, refs)
    assert states == expected
    assert [state.ref for state in states] == refs


@pytest.mark.parametrize(
    ("sample", "refs"),
    [
        *(
            pytest.param(status(f"statuses.fmt{n}.txt"), [B, A], id=f"fmt{n}-other-order")
            for n in FMTS
        ),
        # In fmt 0 and 1 lines after the last message asked are its message's (see below).
        *(pytest.param(status(f"statuses.fmt{n}.txt"), [A], id=f"fmt{n}-one-more") for n in (2, 3)),
        *(
            pytest.param(status(f"statuses.fmt{n}.txt"), [A, B, A], id=f"fmt{n}-one-fewer")
            for n in FMTS
        ),
        pytest.param(
            status("statuses.fmt1.txt"), [A, MessageRef("33", "79990009999")], id="fmt1-other-phone"
        ),
        pytest.param(
            status("statuses.fmt3.txt"), [A, MessageRef("33", "79990009999")], id="fmt3-other-phone"
        ),
        pytest.param(inline(line1("33", "79990003344", "x"), 1), [B], id="fmt1-status-word"),
        pytest.param(
            inline(line1("33", "79990003344", "1")[:-9], 1), [B], id="fmt1-fields-missing"
        ),
        pytest.param(inline("garbage\n" + line1("33", "79990003344", "1"), 1), [B], id="fmt1-lead"),
        pytest.param(
            inline(line0("33", "79990003344", "1").replace("12:01:00", "31.02"), 0),
            [B],
            id="fmt0-bad-check-time",
        ),
        pytest.param(
            inline(
                '[{"id": 33, "phone": "79990003344", "status": 1, '
                '"last_timestamp": 99999999999999999}]',
                3,
            ),
            [B],
            id="fmt3-timestamp-beyond-datetime",
        ),
        pytest.param(
            inline(
                '[{"id": 33, "phone": "79990003344", "status": 1, "last_date": "31.02.2024 '
                '10:00:00"}]',
                3,
            ),
            [B],
            id="fmt3-no-such-day",
        ),
        pytest.param(
            inline('[{"id": 33, "phone": "79990003344", "status": true}]', 3), [B], id="fmt3-bool"
        ),
        pytest.param(inline('[{"id": 33, "phone": "79990003344"}]', 3), [B], id="fmt3-no-status"),
        pytest.param(inline("[1]", 3), [B], id="fmt3-not-an-object"),
        pytest.param(
            inline('{"id": 33, "phone": "79990003344", "status": 1}', 3),
            [B],
            id="fmt3-bare-object",
        ),
        pytest.param(
            inline('[{"id": 33, "phone": "79990003344", "error": "x", "error_code": 1}]', 3),
            [B],
            id="fmt3-per-item-error-1",
        ),
        pytest.param(
            inline('[{"id": 33, "phone": "79990003344", "error": "x"}]', 3),
            [B],
            id="fmt3-per-item-error-without-code",
        ),
        pytest.param(
            inline('[{"id": 34, "phone": "79990003344", "error": "x", "error_code": 3}]', 3),
            [B],
            id="fmt3-per-item-error-of-another-message",
        ),
        pytest.param(
            inline(
                "<list><sms><id>33</id><phone>79990003344</phone>"
                "<error_code>9</error_code></sms></list>",
                2,
            ),
            [B],
            id="fmt2-per-item-error-9",
        ),
        pytest.param(inline("<result><status>1</status></result>", 2), [B], id="fmt2-result-root"),
        pytest.param(inline("<list><job/></list>", 2), [B], id="fmt2-other-item"),
        pytest.param(inline("", 1), [B], id="fmt1-empty"),
        pytest.param(inline("33,79990003344,-3,soon", 1), [B], id="fmt1-short-bad-time"),
        pytest.param(inline("33,79990003344,-3", 1), [B], id="fmt1-shorter-still"),
        pytest.param(
            inline("id = 33, phone = 79990003344, Status = -3, check_time = now", 0),
            [B],
            id="fmt0-short-bad-time",
        ),
    ],
)
def test_parse_message_states_protocol_errors(sample, refs):
    with pytest.raises(UpstreamProtocolError):
        parse_message_states(sample, refs)


@pytest.mark.parametrize("fmt", [0, 1])
def test_lines_after_the_last_message_asked_are_its_text(fmt):
    """The ambiguity of fmt 0 and 1 (facade/smsc/parse/__init__.py): nothing tells an extra
    record from a line of the last message, so the extra record reads as part of that text."""
    (state,) = parse_message_states(status(f"statuses.fmt{fmt}.txt"), [A])
    assert state.message is not None
    assert state.message.startswith("Hi, Ann\n")
    assert "33" in state.message


def test_per_item_error_names_no_body_bytes():
    sample = inline('[{"id": 33, "phone": "79990003344", "error": "s3cret", "error_code": 5}]', 3)
    with pytest.raises(UpstreamProtocolError) as caught:
        parse_message_states(sample, [B])
    assert caught.value.reason == "record 1 is SMSC error 5"
    assert "s3cret" not in caught.value.diagnostic
