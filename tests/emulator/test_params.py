"""Decoding parameters: charset first, then the rest with it (docs/smsc-wire.md, "Requests")."""

from urllib.parse import quote_from_bytes

import pytest

from facade.emulator.command import CommandError
from facade.emulator.params import command_flags, decode_request, select_command

WORD = "Привет"


def encoded(text: str, charset: str) -> bytes:
    return quote_from_bytes(text.encode(charset)).encode("ascii")


@pytest.mark.parametrize("charset", ["windows-1251", "utf-8", "koi8-r", "UTF-8"])
def test_values_are_decoded_with_the_requested_charset(charset):
    query = b"name=" + encoded(WORD, charset) + b"&charset=" + charset.encode()
    decoded = decode_request(query, b"")
    assert decoded.params["name"] == WORD
    assert decoded.charset == charset.lower()
    assert decoded.error is None


def test_default_charset_is_windows_1251():
    decoded = decode_request(b"name=" + encoded(WORD, "cp1251"), b"")
    assert decoded.params["name"] == WORD
    assert decoded.charset == "windows-1251"


def test_charset_in_the_body_governs_the_query_too():
    decoded = decode_request(b"name=" + encoded(WORD, "utf-8"), b"charset=utf-8")
    assert decoded.params["name"] == WORD


def test_percent_encoded_charset_name_is_found():
    decoded = decode_request(b"charset=utf%2D8", b"")
    assert decoded.charset == "utf-8"


def test_empty_charset_means_the_default():
    assert decode_request(b"charset=", b"").charset == "windows-1251"


def test_unknown_charset_is_error_1_in_windows_1251():
    decoded = decode_request(b"charset=latin-1&fmt=3", b"")
    assert isinstance(decoded.error, CommandError)
    assert decoded.error.code == 1
    assert (decoded.charset, decoded.fmt) == ("windows-1251", 3)


@pytest.mark.parametrize("fmt", ["4", "-1", "03", "json", " 1"])
def test_bad_fmt_is_error_1_in_fmt_0(fmt):
    decoded = decode_request(b"fmt=" + fmt.encode(), b"")
    assert decoded.error is not None
    assert decoded.fmt == 0


@pytest.mark.parametrize(("raw", "fmt"), [("", 0), ("0", 0), ("1", 1), ("2", 2), ("3", 3)])
def test_good_fmt(raw, fmt):
    assert decode_request(b"fmt=" + raw.encode(), b"").fmt == fmt


def test_body_wins_over_query_on_a_repeated_name():
    assert decode_request(b"name=a&x=1", b"name=b").params == {"name": "b", "x": "1"}


def test_bracket_names_are_literal():
    assert decode_request(b"fl%5B1%5D=1&fl[5]=1", b"").params == {"fl[1]": "1", "fl[5]": "1"}


def test_plus_is_a_space_and_encoded_plus_a_plus():
    assert decode_request(b"a=x+y&b=%2B5", b"").params == {"a": "x y", "b": "+5"}


def test_raw_non_ascii_bytes_are_decoded_with_the_charset():
    decoded = decode_request("name=Привет&charset=utf-8".encode(), b"")
    assert decoded.params["name"] == WORD


def test_garbage_bytes_never_raise():
    decoded = decode_request(b"\xff\xfe=\x00\x01&%zz=%&&=&charset=utf-8&name=%ff", b"\x80\x81")
    assert decoded.params["name"] == "\ufffd"


@pytest.mark.parametrize(
    ("where", "expected"),
    [("query", True), ("body", False)],
    ids=["credentials-in-query", "credentials-in-body"],
)
def test_credentials_in_query_is_noticed(where, expected):
    raw = b"login=demo&psw=demo"
    decoded = decode_request(raw, b"") if where == "query" else decode_request(b"", raw)
    assert decoded.credentials_in_query is expected


@pytest.mark.parametrize(
    ("params", "flags"),
    [
        pytest.param({"get": "1"}, ["get"], id="one"),
        pytest.param({"get": "0"}, [], id="zero-is-absent"),
        pytest.param({"get": ""}, [], id="empty-is-absent"),
        pytest.param({"get": "yes"}, ["get"], id="any-other-value"),
        pytest.param({"get": "1", "add": "1"}, ["add", "get"], id="two"),
    ],
)
def test_command_flags(params, flags):
    assert sorted(command_flags(params, ("add", "get", "del"))) == flags


@pytest.mark.parametrize("params", [{}, {"get": "1", "del": "1"}], ids=["none", "two"])
def test_select_command_needs_exactly_one(params):
    with pytest.raises(CommandError) as info:
        select_command(params, ("get", "del"))
    assert info.value.code == 1
