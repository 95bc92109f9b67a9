"""phones.php `get_black=1`: the blacklist (smsc-contacts-responses.txt; the command's name is an
assumption, docs/smsc-wire.md).

Fields `id, phone, type, comment`; `type` 0 all messages, 1 mass mailings, 2 single messages, any
other value kept as `BlockScope.UNKNOWN` with its raw number. fmt 2 records are `<record>`. The
e-mail blacklist (`get_black=1&mail=1`, an assumption) has `email` in place of `phone`, "when
requesting an e-mail blacklist" (the page), in the same place in fmt 0 and 1 (an assumption); a
record holds one or the other, and either reads from either list.
"""

from typing import TYPE_CHECKING

from facade.domain.blacklist import BlacklistEntry
from facade.smsc.enums import BLOCK_SCOPES
from facade.smsc.parse.fields import CODE, EMAIL, ID, PHONE, TEXT, Field, Record
from facade.smsc.parse.records import RecordSpec, read_list

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["parse_blacklist"]

SPEC = RecordSpec(
    fields=(
        Field("id", ID),
        Field("phone", PHONE, omissible=True),
        Field("email", EMAIL, omissible=True),
        Field("type", CODE),
        Field("comment", TEXT, optional=True, omissible=True),
    ),
    xml_item="record",
    kinds=(("phone",), ("email",)),
)


def parse_blacklist(reply: "Reply") -> list[BlacklistEntry]:
    """The entries of a `get_black` reply; error 3 ("no records found") reads as `[]`."""
    return read_list(reply, SPEC, _entry)


def _entry(record: Record) -> BlacklistEntry:
    scope_raw = record.integer("type")
    return BlacklistEntry(
        id=record.text("id"),
        phone=record.optional_text("phone") or record.text("email"),
        scope=BLOCK_SCOPES.decode(scope_raw),
        scope_raw=scope_raw,
        comment=record.optional_text("comment"),
    )
