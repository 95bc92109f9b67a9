"""A fmt 3 array read a piece at a time gives what `load_json` gives for the whole text: the same
items, or the same kind of error (the body's charset first, as when it is decoded whole)."""

import decimal
import json
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facade.errors import UpstreamProtocolError
from facade.smsc.parse import documents
from facade.smsc.parse.documents import is_json_array, load_json, load_json_array
from facade.smsc.wire import Endpoint, Fmt, Reply


def reply(body: bytes | str, charset: str = "utf-8") -> Reply:
    raw = body.encode(charset) if isinstance(body, str) else body
    return Reply(body=raw, endpoint=Endpoint.PHONES, command="get", fmt=Fmt.JSON, charset=charset)


def whole(body: Reply) -> object:
    """`load_json` on the decoded text, or the reason of the error it raises."""
    try:
        return load_json(body, body.text())
    except UpstreamProtocolError as exc:
        return exc.reason


def pieces(body: Reply) -> object:
    """`load_json_array`'s items, or the reason of the error it raises."""
    try:
        return [item for batch in load_json_array(body) for item in batch]
    except UpstreamProtocolError as exc:
        return exc.reason


@pytest.fixture(params=[1, 7, 64, 1 << 20], ids=lambda size: f"piece-{size}")
def piece(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Pieces of a few bytes: every item, string and character spans several."""
    size: int = request.param
    monkeypatch.setattr(documents, "_PIECE", size)
    return size


RECORDS = '[{\n"phone": "79161234567",\n"name": "Иван, \\"Ваня\\" 😀"\n},\n{\n"phone": "7903"\n}]'


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[]", id="empty"),
        pytest.param(" \r\n\t[ \n ] \n", id="empty-with-whitespace"),
        pytest.param(RECORDS, id="smsc-layout"),
        pytest.param(RECORDS.replace("\n", ""), id="compact"),
        pytest.param('[{"a": 1},{"b": [1,\n{"c": 2}]},\n{"d": 1.5}]', id="nested-cut-points"),
        pytest.param('[{"a": "x,\\n{y"},\n{"b": null}]', id="escaped-new-line-in-a-string"),
        pytest.param('[1,\n{"a": true},\n"s",\n[]]', id="not-records"),
        pytest.param('[{"a": 1},\n{"a": 2}] \n', id="trailing-whitespace"),
        pytest.param("[" + ",\n".join(f'{{"n": {n}}}' for n in range(300)) + "]", id="many"),
        pytest.param('[{"a": "raw\nnew line"},\n{"b": 1}]', id="raw-new-line-in-a-string"),
        pytest.param('[{"a": 1}],\n{"b": 2}]', id="extra-data"),
        pytest.param('[{"a": 1},\n{"b": 2}', id="unterminated"),
        pytest.param('[,\n{"a": 1}]', id="leading-comma"),
        pytest.param('[{"a": 1},\n]', id="trailing-comma"),
        pytest.param('[{"a": 1},\n{"b": NaN}]', id="nan"),
        pytest.param('[{"a": 1},\n{"b": 1e999999999999999999999}]', id="exponent-too-large"),
        pytest.param('[{"a": 1},\n{"b": ' + "9" * 5000 + "}]", id="huge-integer"),
        pytest.param("[" + "[" * 100_000 + "]" * 100_000 + "]", id="too-deep"),
        pytest.param("[\n", id="only-the-bracket"),
    ],
)
def test_pieces_read_as_the_whole_text(body: str, piece: int) -> None:
    assert pieces(reply(body)) == whole(reply(body))


def test_a_float_decimal_refuses_is_not_json() -> None:
    body = reply('{"cost": 1e999999999999999999999}')

    with pytest.raises(UpstreamProtocolError) as caught:
        load_json(body, body.text())

    assert caught.value.reason.startswith("not valid JSON")


def test_floats_are_decimals(piece: int) -> None:
    assert pieces(reply('[{"cost": 1.10},\n{"cost": 2}]')) == [
        {"cost": decimal.Decimal("1.10")},
        {"cost": 2},
    ]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'[{"a": "\xd0"},\n{"b": 1}]', id="cut-character"),
        pytest.param(b'[{"a": 1},\n{"b": NaN}] \xff', id="json-error-then-bad-bytes"),
        pytest.param(b'[{"a": "\xff"}, {"b": 1}]', id="bad-bytes-in-compact-body"),
    ],
)
def test_a_body_not_in_its_charset_says_so_first(body: bytes, piece: int) -> None:
    assert pieces(reply(body)) == whole(reply(body)) == "not valid utf-8"


def test_other_charsets_decode_piece_by_piece(piece: int) -> None:
    body = reply('[{"name": "Ёлка"},\n{"name": "Ёж"}]', charset="koi8-r")

    assert pieces(body) == [{"name": "Ёлка"}, {"name": "Ёж"}]


def test_the_items_come_a_piece_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "_PIECE", 1000)
    body = reply("[" + ",\n".join(f'{{"n": {n}}}' for n in range(1000)) + "]")

    batches = list(load_json_array(body))

    assert len(batches) > 5
    assert [item for batch in batches for item in batch] == [{"n": n} for n in range(1000)]


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        pytest.param(b"[]", "utf-8", True, id="array"),
        pytest.param(b" \n\t\r[{}]", "utf-8", True, id="after-json-whitespace"),
        pytest.param(b"[]", "windows-1251", True, id="cp1251"),
        pytest.param(b"[]", "KOI8-R", True, id="koi8-r"),
        pytest.param(b"\xef\xbb\xbf[]", "utf-8", False, id="bom"),
        pytest.param(b"\xc2\xa0[]", "utf-8", False, id="unicode-space"),
        pytest.param(b'{"error": "x"}', "utf-8", False, id="object"),
        pytest.param(b"ERROR = 3", "utf-8", False, id="envelope"),
        pytest.param(b"[]", "utf-16", False, id="not-ascii-compatible"),
        pytest.param(b"[]", "no-such-charset", False, id="unknown-charset"),
    ],
)
def test_is_json_array(body: bytes, charset: str, expected: bool) -> None:
    assert is_json_array(reply(body, charset)) is expected


TEXT = st.text(alphabet=st.sampled_from(list('ab,{}[]:"\\\n ё😀0')), max_size=8)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(), TEXT)
RECORD = st.dictionaries(st.sampled_from(["phone", "name", "group"]), VALUES, max_size=3)


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(RECORD, max_size=12),
    separator=st.sampled_from([",\n", ",", ", \n", ",\n\n"]),
    size=st.integers(min_value=1, max_value=64),
    cut=st.integers(min_value=0, max_value=400),
)
def test_any_array_reads_as_the_whole_text(
    records: list[dict[str, object]], separator: str, size: int, cut: int
) -> None:
    body = "[" + separator.join(json.dumps(r, ensure_ascii=False) for r in records) + "]"
    damaged = body[:cut] + body[cut + 1 :]  # one character dropped: mostly not JSON any more
    with mock.patch.object(documents, "_PIECE", size):
        assert pieces(reply(body)) == records
        if is_json_array(reply(damaged)):
            assert pieces(reply(damaged)) == whole(reply(damaged))
