"""phones.php `get_group=1`: the group list (smsc-contacts-responses.txt, docs/smsc-wire.md).

Fields `id, name, number, cnt`. fmt 3 writes `id` and `number` as numbers and `cnt` as a string,
and leaves `number` out when the group has none (recorded, smsc-api-notes.md §2.3; the recording
has no `cnt` either); fmt 0/1/2 leave the value empty. Absent or empty reads as None.
"""

from typing import TYPE_CHECKING

from facade.domain.groups import Group
from facade.smsc.parse.fields import ID, INT, TEXT, Field, Record
from facade.smsc.parse.records import RecordSpec, read_list

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["parse_groups"]

SPEC = RecordSpec(
    fields=(
        Field("id", ID),
        Field("name", TEXT, optional=True),
        Field("number", INT, optional=True, omissible=True),
        Field("cnt", INT, optional=True, omissible=True),
    ),
    xml_item="group",
)


def parse_groups(reply: "Reply") -> list[Group]:
    """The groups of a `get_group` reply; error 3 ("no records found") reads as `[]`."""
    return read_list(reply, SPEC, _group)


def _group(record: Record) -> Group:
    return Group(
        id=record.text("id"),
        name=record.text("name"),
        number=record.optional_integer("number"),
        contact_count=record.optional_integer("cnt"),
    )
