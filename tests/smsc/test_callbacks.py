"""The forms SMSC posts to the callback URL: status changes, incoming messages, malformed forms
(CallbackError, never a value of the form in its message) and the md5/sha1 checksum."""

import datetime as dt
import decimal
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facade.domain.answers import Answer
from facade.domain.common import MOSCOW
from facade.domain.messages import MessageState, MessageStatus
from facade.smsc.callbacks import CallbackError, parse_callback, verify_checksum

FX = "fxk7m2q4r5s6t7u2v3w4x5"
NOW = dt.datetime(2024, 3, 10, 9, 0, 7, tzinfo=dt.UTC)
SECRET = "k3y-of-the-account"  # noqa: S105 - a test value, not a secret
NO_ERROR = "No error (subscriber exists and is reachable)"


def msk(day: int, month: int, year: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MOSCOW)


def hexdigest(name: str, text: str) -> str:
    return hashlib.new(name, text.encode(), usedforsecurity=False).hexdigest()


STATUS_FORM = {
    "id": FX,
    "phone": "79990001122",
    "status": "1",
    "err": "0",
    "ts": "1710061205",
    "cnt": "2",
    "cost": "1.40",
    "sender": "Shop",
}
INCOMING_FORM = {
    "id": "1001",
    "phone": "79991234567",
    "mes": "Yes, I agree",
    "to": "79000000001",
    "sent": "1710061201",
}


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        pytest.param(
            STATUS_FORM,
            MessageState(
                id=FX,
                phone="79990001122",
                status=MessageStatus.DELIVERED,
                status_code=1,
                changed_at=msk(10, 3, 2024, 12, 0, 5),
                error_code=0,
                error=NO_ERROR,
                cost=decimal.Decimal("1.40"),
                sender="Shop",
                parts=2,
            ),
            id="status-every-field",
        ),
        pytest.param(
            {"id": "12345", "phone": "79990001122", "status": "20", "err": "1", "md5": "x"},
            MessageState(
                id="12345",
                phone="79990001122",
                status=MessageStatus.UNDELIVERABLE,
                status_code=20,
                error_code=1,
                error="Subscriber does not exist",
            ),
            id="status-smsc-id-no-time",
        ),
        pytest.param(
            {"id": FX, "phone": "79990001122", "status": "-1", "err": "", "ts": "", "cost": ""},
            MessageState(
                id=FX,
                phone="79990001122",
                status=MessageStatus.WAITING,
                status_code=-1,
                error_code=0,
                error=NO_ERROR,
            ),
            id="status-empty-fields-are-none-err-0",
        ),
        pytest.param(
            {"id": FX, "phone": "ann@example.com", "status": "77", "err": "300", "sender": ""},
            MessageState(
                id=FX,
                phone="ann@example.com",
                status=MessageStatus.UNKNOWN,
                status_code=77,
                error_code=300,
                error=None,
            ),
            id="status-unknown-codes-kept",
        ),
        pytest.param(
            INCOMING_FORM,
            Answer(
                id="1001",
                received_at=NOW,
                phone="79991234567",
                message="Yes, I agree",
                to_phone="79000000001",
                sent_at=msk(10, 3, 2024, 12, 0, 1),
            ),
            id="incoming-every-field",
        ),
        pytest.param(
            {"id": "1002", "phone": "+79991234567", "mes": " Stop,\nplease ", "sent": "0"},
            Answer(
                id="1002",
                received_at=NOW,
                phone="+79991234567",
                message=" Stop,\nplease ",
                to_phone=None,
                sent_at=None,
            ),
            id="incoming-text-as-sent-no-to-sent-0",
        ),
        pytest.param(
            {"id": "1003", "phone": "79991234567", "mes": ""},
            Answer(
                id="1003",
                received_at=NOW,
                phone="79991234567",
                message="",
                to_phone=None,
                sent_at=None,
            ),
            id="incoming-empty-text",
        ),
    ],
)
def test_parse_callback(form, expected):
    assert parse_callback(form, received_at=NOW) == expected


@pytest.mark.parametrize(
    ("form", "field"),
    [
        pytest.param(STATUS_FORM | {"status": "delivered"}, "status", id="status-a-word"),
        pytest.param(STATUS_FORM | {"status": ""}, "status", id="status-empty"),
        pytest.param({k: v for k, v in STATUS_FORM.items() if k != "id"}, "id", id="no-id"),
        pytest.param(STATUS_FORM | {"id": "1,2"}, "id", id="id-with-comma"),
        pytest.param(STATUS_FORM | {"id": "x" * 41}, "id", id="id-too-long"),
        pytest.param(STATUS_FORM | {"phone": ""}, "phone", id="phone-empty"),
        pytest.param(STATUS_FORM | {"phone": "7999 1"}, "phone", id="phone-with-space"),
        pytest.param(STATUS_FORM | {"err": "-1"}, "err", id="err-negative"),
        pytest.param(STATUS_FORM | {"ts": "yesterday"}, "ts", id="ts-a-word"),
        pytest.param(STATUS_FORM | {"ts": "9" * 18}, "ts", id="ts-beyond-datetime"),
        pytest.param(STATUS_FORM | {"cost": "1,40"}, "cost", id="cost-comma"),
        pytest.param(STATUS_FORM | {"cnt": "two"}, "cnt", id="cnt-a-word"),
        pytest.param({"id": "1001", "phone": "79991234567"}, "mes", id="incoming-no-mes"),
        pytest.param(INCOMING_FORM | {"id": FX}, "id", id="incoming-id-not-digits"),
        pytest.param(INCOMING_FORM | {"to": "a b"}, "to", id="incoming-to-with-space"),
        pytest.param(INCOMING_FORM | {"sent": "-5"}, "sent", id="incoming-sent-negative"),
        pytest.param({}, "mes", id="empty-form-is-an-incoming-message-without-text"),
    ],
)
def test_malformed_callbacks(form, field):
    with pytest.raises(CallbackError) as caught:
        parse_callback(form, received_at=NOW)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"callback field {field!r}: ")


def test_callback_error_holds_no_value_of_the_form():
    with pytest.raises(CallbackError) as caught:
        parse_callback(STATUS_FORM | {"status": "s3cret-canary"}, received_at=NOW)
    assert "s3cret-canary" not in str(caught.value)
    assert not isinstance(caught.value, ValueError)
    assert str(caught.value) == "callback field 'status': is not of its shape"


def test_received_at_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        parse_callback(INCOMING_FORM, received_at=dt.datetime(2024, 3, 10, 9, 0))  # noqa: DTZ001 - the point


@settings(max_examples=500, deadline=None)
@given(
    form=st.dictionaries(
        st.sampled_from(["id", "phone", "status", "err", "ts", "cnt", "cost", "mes", "to", "sent"]),
        st.one_of(st.text(max_size=24), st.from_regex(r"-?[0-9]{1,20}", fullmatch=True)),
    )
)
def test_any_form_reads_or_is_a_callback_error(form):
    result: object
    try:
        result = parse_callback(form, received_at=NOW)
    except CallbackError as exc:
        result = exc
    assert isinstance(result, (MessageState, Answer, CallbackError))
    if isinstance(result, CallbackError):
        assert result.field in {*form, "id", "phone", "mes", "status"}


# ---------------------------------------------------------------------------- checksums

STATUS_TEXT = f"{FX}:79990001122:1:{SECRET}"
INCOMING_TEXT = f"1001:79991234567::{SECRET}"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        pytest.param(STATUS_FORM | {"md5": hexdigest("md5", STATUS_TEXT)}, True, id="md5-right"),
        pytest.param(
            STATUS_FORM | {"md5": hexdigest("md5", STATUS_TEXT).upper()}, True, id="md5-uppercase"
        ),
        pytest.param(STATUS_FORM | {"sha1": hexdigest("sha1", STATUS_TEXT)}, True, id="sha1-right"),
        pytest.param(
            STATUS_FORM | {"sha1": hexdigest("sha1", STATUS_TEXT).upper()},
            True,
            id="sha1-uppercase",
        ),
        pytest.param(
            STATUS_FORM
            | {"md5": hexdigest("md5", STATUS_TEXT), "sha1": hexdigest("sha1", STATUS_TEXT)},
            True,
            id="both-right",
        ),
        pytest.param(
            INCOMING_FORM | {"md5": hexdigest("md5", INCOMING_TEXT)},
            True,
            id="incoming-status-empty",
        ),
        pytest.param(
            STATUS_FORM | {"md5": hexdigest("md5", f"{FX}:79990001122:1:other")},
            False,
            id="md5-other-secret",
        ),
        pytest.param(
            STATUS_FORM | {"status": "2", "md5": hexdigest("md5", STATUS_TEXT)},
            False,
            id="md5-of-another-status",
        ),
        pytest.param(
            STATUS_FORM
            | {"md5": hexdigest("md5", STATUS_TEXT), "sha1": hexdigest("sha1", "forged")},
            False,
            id="one-right-one-wrong",
        ),
        pytest.param(
            STATUS_FORM | {"md5": hexdigest("md5", STATUS_TEXT)[:-1]}, False, id="md5-truncated"
        ),
        pytest.param(STATUS_FORM | {"md5": ""}, False, id="md5-empty"),
        pytest.param(STATUS_FORM | {"md5": "ä" * 32}, False, id="md5-not-ascii"),
        pytest.param(STATUS_FORM, False, id="missing"),
        pytest.param(STATUS_FORM | {"crc32": "12345678"}, False, id="crc32-only"),
        pytest.param(
            {
                "phone": "79990001122",
                "status": "1",
                "md5": hexdigest("md5", f":79990001122:1:{SECRET}"),
            },
            False,
            id="no-id",
        ),
    ],
)
def test_verify_checksum(form, expected):
    assert verify_checksum(form, SECRET) is expected


def test_verify_checksum_needs_a_secret():
    with pytest.raises(ValueError, match="secret"):
        verify_checksum(STATUS_FORM | {"md5": hexdigest("md5", f"{FX}:79990001122:1:")}, "")
