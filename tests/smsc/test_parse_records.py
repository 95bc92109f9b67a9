"""The generic record reader: shapes, conversions, and the fmt 0/1 field search."""

import bisect
import dataclasses
import datetime as dt
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facade.domain.common import MOSCOW
from facade.errors import UpstreamProtocolError
from facade.smsc.parse import contacts, jobs, templates
from facade.smsc.parse.fields import (
    EMAIL,
    ID,
    INT,
    MOMENT,
    PHONE,
    TEXT,
    Field,
    Record,
    RecordError,
)
from facade.smsc.parse.records import RecordSpec, _split, read_list, reorder, with_shapes
from facade.smsc.wire import Endpoint, Fmt, Reply


def record(**values: str | None) -> Record:
    fields = {name: Field(name, TEXT, optional=True) for name in values}
    return Record(fields, values)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "01.03.2024 10:00:00", dt.datetime(2024, 3, 1, 10, tzinfo=MOSCOW), id="seconds"
        ),
        pytest.param(
            "01.03.2024 10:05", dt.datetime(2024, 3, 1, 10, 5, tzinfo=MOSCOW), id="minutes"
        ),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="left-out"),
    ],
)
def test_moment(value, expected):
    assert record(at=value).moment("at") == expected


@pytest.mark.parametrize(
    ("call", "value"),
    [
        pytest.param("moment", "30.02.2024 10:00:00", id="moment-30-february"),
        pytest.param("moment", "01.03.2024 24:00:00", id="moment-hour-24"),
        pytest.param("required_moment", "", id="required-moment-empty"),
        pytest.param("day", "00.01.2024", id="day-0"),
        pytest.param("text", None, id="text-left-out"),
    ],
)
def test_conversions_refuse(call, value):
    with pytest.raises(RecordError):
        getattr(record(at=value), call)("at")


def test_items_without_a_split_pattern_is_the_whole_value():
    assert record(at=" one, two ").items("at") == ("one, two",)
    assert record(at=None).items("at") == ()


def test_layout_helpers():
    fields = (Field("a", ID), Field("b", TEXT), Field("c", INT))
    assert [field.name for field in reorder(fields, ("c", "a", "b"))] == ["c", "a", "b"]
    assert with_shapes(fields, b=INT)[1].shape is INT
    assert with_shapes(fields, b=INT)[0] is not fields[0]


SHAPED = RecordSpec(fields=(Field("id", ID), Field("at", MOMENT, optional=True)), xml_item="x")


def shaped(body: str, fmt: int) -> Reply:
    return Reply(body=body.encode(), endpoint=Endpoint.JOBS, command="get_all", fmt=Fmt(fmt))


@pytest.mark.parametrize(
    ("body", "fmt", "expected"),
    [
        pytest.param(
            "1,01.03.2024 10:00\n2,", 1, [("1", "01.03.2024 10:00"), ("2", "")], id="fmt1"
        ),
        pytest.param("id = 1, at = \nid = 2, at = ", 0, [("1", ""), ("2", "")], id="fmt0"),
    ],
)
def test_records_of_fixed_shape_fields_only(body, fmt, expected):
    def build(rec):
        return (rec.text("id"), rec.text("at"))

    assert read_list(shaped(body, fmt), SHAPED, build) == expected


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        pytest.param("1,01.03.2024 10:00,x", 1, id="fmt1-extra-field"),
        pytest.param("1", 1, id="fmt1-one-field-missing"),
        pytest.param("id = 1", 0, id="fmt0-label-missing"),
    ],
)
def test_records_of_fixed_shape_fields_only_refused(body, fmt):
    with pytest.raises(UpstreamProtocolError):
        read_list(shaped(body, fmt), SHAPED, lambda rec: rec)


# Two kinds of record in one list, as contacts (phone or e-mail) and the blacklist.
KINDS = RecordSpec(
    fields=(
        Field("id", ID),
        Field("phone", PHONE, omissible=True),
        Field("email", EMAIL, omissible=True),
        Field("note", TEXT, optional=True),
    ),
    xml_item="x",
    kinds=(("phone",), ("email",)),
)


def test_a_spec_of_kinds_has_a_layout_per_kind_in_fmt_0_and_1():
    def names(layouts: tuple[tuple[Field, ...], ...]) -> list[list[str]]:
        return [[field.name for field in layout] for layout in layouts]

    expected = [["id", "phone", "note"], ["id", "email", "note"]]
    assert names(KINDS.text_layouts) == names(KINDS.csv_layouts) == expected
    assert names(dataclasses.replace(KINDS).csv_layouts) == expected, "made once, kept as made"
    assert names(contacts.SPEC.csv_layouts) == [
        [field.name for field in contacts.SPEC.fields if not field.name.startswith("mail")],
        [field.name for field in contacts.SPEC.fields if not field.name.startswith("phone")],
    ]


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        pytest.param(
            "id = 1, phone = 7999, note = a, b\nid = 2, email = a@b, note = ", 0, id="fmt0"
        ),
        pytest.param("1,7999,a, b\n2,a@b,", 1, id="fmt1"),
        pytest.param(
            "<list><x><id>1</id><phone>7999</phone><note>a, b</note></x>"
            "<x><id>2</id><email>a@b</email><note/></x></list>",
            2,
            id="fmt2",
        ),
        pytest.param(
            '[{"id": 1, "phone": "7999", "note": "a, b"}, {"id": 2, "email": "a@b", "note": ""}]',
            3,
            id="fmt3",
        ),
    ],
)
def test_records_of_two_kinds_read_in_every_fmt(body, fmt):
    def build(rec: Record) -> tuple[str, str | None, str | None, str | None]:
        return (
            rec.text("id"),
            rec.optional_text("phone"),
            rec.optional_text("email"),
            rec.optional_text("note"),
        )

    assert read_list(shaped(body, fmt), KINDS, build) == [
        ("1", "7999", None, "a, b"),
        ("2", None, "a@b", None),
    ]


@pytest.mark.parametrize(
    ("body", "fmt", "reason"),
    [
        pytest.param(
            '[{"id": 1, "phone": "7999", "email": "a@b", "note": ""}]',
            3,
            "a record holds both phone and email fields",
            id="fmt3-both",
        ),
        pytest.param('[{"id": 1, "note": ""}]', 3, "phone or email is missing", id="fmt3-neither"),
        pytest.param(
            "<list><x><id>1</id><phone>7999</phone><email>a@b</email><note/></x></list>",
            2,
            "a record holds both phone and email fields",
            id="fmt2-both",
        ),
        pytest.param(
            "<list><x><id>1</id><note/></x></list>",
            2,
            "phone or email is missing",
            id="fmt2-neither",
        ),
        pytest.param("1,a b,", 1, "the body does not start with a record", id="fmt1-neither-shape"),
        pytest.param(
            "id = 1, note = x", 0, "the body does not start with a record", id="fmt0-neither"
        ),
        pytest.param(
            "id = 1, phone = 7999, email = a@b, note = ",
            0,
            "the body does not start with a record",
            id="fmt0-both",
        ),
    ],
)
def test_a_record_holds_one_kind_exactly(body, fmt, reason):
    with pytest.raises(UpstreamProtocolError) as caught:
        read_list(shaped(body, fmt), KINDS, lambda rec: rec)
    assert caught.value.reason == reason


REQUIRED_TEXT = RecordSpec(
    fields=(Field("id", ID), Field("name", TEXT), Field("n", INT)), xml_item="x"
)


@pytest.mark.parametrize(
    ("body", "fmt", "expected"),
    [
        pytest.param("1,a,b,5", 1, [("1", "a,b", 5)], id="fmt1-free-text-with-commas"),
        pytest.param("1,,x,5", 1, [("1", ",x", 5)], id="fmt1-required-text-takes-one-more-piece"),
        pytest.param("1,,5", 1, None, id="fmt1-required-text-empty"),
        pytest.param("id = 1, name = , n = 5", 0, None, id="fmt0-required-text-empty"),
    ],
)
def test_required_free_text_is_never_empty(body, fmt, expected):
    def build(rec: Record) -> tuple[str, str, int]:
        return (rec.text("id"), rec.text("name"), rec.integer("n"))

    if expected is None:
        with pytest.raises(UpstreamProtocolError):
            read_list(shaped(body, fmt), REQUIRED_TEXT, build)
    else:
        assert read_list(shaped(body, fmt), REQUIRED_TEXT, build) == expected


# The reference: a plain depth-first search in the documented order (R2, R3), memoised on
# (field, start). `_split` must find the very same reading, in linear time.
def reference_split(
    text: str, begin: int, fields: Sequence[Field], separators: Sequence[str], *, csv: bool
) -> list[str] | None:
    found = {
        separator: [i for i in range(len(text)) if text.startswith(separator, i)]
        for separator in set(separators[1:])
    }
    last = len(fields) - 1
    failed: set[tuple[int, int]] = set()

    def solve(index: int, start: int) -> list[str] | None:
        field = fields[index]
        if index == last:
            return [text[start:]] if field.fits(text[start:], csv=csv) else None
        if (index, start) in failed:
            return None
        separator = separators[index + 1]
        positions = found[separator]
        first = bisect.bisect_left(positions, start)
        ends = positions[first : first + 1]
        if field.shape.is_free(csv=csv):
            ends = positions[first:][::-1] if csv and field.shape.multi else positions[first:]
        for end in ends:
            if field.fits(text[start:end], csv=csv):
                rest = solve(index + 1, end + len(separator))
                if rest is not None:
                    return [text[start:end], *rest]
        failed.add((index, start))
        return None

    return solve(0, begin)


PIECES = st.sampled_from(
    [
        "",
        "1",
        "7",
        "79991234567",
        "+7999",
        "a",
        "Bob",
        "x y",
        " 2",
        "sms",
        "viber",
        "word",
        "01.02.1990",
        "01.02.1990 10:00:00",
        "a = b",
        "-3",
        "a@b.c",
        "x@y",
    ]
)
LAYOUTS = [
    pytest.param(contacts.SPEC.csv_layouts[0], id="contacts"),
    pytest.param(contacts.SPEC.csv_layouts[1], id="contacts-e-mail"),
    pytest.param(templates.SPEC.csv_layouts[0], id="templates-known-formats"),
    pytest.param(templates.SPEC.csv_layouts[1], id="templates-any-format"),
    pytest.param(jobs.SPEC.csv_layouts[0], id="jobs"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, min_size=1, max_size=24))
def test_fmt1_split_matches_the_reference_search(layout, pieces):
    text = ",".join(pieces)
    separators = [","] * len(layout)
    assert _split(text, 0, layout, separators, csv=True) == reference_split(
        text, 0, layout, separators, csv=True
    )


@pytest.mark.parametrize(
    "spec",
    [pytest.param(contacts.SPEC, id="contacts"), pytest.param(templates.SPEC, id="templates")],
)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fmt0_split_matches_the_reference_search(spec, data):
    fields = spec.fields
    labels = st.sampled_from([f", {field.name} = " for field in fields])
    parts = data.draw(st.lists(st.tuples(PIECES, labels), max_size=16))
    text = f"{fields[0].name} = " + "".join(piece + label for piece, label in parts)
    text += data.draw(PIECES)
    separators = [f", {field.name} = " for field in fields]
    begin = len(f"{fields[0].name} = ")
    assert _split(text, begin, fields, separators, csv=False) == reference_split(
        text, begin, fields, separators, csv=False
    )
