"""Literal bodies of the fmt 0-3 writers (docs/smsc-wire.md, "Error envelopes", "Lists")."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facade.emulator.render import (
    Record,
    escape_xml,
    render_created,
    render_date_time,
    render_error,
    render_list,
    render_ok,
    render_record,
)

RECORD = (("id", 7), ("name", 'a, "b"\n<&>'), ("number", None), ("cnt", "3"))


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "ERROR = 2 (authorise error)", id="fmt0"),
        pytest.param(1, "0,-2", id="fmt1"),
        pytest.param(
            2,
            "<result>\n<error>authorise error</error>\n<error_code>2</error_code>\n</result>",
            id="fmt2",
        ),
        pytest.param(3, '{\n"error": "authorise error",\n"error_code": 2\n}', id="fmt3"),
    ],
)
def test_error_envelopes(fmt, body):
    assert render_error(fmt, 2, "authorise error") == body


@pytest.mark.parametrize(
    ("fmt", "json_result", "body"),
    [
        pytest.param(0, True, "OK", id="fmt0"),
        pytest.param(1, False, "OK", id="fmt1"),
        pytest.param(2, False, "<result>OK</result>", id="fmt2"),
        pytest.param(3, False, "OK", id="fmt3-bare-ok"),
        pytest.param(3, True, '{\n"result": "OK"\n}', id="fmt3-templates-json-ok"),
    ],
)
def test_ok(fmt, json_result, body):
    assert render_ok(fmt, json_result=json_result) == body


@pytest.mark.parametrize(
    ("fmt", "cost", "body"),
    [
        pytest.param(0, None, "OK, ID - 5", id="fmt0"),
        pytest.param(0, "1.40", "OK, ID - 5, COST - 1.40", id="fmt0-cost"),
        pytest.param(1, None, "5", id="fmt1"),
        pytest.param(1, "1.40", "5,1.40", id="fmt1-cost"),
        pytest.param(2, None, "<result>\n<id>5</id>\n</result>", id="fmt2"),
        pytest.param(
            2, "1.40", "<result>\n<id>5</id>\n<cost>1.40</cost>\n</result>", id="fmt2-cost"
        ),
        pytest.param(3, None, '{\n"id": 5\n}', id="fmt3"),
        pytest.param(3, "1.40", '{\n"id": 5,\n"cost": "1.40"\n}', id="fmt3-cost-string"),
    ],
)
def test_created(fmt, cost, body):
    assert render_created(fmt, 5, label="OK, ID - ", xml_root="result", cost=cost) == body


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, 'id = 7, name = a, "b"\n<&>, number = , cnt = 3', id="fmt0-unescaped"),
        pytest.param(1, '7,a, "b"\n<&>,,3', id="fmt1-unescaped"),
        pytest.param(
            2,
            '<group>\n<id>7</id>\n<name>a, "b"\n&lt;&amp;&gt;</name>\n<number></number>\n'
            "<cnt>3</cnt>\n</group>",
            id="fmt2-escaped",
        ),
        pytest.param(
            3, '{\n"id": 7,\n"name": "a, \\"b\\"\\n<&>",\n"cnt": "3"\n}', id="fmt3-none-omitted"
        ),
    ],
)
def test_record(fmt, body):
    assert render_record(fmt, RECORD, tag="group") == body


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        pytest.param(0, "", id="fmt0-empty"),
        pytest.param(1, "", id="fmt1-empty"),
        pytest.param(2, "<sms_answers>\n</sms_answers>", id="fmt2-empty"),
        pytest.param(3, "[]", id="fmt3-empty"),
    ],
)
def test_empty_list(fmt, body):
    assert render_list(fmt, [], tag="sms", root="sms_answers") == body


def test_list_of_two_in_fmt3_is_one_key_a_line():
    records = [(("id", 1), ("name", "Ё")), (("id", 2), ("name", "😀"))]
    body = render_list(3, records, tag="template")
    assert body == '[{\n"id": 1,\n"name": "Ё"\n},\n{\n"id": 2,\n"name": "😀"\n}]'


def test_list_lines_are_joined_without_trailing_newline():
    records = [(("id", 1), ("name", "x")), (("id", 2), ("name", "y"))]
    assert render_list(0, records, tag="t") == "id = 1, name = x\nid = 2, name = y"
    assert render_list(1, records, tag="t") == "1,x\n2,y"
    assert render_list(2, records, tag="t") == (
        "<list>\n<t>\n<id>1</id>\n<name>x</name>\n</t>\n<t>\n<id>2</id>\n<name>y</name>\n</t>\n</list>"
    )


def test_xml_escapes_only_amp_lt_gt():
    assert escape_xml("\"'<&>") == "\"'&lt;&amp;&gt;"


def test_dates_are_moscow_time():
    assert render_date_time(0) == "01.01.1970 03:00:00"
    assert render_date_time(None) == ""


def one_key_a_line(records: list[Record]) -> str:
    """fmt 3 written a value at a time: the layout `render_list` writes in one go."""
    objects = [
        "{\n"
        + ",\n".join(
            f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
            for key, value in record
            if value is not None
        )
        + "\n}"
        for record in records
    ]
    return "[" + ",\n".join(objects) + "]"


TRICKY = st.text(alphabet=st.sampled_from(list('a"\\\n\t\x00я😀<&>{}[],: ')), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(["id", "name", "phone", "cnt"]),
                st.one_of(st.none(), st.integers(), TRICKY, st.just("},\n{")),
            ),
            max_size=4,
            unique_by=lambda pair: pair[0],
        ).map(tuple),
        max_size=5,
    )
)
def test_a_fmt3_list_is_one_key_a_line_whatever_the_text(records):
    assert render_list(3, records, tag="x") == one_key_a_line(records)
    for record in records:
        assert render_record(3, record, tag="x") == one_key_a_line([record])[1:-1]
