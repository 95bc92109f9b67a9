"""fmt 3 batches checked a field at a time accept exactly the records that read one by one, with
the same values; and `Columns` converts a field as `Record` converts one value."""

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facade.domain.contacts import Contact
from facade.errors import UpstreamProtocolError
from facade.smsc.parse import contacts, keyed
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.parse.fields import (
    DAY,
    ID,
    IDS,
    PHONE,
    PHONES,
    TAGS,
    Columns,
    Field,
    Record,
    RecordError,
)
from facade.smsc.wire import Endpoint, Fmt, Reply

SPEC = contacts.SPEC
STRINGS = st.sampled_from(
    [
        "",
        "7999",
        "+7999",
        "79991234567,79991234568",
        "7999; 7998",
        " 7999",
        "٧٩٩٩",
        "41",
        "41, 42",
        "a",
        "vip,b2b",
        " x , ,y",
        "01.02.1990",
        "31.02.1990",
        "1.2.1990",
        "a@b.c",
        "a@b.c; d@e",
    ]
)
VALUES = st.one_of(
    STRINGS,
    st.none(),
    st.integers(min_value=-5, max_value=10**6),
    st.booleans(),
    st.just([1]),
)
ITEM = st.dictionaries(st.sampled_from([field.name for field in SPEC.fields]), VALUES)


def one_by_one(items: list[Any]) -> list[dict[str, str | None]] | str:
    try:
        return [keyed._json_values(SPEC, item) for item in items]
    except RecordError as exc:
        return str(exc)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            ITEM, st.just({"phone": "7999"}), st.just({"mail": "a@b.c"}), st.just("not a record")
        ),
        max_size=6,
    )
)
def test_a_batch_passes_exactly_when_every_record_reads(items: list[Any]) -> None:
    rows = one_by_one(copy.deepcopy(items))
    checked = copy.deepcopy(items)

    columns = keyed._read_columns(SPEC, checked)

    if isinstance(rows, str):
        assert columns is None
    else:
        assert columns is not None
        for field in SPEC.fields:
            assert list(columns[field.name]) == [row[field.name] for row in rows]
            assert [item.get(field.name) for item in checked] == [row[field.name] for row in rows]


FIELDS = {
    "phones": Field("phones", PHONES),
    "ids": Field("ids", IDS),
    "tags": Field("tags", TAGS),
    "day": Field("day", DAY),
    "phone": Field("phone", PHONE),
    "id": Field("id", ID),
}
TEXTS = st.one_of(st.none(), STRINGS)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {**dict.fromkeys(FIELDS, TEXTS), "day": st.sampled_from([None, "", "29.02.2000"])}
        ),
        max_size=5,
    )
)
def test_columns_convert_as_records_do(rows: list[dict[str, str | None]]) -> None:
    batch = Columns(FIELDS, rows)
    records = [Record(FIELDS, row) for row in rows]

    for name in ("phones", "ids", "tags"):
        assert batch.items(name) == [record.items(name) for record in records]
    for name in FIELDS:
        assert batch.optional_texts(name) == [record.optional_text(name) for record in records]
    assert batch.days("day") == [record.day("day") for record in records]


@pytest.mark.parametrize("shape", [ID, PHONE, PHONES, IDS], ids=lambda shape: shape.name)
def test_digits_shapes_take_any_run_of_ascii_digits_as_one_item(shape: Any) -> None:
    for run in ("0", "7", "79161234567", "0" * 40):
        assert shape.digits
        assert shape.pattern.fullmatch(run)
        assert shape.split is None or shape.split.split(run) == [run]


def body(records: list[dict[str, Any]]) -> Reply:
    text = "[" + ",\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "]"
    return Reply(body=text.encode(), endpoint=Endpoint.PHONES, command="get", fmt=Fmt.JSON)


def record(n: int, **values: Any) -> dict[str, Any]:
    return {"phone": f"7916{n:07d}", "name": f"Имя {n}", "group": "", **values}


def test_a_large_list_with_numbers_and_left_out_fields_reads() -> None:
    records = [record(n) for n in range(3000)]
    records[1234] = record(1234, group=41, birthday="29.02.2000")  # the page writes it unquoted
    del records[2000]["name"]

    found = parse_contacts(body(records))

    assert len(found) == 3000
    assert found[1234].group_ids == ("41",)
    assert found[1234].birthday == dt.date(2000, 2, 29)
    assert found[2000].name is None
    assert all(isinstance(contact, Contact) for contact in found)


def test_a_large_list_of_phone_and_e_mail_contacts_reads() -> None:
    records = [record(n) for n in range(3000)]
    for n in range(0, 3000, 7):
        records[n] = {"mail": f"user{n}@example.com", "name": f"Имя {n}", "mail_other": ""}

    found = parse_contacts(body(records))

    assert [c.emails for c in found[:8]] == [
        ("user0@example.com",),
        *[()] * 6,
        ("user7@example.com",),
    ]
    assert [c.phones for c in found[:2]] == [(), ("79160000001",)]
    assert sum(bool(c.emails) for c in found) == len(range(0, 3000, 7))
    assert not any(c.phones and c.emails for c in found)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param({"mail": "a@b.c"}, "a record holds both phone and mail fields", id="both"),
        pytest.param({"phone": None}, "phone or mail is missing", id="neither"),
        pytest.param({"phone": ["7999"]}, "phone is a JSON list", id="list-value"),
        pytest.param({"phone": ""}, "phone is not of shape phones", id="empty-phone"),
        pytest.param({"phone": "seven"}, "phone is not of shape phones", id="not-a-phone"),
        pytest.param({"birthday": "31.02.1990"}, "birthday is not a real date", id="no-such-day"),
        pytest.param({"group": True}, "group is a JSON bool", id="bool-group"),
        pytest.param({"name": 5}, "name is a JSON int", id="number-name"),
    ],
)
def test_one_bad_record_in_a_large_list_is_named(bad: dict[str, Any], reason: str) -> None:
    records = [record(n) for n in range(3000)]
    records[2999] = {**records[2999], **bad}

    with pytest.raises(UpstreamProtocolError) as caught:
        parse_contacts(body(records))

    assert caught.value.reason == reason
