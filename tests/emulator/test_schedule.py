"""jobs.php `time` in its four forms, `tz`, and option ranges (reference/smsc-jobs.txt)."""

from datetime import datetime

import pytest

from facade.emulator.command import CommandError
from facade.emulator.render import MOSCOW
from facade.emulator.schedule import parse_options, parse_send_time, parse_tz

NOW = datetime(2025, 11, 15, 12, 0, tzinfo=MOSCOW).timestamp()


def moscow(day: int, hour: int, minute: int = 0) -> float:
    return datetime(2025, 11, day, hour, minute, tzinfo=MOSCOW).timestamp()


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        pytest.param("", 0, None, id="absent-at-once"),
        pytest.param("0", 0, None, id="zero-at-once"),
        pytest.param("1611251230", 0, moscow(16, 12, 30), id="DDMMYYhhmm"),
        pytest.param("0112251230", 0, moscow(1, 12, 30) + 30 * 86400, id="DDMMYYhhmm-leading-zero"),
        pytest.param("16.11.25 12:30", 0, moscow(16, 12, 30), id="DD.MM.YY-hh:mm"),
        pytest.param("16.11.25 9:05", 0, moscow(16, 9, 5), id="DD.MM.YY-h:mm"),
        pytest.param("1611251230", 2, moscow(16, 10, 30), id="DDMMYYhhmm-tz"),
        pytest.param("1411251230", 0, None, id="past-at-once"),
        pytest.param("9-18", 0, None, id="inside-window-at-once"),
        pytest.param("13-18", 0, moscow(15, 13), id="before-window-today"),
        pytest.param("8-11", 0, moscow(16, 8), id="after-window-tomorrow"),
        pytest.param("14-18", 1, moscow(15, 13), id="window-tz"),
        pytest.param("13-18", 1, None, id="inside-window-tz"),
        pytest.param(f"0{int(NOW) + 3600}", 0, NOW + 3600, id="timestamp"),
        pytest.param("01", 0, None, id="old-timestamp-at-once"),
        pytest.param("+30", 0, NOW + 1800, id="relative-minutes"),
        pytest.param("+0", 0, None, id="relative-zero-at-once"),
    ],
)
def test_send_time(raw, tz, expected):
    assert parse_send_time(raw, tz, NOW) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("3213251230", id="bad-calendar-date"),
        pytest.param("16.11.2025 12:30", id="four-digit-year"),
        pytest.param("16.11.25 25:00", id="bad-hour"),
        pytest.param("18-9", id="reversed-window"),
        pytest.param("0-25", id="window-past-midnight"),
        pytest.param("+", id="plus-alone"),
        pytest.param(" 30", id="plus-sent-unencoded"),
        pytest.param("-30", id="negative"),
        pytest.param("soon", id="words"),
    ],
)
def test_bad_send_time_is_error_5(raw):
    with pytest.raises(CommandError) as info:
        parse_send_time(raw, 0, NOW)
    assert (info.value.code, info.value.description) == (5, "invalid date format")


@pytest.mark.parametrize(("raw", "tz"), [("", 0), ("0", 0), ("+3", 3), ("-10", -10), ("24", 24)])
def test_tz(raw, tz):
    assert parse_tz(raw) == tz


@pytest.mark.parametrize("raw", ["x", "25", "1.5", "+-1"])
def test_bad_tz_is_error_1(raw):
    with pytest.raises(CommandError) as info:
        parse_tz(raw)
    assert info.value.code == 1


def test_options_keep_what_was_given():
    assert parse_options({"flash": "1", "sender": "S", "viber": "", "unknown": "x"}) == {
        "flash": "1",
        "sender": "S",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("valid", "1"),
        ("valid", "24"),
        ("valid", "00:01"),
        ("valid", "24:00"),
        ("period", "0.1"),
        ("period", "720"),
        ("freq", "1440"),
        ("smsreq", "10"),
        ("voice", "m4"),
        ("voice", "w,fr"),
    ],
)
def test_option_edges_accepted(name, value):
    assert parse_options({name: value}) == {name: value}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("valid", "0"),
        ("valid", "00:00"),
        ("valid", "12:60"),
        ("period", "0.05"),
        ("period", "1e3"),
        ("freq", "0"),
        ("smsreq", "9"),
        ("translit", "3"),
        ("bin", "x"),
    ],
)
def test_option_out_of_range_is_error_1(name, value):
    with pytest.raises(CommandError) as info:
        parse_options({name: value})
    assert info.value.code == 1
