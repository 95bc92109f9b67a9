"""The edge's rules on their own: each bound of `facade.domain.bounds`, taken at its edge and
refused one past it, with the field named."""

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pytest

from facade.domain import bounds, jobs
from facade.domain.bounds import MAX_EMAIL_LENGTH
from facade.domain.contacts import ContactChanges
from facade.domain.rules import (
    changes_of_kind,
    emails,
    job_dates,
    one_kind_of_address,
    one_send_time,
    optional_birthday,
    require_email,
    require_hours,
    require_id,
    require_line,
    require_lines,
    require_listed_address,
    require_message,
    require_name,
    search_text,
)
from facade.errors import InputError

TODAY = dt.date(2030, 6, 15)
MSK = dt.timezone(dt.timedelta(hours=3))


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        pytest.param(lambda: require_id("", "id"), "id", id="id-empty"),
        pytest.param(lambda: require_id("9" * 19, "id"), "id", id="id-19-digits"),
        pytest.param(lambda: require_id("\uff11\uff12", "id"), "id", id="id-fullwidth-digits"),
        pytest.param(lambda: require_line("a\ud800", "name", 10), "name", id="line-surrogate"),
        pytest.param(lambda: require_line("a\x00", "name", 10), "name", id="line-nul"),
        pytest.param(lambda: require_line("a\nb", "name", 10), "name", id="line-new-line"),
        pytest.param(lambda: require_line("a\x85", "name", 10), "name", id="line-c1-control"),
        pytest.param(lambda: require_line("x" * 11, "name", 10), "name", id="line-too-long"),
        pytest.param(lambda: require_lines("a\x00b", "comment", 10), "comment", id="lines-nul"),
        pytest.param(lambda: require_name(" ", "name"), "name", id="name-blank"),
        pytest.param(
            lambda: require_name("n" * (bounds.MAX_NAME_LENGTH + 1), "name"), "name", id="name-long"
        ),
        pytest.param(lambda: require_message("Hi\x00", "message"), "message", id="message-nul"),
        pytest.param(
            lambda: require_message("\udfff", "message", binary=True), "message", id="binary-lone"
        ),
        pytest.param(
            lambda: require_message("x" * 1001, "message"), "message", id="message-too-long"
        ),
        pytest.param(lambda: search_text("\x00"), "search", id="search-nul"),
        pytest.param(lambda: require_hours(math.nan, "periodHours"), "periodHours", id="nan"),
        pytest.param(lambda: require_hours(math.inf, "periodHours"), "periodHours", id="inf"),
        pytest.param(lambda: require_hours(1e308, "periodHours"), "periodHours", id="1e308"),
        pytest.param(lambda: require_hours(0.09, "periodHours"), "periodHours", id="period-low"),
        pytest.param(
            lambda: optional_birthday(dt.date(1899, 12, 31), "birthday"), "birthday", id="b-1899"
        ),
        pytest.param(
            lambda: job_dates(dt.date(1, 1, 1), None, today=TODAY), "since", id="since-year-1"
        ),
        pytest.param(
            lambda: job_dates(None, dt.date(9999, 12, 31), today=TODAY), "until", id="until-9999"
        ),
        pytest.param(
            lambda: job_dates(TODAY, TODAY - dt.timedelta(days=1), today=TODAY),
            "until",
            id="until-before-since",
        ),
        pytest.param(
            lambda: job_dates(TODAY - dt.timedelta(days=366), TODAY, today=TODAY),
            "since",
            id="span-367-days",
        ),
        pytest.param(
            lambda: job_dates(TODAY - dt.timedelta(days=366), None, today=TODAY),
            "since",
            id="span-to-today",
        ),
        pytest.param(
            lambda: one_send_time([jobs.SendAfter(bounds.MAX_SEND_AFTER_MINUTES + 1)], "sendTime"),
            "sendTime",
            id="after-minutes",
        ),
        pytest.param(
            lambda: one_send_time([jobs.SendAfter(-1)], "sendTime"),
            "sendTime",
            id="after-negative",
        ),
        pytest.param(
            lambda: one_send_time(
                [jobs.SendAtTimestamp(dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC))],
                "sendTime",
            ),
            "sendTime",
            id="timestamp-9999",
        ),
        pytest.param(
            lambda: one_send_time(
                [jobs.SendAt(dt.datetime.fromisoformat("2030-01-02T03:04"))], "sendTime"
            ),
            "sendTime",
            id="moment-without-offset",
        ),
        pytest.param(
            lambda: one_send_time([jobs.SendWindow(9, 10**30)], "sendTime"),
            "sendTime",
            id="window-huge",
        ),
    ],
)
def test_a_value_past_its_bound_is_refused_naming_its_field(
    rule: Callable[[], Any], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        rule()

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(lambda: require_id("9" * 18, "id"), "9" * 18, id="id-18-digits"),
        pytest.param(lambda: require_lines("a\tb\r\nc", "comment", 10), "a\tb\r\nc", id="lines"),
        pytest.param(
            lambda: require_message("\x00\x05Hi", "message", binary=True),
            "\x00\x05Hi",
            id="binary-with-nul",
        ),
        pytest.param(lambda: search_text(""), None, id="search-empty"),
        pytest.param(lambda: str(require_hours(720, "periodHours")), "720", id="period-max"),
        pytest.param(lambda: str(require_hours(0.1, "periodHours")), "0.1", id="period-min"),
        pytest.param(
            lambda: optional_birthday(dt.date(1900, 1, 1), "birthday"),
            dt.date(1900, 1, 1),
            id="birthday-1900",
        ),
        pytest.param(
            lambda: job_dates(TODAY - dt.timedelta(days=365), TODAY, today=TODAY),
            jobs.JobQuery(since=TODAY - dt.timedelta(days=365), until=TODAY),
            id="span-366-days",
        ),
        pytest.param(
            lambda: job_dates(dt.date(2099, 12, 31), None, today=TODAY),
            jobs.JobQuery(since=dt.date(2099, 12, 31)),
            id="since-in-the-future",
        ),
        pytest.param(
            lambda: one_send_time(
                [None, jobs.SendAfter(bounds.MAX_SEND_AFTER_MINUTES)], "sendTime"
            ),
            jobs.SendAfter(bounds.MAX_SEND_AFTER_MINUTES),
            id="after-minutes-max",
        ),
        pytest.param(
            lambda: one_send_time(
                [jobs.SendAt(dt.datetime(2099, 12, 31, 23, 59, tzinfo=MSK))], "sendTime"
            ),
            jobs.SendAt(dt.datetime(2099, 12, 31, 23, 59, tzinfo=MSK)),
            id="moment-2099",
        ),
    ],
)
def test_a_value_at_its_bound_is_taken(rule: Callable[[], Any], expected: Any) -> None:
    assert rule() == expected


# e-mail addresses (contacts and the blacklist)


@pytest.mark.parametrize(
    "address",
    ["ivan@example.com", "a.b+tag@mail.example.ru", "почта@пример.рф", "x@y.z"],
)
def test_an_email_address_passes_as_it_is(address: str) -> None:
    assert require_email(address, "emails[0]") == address
    assert require_listed_address(address, "phone") == address


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("ivan", id="no-at"),
        pytest.param("ivan@example", id="no-dot-in-the-domain"),
        pytest.param("@example.com", id="no-local-part"),
        pytest.param("ivan@@example.com", id="two-ats"),
        pytest.param("ivan @example.com", id="a-space"),
        pytest.param("a@b.com,c@d.com", id="two-joined"),
        pytest.param("a;b@example.com", id="a-semicolon"),
        pytest.param("ivan@example.com\n", id="a-line-break"),
        pytest.param(
            "a" * (MAX_EMAIL_LENGTH - len("@example.com") + 1) + "@example.com", id="long"
        ),
    ],
)
def test_a_bad_email_address_is_refused_by_its_field(address: str) -> None:
    with pytest.raises(InputError) as caught:
        require_email(address, "emails[1]")
    assert caught.value.field == "emails[1]"


def test_emails_name_the_item_at_fault() -> None:
    assert emails(["a@example.com"], "emails") == ("a@example.com",)
    with pytest.raises(InputError) as caught:
        emails(["a@example.com", "b"], "otherEmails")
    assert caught.value.field == "otherEmails[1]"


def test_a_listed_address_is_an_email_or_a_phone_without_plus() -> None:
    assert require_listed_address("79161234567", "phone") == "79161234567"
    with pytest.raises(InputError) as caught:
        require_listed_address("not-an-address", "phone")
    assert caught.value.field == "phone"


def test_a_contact_holds_one_kind_of_address() -> None:
    one_kind_of_address(["79161234567"], [], "input")
    one_kind_of_address([], ["a@example.com"], "input")
    with pytest.raises(InputError) as caught:
        one_kind_of_address(["79161234567"], ["a@example.com"], "emails")
    assert caught.value.field == "emails"


@pytest.mark.parametrize(
    ("address", "changes", "refused"),
    [
        pytest.param("a@example.com", ContactChanges(new_emails=("b@example.com",)), False),
        pytest.param("a@example.com", ContactChanges(new_phones=("79161234567",)), True),
        pytest.param("a@example.com", ContactChanges(other_phones=()), True),
        pytest.param("79161234567", ContactChanges(other_phones=("79031112233",)), False),
        pytest.param("79161234567", ContactChanges(other_emails=("b@example.com",)), True),
        pytest.param("79161234567", ContactChanges(name="N"), False),
    ],
)
def test_changes_are_of_the_contact_s_kind(
    address: str, changes: ContactChanges, refused: bool
) -> None:
    if not refused:
        assert changes_of_kind(address, changes, "input") is changes
        return
    with pytest.raises(InputError) as caught:
        changes_of_kind(address, changes, "input")
    assert caught.value.field == "input"
