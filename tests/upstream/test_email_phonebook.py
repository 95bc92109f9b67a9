"""The e-mail phonebook through `SmscClient`: e-mail contacts, e-mail groups and the e-mail
blacklist, against the emulator (docs/smsc-wire.md, "E-mail contacts" and "phones.php
get_black=1") and, for what goes on the wire, against a recording `httpx.MockTransport`."""

import json
import urllib.parse
from collections.abc import AsyncIterator

import httpx
import pytest

from facade.domain import contacts
from facade.domain.blacklist import BlacklistDraft, BlacklistEntry, BlacklistQuery, BlockScope
from facade.domain.contacts import Contact, ContactChanges, ContactDraft, ContactQuery
from facade.domain.groups import Group, GroupDraft, GroupKind, GroupMove
from facade.settings import CACHE_TTLS
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.exchange import Freshness
from facade.upstream.transport import SmscTransport
from tests.fakes import FakeClock, FakeSleep
from tests.upstream.harness import DEMO, harness

pytestmark = pytest.mark.anyio

EMAILS = BlacklistQuery(emails=True)


Phonebook = tuple[list[Contact], list[Group], list[BlacklistEntry], list[BlacklistEntry]]


async def phonebook(client: SmscClient) -> Phonebook:
    """Contacts, groups, the phones' blacklist and the e-mail one."""
    return (
        (await client.contacts()).value,
        (await client.groups()).value,
        (await client.blacklist()).value,
        (await client.blacklist(EMAILS)).value,
    )


@pytest.mark.parametrize("fmt", list(Fmt), ids=lambda f: f"fmt{int(f)}")
async def test_a_phonebook_of_phone_and_e_mail_contacts_reads_alike_in_every_fmt(fmt):
    expected = await phonebook(harness(fmt=Fmt.JSON).client)
    found, groups, phones, emails = await phonebook(harness(fmt=fmt).client)
    assert (found, groups, phones, emails) == expected
    by_email = [contact for contact in found if contact.emails]
    assert len(by_email) >= 2, "the demo's e-mail contacts"
    assert all(bool(c.phones) != bool(c.emails) for c in found), "phones or e-mails, not both"
    assert all(not (c.other_phones and c.emails) for c in found)
    assert len({group for c in by_email for group in c.group_ids}) == 1, "one e-mail group"
    assert emails, "the demo's e-mail blacklist"
    assert all(contacts.is_email(e.phone) for e in emails)
    assert not any(contacts.is_email(e.phone) for e in phones)


async def test_an_e_mail_contact_is_created_changed_moved_and_deleted():
    h = harness(seed="empty")
    group = await h.client.create_group(GroupDraft(name="Подписчики", kind=GroupKind.EMAILS))
    draft = ContactDraft(
        emails=("ann@example.com", "ann.b@example.org"),
        name="Ann, Jr.",
        group_ids=(group.id,),
        tags=("news",),
        other_emails=("ann@home.example",),
    )
    await h.client.create_contact(draft)
    await h.client.create_contact(ContactDraft(phones=("+79991234567",), name="Bob"))

    listed = (await h.client.contacts()).value
    assert listed == [
        contacts.listed(draft),
        contacts.listed(ContactDraft(phones=("79991234567",), name="Bob")),
    ]
    assert [contacts.page_key(c) for c in listed] == ["ann@example.com", "79991234567"]
    assert [contacts.addresses(c) for c in listed] == [draft.emails, ("79991234567",)]
    assert contacts.is_found_by(listed[1], "+79991234567")
    assert not contacts.is_found_by(listed[1], "ann@example.com")
    assert [g.contact_count for g in (await h.client.groups()).value] == [1]

    await h.client.update_contact(
        "ann.b@example.org",
        ContactChanges(new_emails=("anna@example.net",), other_emails=(), name="Anna"),
    )
    (changed, _) = (await h.client.contacts()).value
    assert (changed.emails, changed.other_emails, changed.name) == (
        ("anna@example.net",),
        (),
        "Anna",
    )
    assert contacts.is_found_by(changed, "anna@example.net")
    assert not contacts.is_found_by(changed, "ann@example.com")

    await h.client.move_contact("anna@example.net", group.id, GroupMove.REMOVE)
    h.clock.advance(61)  # phones.php allows three identical requests a minute
    (moved, _) = (await h.client.contacts()).value
    assert moved.group_ids == ()
    assert [g.contact_count for g in (await h.client.groups()).value] == [0]

    await h.client.delete_contact("anna@example.net")
    assert [c.phones for c in (await h.client.contacts()).value] == [("79991234567",)]
    assert (await h.client.contacts(ContactQuery(search="example"))).value == []


async def test_an_e_mail_blacklist_entry_is_added_listed_and_removed():
    h = harness(seed="empty")
    assert (await h.client.blacklist(EMAILS)).value == []
    assert (await h.client.blacklist()).value == []

    entry = await h.client.add_to_blacklist(
        BlacklistDraft(phone="ann@example.com", scope=BlockScope.MASS, comment="отписалась")
    )
    phone = await h.client.add_to_blacklist(BlacklistDraft(phone="+79990001122"))

    written = await h.client.blacklist(EMAILS)
    assert written.freshness is Freshness.HIT, "written through, not asked again"
    assert written.value == [entry]
    assert entry.phone == "ann@example.com"
    assert (await h.client.blacklist()).value == [phone]

    # What was written through equals what SMSC itself lists once the cache is refreshed.
    h.client.cache.entries.clear()
    assert (await h.client.blacklist(EMAILS)).value == [entry]
    assert (await h.client.blacklist()).value == [phone]

    await h.client.remove_from_blacklist("ann@example.com")
    assert (await h.client.blacklist(EMAILS)).value == []
    assert (await h.client.blacklist()).value == [phone]
    h.client.cache.entries.clear()
    h.clock.advance(61)
    assert (await h.client.blacklist(EMAILS)).value == []
    # Two at first, two and one after each clear: every other read was written through.
    assert len(h.calls("get_black")) == 5


# On the wire: a recording MockTransport (httpx tests/client/test_auth.py's callable App).


class Recorder:
    """Answers as SMSC does in fmt 3 and keeps each request's parameters, credentials aside."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(urllib.parse.parse_qsl((await request.aread()).decode()))
        params = {k: v for k, v in form.items() if k not in {"login", "psw", "fmt", "charset"}}
        self.requests.append(params)
        if "get_black" in params:
            key, address = ("email", "ann@example.com") if "mail" in params else ("phone", "7999")
            listed = [{"id": 9, key: address, "type": 0, "comment": ""}]
            return httpx.Response(200, content=json.dumps(listed).encode())
        if any(key.startswith("add") for key in params):
            return httpx.Response(200, content=b'{\n"id": 9\n}')
        return httpx.Response(200, content=b"OK")


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[SmscClient, Recorder]]:
    recorder = Recorder()
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as http:
        config = UpstreamConfig(ttls=CACHE_TTLS)
        transport = SmscTransport(
            http, base_urls=["https://smsc.test"], config=config, sleep=FakeSleep()
        )
        client = SmscClient(
            account="default",
            credentials=DEMO,
            transport=transport,
            config=config,
            clock=FakeClock(),
        )
        yield client, recorder


async def test_e_mail_contacts_are_sent_mail_new_mail_and_mail_other(recorded):
    client, recorder = recorded
    await client.create_contact(
        ContactDraft(emails=("ann@example.com",), other_emails=("a@home.example",))
    )
    await client.update_contact("ann@example.com", ContactChanges(new_emails=("b@example.com",)))
    await client.move_contact("b@example.com", "45", GroupMove.ADD)
    await client.delete_contact("b@example.com")
    await client.create_group(GroupDraft(name="Подписчики", kind=GroupKind.EMAILS))
    assert recorder.requests == [
        {"add": "1", "mail": "ann@example.com", "mail_other": "a@home.example"},
        {"chg": "1", "mail": "ann@example.com", "new_mail": "b@example.com"},
        {"move_group": "2", "mail": "b@example.com", "grp": "45"},
        {"del": "1", "mail": "b@example.com"},
        {"add_group": "1", "name": "Подписчики", "type": "1"},
    ]


async def test_the_e_mail_blacklist_is_asked_with_mail_and_cached_apart(recorded):
    client, recorder = recorded
    emails = (await client.blacklist(EMAILS)).value
    phones = (await client.blacklist()).value
    assert (await client.blacklist(EMAILS)).freshness is Freshness.HIT
    assert (await client.blacklist()).freshness is Freshness.HIT
    assert [e.phone for e in emails] == ["ann@example.com"]
    assert [e.phone for e in phones] == ["7999"]

    added = await client.add_to_blacklist(BlacklistDraft(phone="bob@example.com"))
    await client.remove_from_blacklist("ann@example.com")
    assert (await client.blacklist(EMAILS)).value == [added]
    assert (await client.blacklist()).value == phones, "the phones' list is left alone"
    assert recorder.requests == [
        {"get_black": "1", "mail": "1"},
        {"get_black": "1"},
        {"add_black": "1", "mail": "bob@example.com", "type": "0"},
        {"del_black": "1", "mail": "ann@example.com"},
    ]
