"""Writers for SMSC's four response formats: error envelopes, change results and record lists.

Every layout here is docs/smsc-wire.md verbatim; the section each function follows is cited.
Bodies carry no trailing new line. A record is an ordered sequence of `(field, value)` pairs: a
value's Python type decides its JSON type (`int` a number, `str` a string, `None` omitted in
fmt 3 and empty elsewhere).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Final, cast

if TYPE_CHECKING:
    from collections.abc import Sequence

Value = str | int | None
Record = tuple[tuple[str, Value], ...]

# Moscow time, UTC+3 all year since 2014 (docs/smsc-wire.md, "Requests").
MOSCOW: Final = timezone(timedelta(hours=3), "MSK")
DATE_TIME_FORMAT: Final = "%d.%m.%Y %H:%M:%S"
DATE_FORMAT: Final = "%d.%m.%Y"
_JSON_LINES: Final = json.JSONEncoder(ensure_ascii=False, separators=(",\n", ": "))


def render_date_time(timestamp: float | None) -> str:
    """`DD.MM.YYYY hh:mm:ss` in Moscow time, or empty (docs/smsc-wire.md, "Requests")."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, MOSCOW).strftime(DATE_TIME_FORMAT)


def escape_xml(text: str) -> str:
    """fmt 2 escapes `&`, `<` and `>` only and keeps new lines (docs/smsc-wire.md, "Lists")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(value: Value) -> str:
    return "" if value is None else str(value)


def _json_object(pairs: Sequence[tuple[str, Value]]) -> str:
    """One `"key": value` per line, no indentation, non-ASCII as is (smsc-api-notes.md §1.7).

    Written by one call of json's C encoder (a large list has a million values); its item
    separator puts each pair on a line, and the braces get lines of their own.
    """
    return "{\n" + _JSON_LINES.encode(_present(pairs))[1:-1] + "\n}"


def _json_objects(records: Sequence[Record]) -> str:
    """`[` + the `_json_object` of each record, joined by `,` and a new line + `]`.

    One call of the C encoder for the whole list, whose item separator also puts `},\n{`
    between records; only there do the braces need lines of their own. That text cannot occur
    anywhere else: a value is a string or a number, and a raw new line only ever comes from the
    separator (JSON escapes those in strings).
    """
    if not records:
        return "[]"
    body = _JSON_LINES.encode([_present(record) for record in records])
    return "[{\n" + body[2:-2].replace("},\n{", "\n},\n{\n") + "\n}]"


def _present(pairs: Sequence[tuple[str, Value]]) -> dict[str, str | int]:
    fields = dict(pairs)
    if None in fields.values():
        return {key: value for key, value in fields.items() if value is not None}
    return cast("dict[str, str | int]", fields)


def _xml_element(tag: str, pairs: Sequence[tuple[str, Value]]) -> str:
    inner = [f"<{key}>{escape_xml(_text(value))}</{key}>" for key, value in pairs]
    return "\n".join([f"<{tag}>", *inner, f"</{tag}>"])


def render_error(fmt: int, code: int, description: str, message_id: int | str | None = None) -> str:
    """The four error envelopes (docs/smsc-wire.md, "Error envelopes"); send.php's errors 3, 6,
    7 and 8 add the message's id (docs/smsc-wire.md, "Messages", "send.php")."""
    pairs: Record = (("error", description), ("error_code", code))
    if message_id is not None:
        pairs += (("id", message_id),)
    if fmt == 1:
        return f"{'0' if message_id is None else message_id},-{code}"
    if fmt == 2:
        return _xml_element("result", pairs)
    if fmt == 3:
        return _json_object(pairs)
    suffix = "" if message_id is None else f", ID - {message_id}"
    return f"ERROR = {code} ({description}){suffix}"


def render_ok(fmt: int, *, json_result: bool) -> str:
    """A change's `OK` (docs/smsc-wire.md, "Success bodies of changes").

    In fmt 3 templates.php answers `{"result": "OK"}` (its page); phones.php and jobs.php answer a
    bare `OK` (recorded, smsc-api-notes.md §1.7), which is what `json_result=False` gives.
    """
    if fmt == 2:
        return "<result>OK</result>"
    if fmt == 3 and json_result:
        return _json_object((("result", "OK"),))
    return "OK"


def render_created(
    fmt: int, new_id: int, *, label: str, xml_root: str, cost: str | None = None
) -> str:
    """A creation's id, and a job's cost (docs/smsc-wire.md, "Success bodies of changes").

    `label` is the fmt 0 prefix: `ID - ` (templates), `ID = ` (phones.php), `OK, ID - ` (jobs).
    """
    if fmt == 1:
        return f"{new_id}" if cost is None else f"{new_id},{cost}"
    if fmt == 2:
        return _xml_element(xml_root, (("id", new_id), *((("cost", cost),) if cost else ())))
    if fmt == 3:
        return _json_object((("id", new_id), ("cost", cost)))
    return f"{label}{new_id}" if cost is None else f"{label}{new_id}, COST - {cost}"


def render_record(fmt: int, record: Record, *, tag: str) -> str:
    """One record alone, e.g. jobs `get=1` (docs/smsc-wire.md, "jobs.php get").

    fmt 0 labels every field (`id = 1, name = x`), fmt 1 joins the bare values with commas; neither
    escapes anything (docs/smsc-wire.md, "Lists").
    """
    if fmt == 1:
        return ",".join(_text(value) for _, value in record)
    if fmt == 2:
        return _xml_element(tag, record)
    if fmt == 3:
        return _json_object(record)
    return ", ".join(f"{key} = {_text(value)}" for key, value in record)


def render_list(fmt: int, records: Sequence[Record], *, tag: str, root: str = "list") -> str:
    """A list: one record a line in fmt 0/1, `<root>` of `<tag>` in fmt 2, an array in fmt 3.

    An empty list is an empty body, `<root>\\n</root>` or `[]` (docs/smsc-wire.md, "Lists").
    """
    if fmt == 2:
        return "\n".join(
            [f"<{root}>", *(_xml_element(tag, record) for record in records), f"</{root}>"]
        )
    if fmt == 3:
        return _json_objects(records)
    return "\n".join(render_record(fmt, record, tag=tag) for record in records)
