import datetime as dt
from typing import Any

import pytest

from facade.domain.contacts import Contact
from facade.errors import SmscAuthError, SmscBlocked, SmscRateLimited, UpstreamProtocolError
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.wire import Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)


def contact(phones: tuple[str, ...], **fields: Any) -> Contact:
    values: dict[str, Any] = {
        "name": None,
        "group_ids": (),
        "first_name": None,
        "last_name": None,
        "middle_name": None,
        "birthday": None,
        "client_id": None,
        "comment": None,
        "tags": (),
        "other_phones": (),
    }
    values.update(fields)
    return Contact(phones=phones, **values)


IVAN = contact(
    ("79991234567",),
    name="Ivan Petrov",
    group_ids=("1",),
    first_name="Ivan",
    last_name="Petrov",
    birthday=dt.date(1990, 2, 1),
    client_id="4321",
    comment="VIP",
    tags=("vip", "friend"),
    other_phones=("79990000002",),
)
OFFICE = contact(("79997654321", "79997654322"), name="Office", group_ids=("1", "2"))
SMITH = contact(
    ("79995550000",),
    name="Smith, John",
    group_ids=("2",),
    first_name="John",
    last_name="Smith",
    client_id="77",
    comment="call after 6, ask for John",
    tags=("b2b",),
)
MULTI = contact(("79995553333",), name="Multi", comment="line one\nline two, still the comment")
CYRILLIC = contact(
    ("79996667788",),
    name="Иванов Иван",
    group_ids=("4",),
    first_name="Иван",
    last_name="Иванов",
    middle_name="Иванович",
    birthday=dt.date(1985, 7, 15),
    client_id="к-12",
    comment="Звонить после 18:00",
    tags=("клиент", "опт"),
)

# E-mail contacts: `mail` and `mail_other` in place of `phone` and `phone_other`.
PETROV = contact(
    (),
    emails=("ivan.petrov@example.com", "i.petrov@example.org"),
    name="Petrov, Ivan",
    group_ids=("45",),
    first_name="Ivan",
    last_name="Petrov",
    birthday=dt.date(1988, 3, 12),
    client_id="crm-7",
    comment="newsletter only",
    tags=("news", "vip"),
    other_emails=("ivan@home.example",),
)
ANN = contact((), emails=("ann@example.com",))


def get(path: str) -> Reply:
    return reply(f"phones/{path}", "get")


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"contacts.fmt{n}.txt"), [IVAN, OFFICE], id=f"fmt{n}-list")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-no-records.fmt{n}.txt"), [], id=f"fmt{n}-no-records-is-empty")
            for n in FMTS
        ),
        *(
            pytest.param(
                get(f"contacts-emails.fmt{n}.txt"),
                [IVAN, PETROV, ANN],
                id=f"fmt{n}-e-mail-contacts",
            )
            for n in FMTS
        ),
        # Documented: a name shaped like an address ("ann@home") is read as another address when
        # a comma further on (in "call me, later") lets the rest read; the fields shift left.
        pytest.param(
            get("contacts-mail-ambiguous.fmt1.txt"),
            [
                contact(
                    (),
                    emails=("ann@example.com", "ann@home"),
                    client_id="call me",
                    comment=" later",
                )
            ],
            id="fmt1-ambiguous-address-shaped-name-read-as-an-address",
        ),
        # Documented: a tag holding an "@" before other addresses is read as one of them.
        pytest.param(
            get("contacts-mail-tags.fmt1.txt"),
            [
                contact(
                    (),
                    emails=("ann@example.com",),
                    name="Ann",
                    tags=("team",),
                    other_emails=("x@y", "z@example.org"),
                )
            ],
            id="fmt1-ambiguous-address-shaped-tag-read-as-another-address",
        ),
        pytest.param(get("contacts-empty.fmt2.txt"), [], id="fmt2-empty-list"),
        pytest.param(get("contacts-empty.fmt3.txt"), [], id="fmt3-empty-list"),
        *(
            pytest.param(get(f"contacts-commas.fmt{n}.txt"), [SMITH], id=f"fmt{n}-commas")
            for n in (0, 3)
        ),
        # Documented (R3): a comment's commas are read as tag separators in fmt 1.
        pytest.param(
            get("contacts-commas.fmt1.txt"),
            [
                contact(
                    ("79995550000",),
                    name="Smith, John",
                    group_ids=("2",),
                    first_name="John",
                    last_name="Smith",
                    client_id="77",
                    comment="call after 6",
                    tags=("ask for John", "b2b"),
                )
            ],
            id="fmt1-ambiguous-comment-spills-into-tags",
        ),
        # Documented (R3): the real name was "Bob,7" with no group; fields after it shift.
        pytest.param(
            get("contacts-ambiguous.fmt1.txt"),
            [
                contact(
                    ("79995551111",),
                    name="Bob",
                    group_ids=("7",),
                    last_name="Ivan",
                    middle_name="Petrov",
                    client_id="01.02.1990",
                    comment="5",
                )
            ],
            id="fmt1-ambiguous-name-digits-read-as-group",
        ),
        # Documented (R3): digit-only tags before other phones are read as other phones.
        pytest.param(
            get("contacts-digit-tags.fmt1.txt"),
            [
                contact(
                    ("79995552222",),
                    name="Tags",
                    tags=("vip",),
                    other_phones=("2024", "79990000005"),
                )
            ],
            id="fmt1-ambiguous-digit-tags-read-as-other-phones",
        ),
        pytest.param(
            get("contacts-newlines.fmt0.txt"),
            [MULTI, contact(("79995554444",), name="Next")],
            id="fmt0-new-lines",
        ),
        pytest.param(get("contacts-newlines.fmt2.txt"), [MULTI], id="fmt2-new-lines"),
        pytest.param(
            get("contacts-extra-field.fmt2.txt"),
            [contact(("79995553333",), name="Multi")],
            id="fmt2-unknown-element-ignored",
        ),
        pytest.param(
            get("contacts-loose.fmt3.txt"),
            [
                contact(
                    ("+79991234567", "79991234568"),
                    name="Loose",
                    group_ids=("3",),
                    tags=("vip", "friend"),
                    other_phones=("79990000003", "79990000004"),
                )
            ],
            id="fmt3-group-number-phones-any-separator-tags-stripped",
        ),
        pytest.param(
            reply("phones/contacts-cyrillic-utf8.fmt0.txt", "get"),
            [CYRILLIC],
            id="fmt0-cyrillic-utf-8",
        ),
        pytest.param(
            reply("phones/contacts-cyrillic-cp1251.fmt0.txt", "get"),
            [CYRILLIC],
            id="fmt0-cyrillic-windows-1251",
        ),
        pytest.param(
            reply("phones/contacts-cyrillic-koi8r.fmt0.txt", "get"),
            [CYRILLIC],
            id="fmt0-cyrillic-koi8-r",
        ),
    ],
)
def test_parse_contacts(sample, expected):
    assert parse_contacts(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"error-auth.fmt{n}.txt"), SmscAuthError, id=f"fmt{n}-auth")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-blocked.fmt{n}.txt"), SmscBlocked, id=f"fmt{n}-blocked")
            for n in FMTS
        ),
        *(
            pytest.param(
                get(f"error-duplicate.fmt{n}.txt"), SmscRateLimited, id=f"fmt{n}-duplicate"
            )
            for n in FMTS
        ),
    ],
)
def test_parse_contacts_errors(sample, expected):
    with pytest.raises(expected):
        parse_contacts(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(get("contacts-bad-birthday.fmt3.txt"), id="fmt3-month-13"),
        pytest.param(get("contacts-bad-phone.fmt3.txt"), id="fmt3-phone-words"),
        pytest.param(get("groups.fmt3.txt"), id="fmt3-groups-are-not-contacts"),
        pytest.param(get("ok-bare.fmt3.txt"), id="fmt3-ok-is-not-a-list"),
    ],
)
def test_parse_contacts_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_contacts(sample)


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        pytest.param(
            get("contacts-both-kinds.fmt3.txt"),
            "a record holds both phone and mail fields",
            id="fmt3-phone-and-mail",
        ),
        pytest.param(
            get("contacts-mail-phone-other.fmt2.txt"),
            "a record holds both phone and mail fields",
            id="fmt2-mail-with-phone-other",
        ),
        pytest.param(
            get("contacts-no-address.fmt3.txt"), "mail is missing", id="fmt3-mail-other-only"
        ),
        pytest.param(
            get("contacts-bad-mail.fmt3.txt"), "mail is not of shape emails", id="fmt3-bad-mail"
        ),
    ],
)
def test_an_e_mail_contact_holds_one_kind_of_address(sample, reason):
    """docs/smsc-wire.md, "E-mail contacts": phones or e-mail addresses, never both."""
    with pytest.raises(UpstreamProtocolError) as caught:
        parse_contacts(sample)
    assert caught.value.reason == reason
