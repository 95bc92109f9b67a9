"""phones.php `get=1`: the contact list (smsc-contacts-responses.txt, docs/smsc-wire.md).

Fields in order `phone, name, group, first_name, last_name, middle_name, birthday, id, comments,
tags, phone_other`; `id` is the client's own id (`myid`), `birthday` is `dd.mm.yyyy` or empty.
An e-mail contact has `mail` and `mail_other` in place of `phone` and `phone_other` (the page:
"For e-mail addresses, it is replaced with <mail>"), in the same places in fmt 0 and 1 (an
assumption, docs/smsc-wire.md); a record holds one kind or the other, never both.
fmt 3 writes every value as a string (recorded, smsc-api-notes.md §2.3); a number is accepted for
`group` as the page writes it unquoted. Phones and e-mail addresses split on any separator, group
ids and tags on commas. fmt 1 is the most ambiguous body SMSC sends (the table in
`parse/__init__.py`).

Contacts in fmt 1 (`phone,name,group,first_name,last_name,middle_name,birthday,id,comments,
tags,phone_other`) hold six adjacent free-text fields; R3 decides, and these are mis-read:
- a `name` whose piece after a comma is all digits is read as group ids when the contact's own
  `group` is empty (`Bob,7,,Ivan` reads name `Bob`, group `7`);
- a comma in `first_name`, `last_name` or `middle_name` shifts the following name parts right
  (the reading usually still succeeds, with the wrong parts);
- `id` (`myid`) is one comma-free piece;
- `comments` is one piece: the rest of a comment with commas is read as leading tags;
- `phone_other` takes the longest trailing run of phone-shaped pieces, so all-digit tags just
  before non-empty other phones are read as other phones.

An e-mail contact (`mail,name,...,tags,mail_other`) reads by the same rules, with e-mail-shaped
pieces (one "@", no white space) in place of phone-shaped ones: `mail` takes as many as it can,
so a name shaped like an address (`ann@home`) is read as another address when a comma further on
lets the rest still read (the fields after it shift left); `mail_other` takes the longest
trailing run, so tags holding an "@" just before non-empty other addresses are read as other
addresses. A record is never read as the other kind: a phone holds no "@", an address does.
"""

from typing import TYPE_CHECKING

from facade.domain.contacts import Contact, contacts_from_rows
from facade.smsc.parse.fields import (
    DAY,
    EMAILS,
    IDS,
    PHONES,
    TAGS,
    TEXT,
    TOKEN,
    Columns,
    Field,
)
from facade.smsc.parse.records import RecordSpec, read_batches, with_shapes

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["parse_contacts"]

_FIELDS = (
    Field("phone", PHONES, omissible=True),
    Field("mail", EMAILS, omissible=True),
    Field("name", TEXT, optional=True, omissible=True),
    Field("group", IDS, optional=True, omissible=True),
    Field("first_name", TEXT, optional=True, omissible=True),
    Field("last_name", TEXT, optional=True, omissible=True),
    Field("middle_name", TEXT, optional=True, omissible=True),
    Field("birthday", DAY, optional=True, omissible=True),
    Field("id", TEXT, optional=True, omissible=True),
    Field("comments", TEXT, optional=True, omissible=True),
    Field("tags", TAGS, optional=True, omissible=True),
    Field("phone_other", PHONES, optional=True, omissible=True),
    Field("mail_other", EMAILS, optional=True, omissible=True),
)
SPEC = RecordSpec(
    fields=_FIELDS,
    xml_item="contact",
    csv_layouts=(with_shapes(_FIELDS, id=TOKEN),),
    kinds=(("phone", "phone_other"), ("mail", "mail_other")),
)


def parse_contacts(reply: "Reply") -> list[Contact]:
    """The contacts of a `get` reply; error 3 ("no records found") reads as `[]`.

    Read a field at a time over batches of records: an account may hold 100,000 contacts.
    """
    return read_batches(reply, SPEC, _contacts)


def _contacts(batch: Columns) -> list[Contact]:
    texts, items = batch.optional_texts, batch.items
    return contacts_from_rows(
        zip(
            items("phone"),
            texts("name"),
            items("group"),
            texts("first_name"),
            texts("last_name"),
            texts("middle_name"),
            batch.days("birthday"),
            texts("id"),
            texts("comments"),
            items("tags"),
            items("phone_other"),
            items("mail"),
            items("mail_other"),
            strict=True,
        )
    )
