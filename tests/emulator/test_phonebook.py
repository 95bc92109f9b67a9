# ruff: noqa: RUF001 - Cyrillic test data on purpose
"""Generated phonebooks (`contacts=N`, `facade emulator --contacts N`): many contacts, realistic,
the same every time, and as recoverable in fmt 0 and 1 as the demo data."""

import re
from collections.abc import Callable

import pytest

from facade.emulator.app import create_emulator
from facade.emulator.phonebook import MAX_CONTACTS, add_contacts
from facade.emulator.records import AccountData, Contact, contact_record
from facade.emulator.seed import seed_account
from tests.emulator.conftest import WALL_START, call

COUNT = 2000
RECORD_START = re.compile(r"\n(\d+,|[a-z_]+ = )")


def generated(count: int = COUNT, seed: str = "empty") -> AccountData:
    data = AccountData()
    seed_account(data, seed, WALL_START)
    add_contacts(data, count)
    return data


def test_count_contacts_with_distinct_phones_in_new_groups():
    data = generated()

    assert len(data.contacts) == COUNT
    phones = [phone for contact in data.contacts.values() for phone in contact.phones]
    assert len(set(phones)) == len(phones) == COUNT
    assert all(re.fullmatch(r"79\d{9}", phone) for phone in phones)
    assert len(data.groups) == 5
    members = set().union(*(contact.groups for contact in data.contacts.values()))
    assert members == set(data.groups)


def test_the_same_contacts_every_time():
    assert generated().contacts == generated().contacts


def test_they_look_like_a_real_phonebook():
    contacts = list(generated().contacts.values())

    def share(test: Callable[[Contact], object]) -> float:
        return sum(1 for contact in contacts if test(contact)) / len(contacts)

    assert share(lambda c: c.name) == 1
    assert 0.5 < share(lambda c: c.first_name and c.last_name) < 0.9
    assert 0.2 < share(lambda c: c.birthday) < 0.5
    assert 0.1 < share(lambda c: c.comment) < 0.4
    assert 0.1 < share(lambda c: c.tags) < 0.4
    assert 0.05 < share(lambda c: c.other_phones) < 0.3
    assert 0.2 < share(lambda c: c.groups) < 0.6
    assert any("," in contact.name for contact in contacts)
    assert any(re.search("[а-я]", contact.name) for contact in contacts)


def test_they_keep_the_demo_datas_rules_for_fmt_0_and_1():
    """facade.emulator.seed: a comma only in a name and never before digits; lists without
    spaces at their commas; no new line before a record start; no label inside a value."""
    for contact in generated().contacts.values():
        record = contact_record(contact)
        labels = [f", {key} = " for key, _ in record]
        for key, value in record:
            assert isinstance(value, str)
            assert not RECORD_START.search(value)
            assert not any(label in value for label in labels)
            if key in ("first_name", "last_name", "middle_name", "id", "comments"):
                assert "," not in value
        assert not re.search(r",\s*\d", contact.name)
        assert not any(tag.isdigit() or tag != tag.strip() for tag in contact.tags)


def test_no_phone_of_the_seed_is_taken_again():
    data = generated(seed="demo")
    seeded = [c for c in data.contacts.values() if c.client_id.startswith("crm-")]

    phones = [phone for contact in data.contacts.values() for phone in contact.phones]
    assert len(data.contacts) == COUNT + 8  # the demo's 6 phone and 2 e-mail contacts
    assert len(set(phones)) == len(phones)
    assert seeded


def test_a_phone_already_held_is_skipped():
    first = generated(1).contacts[3001].phones[0]
    data = AccountData()
    add_contacts(data, 1)  # a contact holding the first phone a phonebook generates

    add_contacts(data, 2)

    phones = [contact.phones[0] for contact in data.contacts.values()]
    assert phones.count(first) == 1
    assert len(phones) == 3


def test_none_adds_nothing():
    data = generated(0)

    assert data.contacts == {}
    assert data.groups == {}


@pytest.mark.parametrize("count", [-1, MAX_CONTACTS + 1])
def test_the_count_is_bounded(count):
    with pytest.raises(ValueError, match="contacts must be between"):
        add_contacts(AccountData(), count)


def test_the_emulator_generates_them_at_every_reseed():
    app = create_emulator(seed="demo", contacts=300)
    state = app.state.emulator

    assert len(state.account().contacts) == 308  # with the demo's 8
    state.reset(seed="empty")
    assert len(state.account().contacts) == 300


@pytest.fixture
def app(make_app):
    return make_app(seed="empty", contacts=COUNT)


@pytest.mark.anyio
async def test_get_lists_them_all_and_finds_them_by_search(client):
    body = await call(client, "phones.php", get=1, fmt=1)
    found = await call(client, "phones.php", get=1, fmt=1, search="Козлова")

    assert len(body.splitlines()) == COUNT
    assert found.splitlines()
    assert all("Козлова" in line for line in found.splitlines())
    assert len(found.splitlines()) < COUNT
