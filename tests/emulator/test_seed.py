"""The demo data: a little of everything, hard for naive parsers, yet recoverable in fmt 0 and 1."""

import re
from collections.abc import Iterator

import pytest

from facade.emulator.records import (
    AccountData,
    answer_record,
    blacklist_record,
    contact_record,
    download_record,
    group_record,
    job_record,
    template_record,
)
from facade.emulator.render import Record
from facade.emulator.seed import DAY, seed_account
from tests.emulator.conftest import WALL_START

FREE_TEXT = {
    "name",
    "message",
    "comments",
    "comment",
    "first_name",
    "last_name",
    "middle_name",
    "id",
}
CONTACT_TEXT = {"first_name", "last_name", "middle_name", "id", "comments"}
LISTS = {"phone", "group", "tags", "phone_other", "mail", "mail_other"}
RECORD_START = re.compile(r"\n(\d+,|[a-z_]+ = |[^@\s,;]+@[^@\s,;]+,)")


def demo() -> AccountData:
    data = AccountData()
    seed_account(data, "demo", WALL_START)
    return data


def all_records(data: AccountData) -> Iterator[Record]:
    yield from (template_record(t) for t in data.templates.values())
    yield from (job_record(j) for j in data.jobs.values())
    yield from (contact_record(c) for c in data.contacts.values())
    yield from (group_record(g, data.group_size(g.id)) for g in data.groups.values())
    yield from (blacklist_record(b) for b in data.blacklist.values())
    yield from (blacklist_record(b, email=True) for b in data.email_blacklist.values())
    yield from (answer_record(a, message_last=True) for a in data.answers.values())
    yield from (download_record(d) for d in data.downloads.values())


@pytest.mark.parametrize("record", list(all_records(demo())), ids=lambda r: f"{r[0][0]}={r[0][1]}")
def test_records_stay_recoverable_in_fmt_0_and_1(record):
    labels = [f", {key} = " for key, _ in record]
    for key, value in record:
        if not isinstance(value, str):
            continue
        assert not RECORD_START.search(value), "a new line followed by a record start"
        assert not any(label in value for label in labels), "a label inside a value"
        if key in FREE_TEXT:
            assert not re.search(r",(?! )", value), "a comma in free text not followed by a space"
        if key in CONTACT_TEXT and "first_name" in dict(record):
            assert "," not in value, "fmt 1 cannot place a comma in a contact's text but its name"
        if key in LISTS:
            assert not re.search(r" ,|, ", value), "a space around a list comma"
        if key in FREE_TEXT | {"tags"} and "first_name" in dict(record):
            assert "@" not in value, "fmt 1 tells a contact's e-mail addresses by their @"


def test_demo_has_the_variety_the_clients_must_handle():
    data = demo()
    contacts = list(data.contacts.values())
    assert any(len(c.phones) > 1 for c in contacts)
    assert any(len(c.groups) > 1 for c in contacts)
    assert any(c.tags and c.other_phones and c.birthday for c in contacts)
    assert any(not c.groups for c in contacts)
    assert any(g.number is None for g in data.groups.values())
    assert any(data.group_size(g.id) == 0 for g in data.groups.values())
    assert {b.type for b in data.blacklist.values()} == {0, 1, 2}
    emailed = [c for c in contacts if c.emails]
    assert len(emailed) >= 2
    assert not any(c.phones or c.other_phones for c in emailed), "phones or e-mails, not both"
    assert any(len(c.emails) > 1 and c.other_emails for c in emailed)
    email_groups = {g.id for g in data.groups.values() if g.type == 1}
    assert all(c.groups and c.groups <= email_groups for c in emailed)
    assert len({g for c in emailed for g in c.groups}) == 1, "in one e-mail group"
    assert data.email_blacklist
    assert all("@" in b.phone for b in data.email_blacklist.values())
    assert not data.email_blacklist.keys() & data.blacklist.keys(), "one sequence of ids"
    assert {d.status for d in data.downloads.values()} == {0, 1, 2, 3, 4}
    assert len({a.to_phone for a in data.answers.values()}) > 1
    text = "".join(str(value) for record in all_records(data) for _, value in record)
    for tricky in ("\n", ",", '"', "<", "&", ">", "😀", "Ж"):
        assert tricky in text


def test_times_follow_the_clock():
    data = AccountData()
    seed_account(data, "demo", WALL_START + DAY)
    assert max(a.received for a in data.answers.values()) <= WALL_START + DAY
    assert max(a.received for a in data.answers.values()) > WALL_START + DAY - 3600


def test_empty_seed_has_no_data():
    data = AccountData()
    seed_account(data, "empty", WALL_START)
    assert not any(list(all_records(data)))


def test_unknown_seed():
    with pytest.raises(ValueError, match="unknown seed"):
        seed_account(AccountData(), "huge", WALL_START)
