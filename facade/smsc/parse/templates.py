"""templates.php `get=1`: the template list (smsc-templates.txt, docs/smsc-wire.md).

Fields in order `id, name, format, sender, flag, message`; fmt 3 writes `id` and `flag` as
numbers. `format` is one of SMSC's formats or empty; an unknown one is kept as
`MessageFormat.UNKNOWN` with its raw text. In fmt 1 `sender` is one comma-free piece and `format`
is first sought among the known formats, then as any word (see the table in `parse/__init__.py`).
"""

from typing import TYPE_CHECKING

from facade.domain.templates import Template
from facade.smsc.enums import MESSAGE_FORMATS
from facade.smsc.parse.fields import FORMAT, FORMAT_KNOWN, ID, INT, TEXT, TOKEN, Field, Record
from facade.smsc.parse.records import RecordSpec, read_list, with_shapes

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["parse_templates"]

_FIELDS = (
    Field("id", ID),
    Field("name", TEXT, optional=True),
    Field("format", FORMAT, optional=True),
    Field("sender", TEXT, optional=True, omissible=True),
    Field("flag", INT),
    Field("message", TEXT, optional=True),
)
SPEC = RecordSpec(
    fields=_FIELDS,
    xml_item="template",
    csv_layouts=(
        with_shapes(_FIELDS, format=FORMAT_KNOWN, sender=TOKEN),
        with_shapes(_FIELDS, sender=TOKEN),
    ),
)


def parse_templates(reply: "Reply") -> list[Template]:
    """The templates of a `get` reply; error 3 or an empty list read as `[]`."""
    return read_list(reply, SPEC, _template)


def _template(record: Record) -> Template:
    format_raw = record.text("format")
    return Template(
        id=record.text("id"),
        name=record.text("name"),
        message=record.text("message"),
        format=MESSAGE_FORMATS.decode(format_raw),
        format_raw=format_raw,
        sender=record.optional_text("sender"),
        flags=record.integer("flag"),
    )
