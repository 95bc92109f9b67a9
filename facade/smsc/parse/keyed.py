"""fmt 2 and fmt 3 records: fields named by element (XML) or key (JSON), so read by name.

Each value is checked against its field's shape as in fmt 0 and 1; a fmt 3 batch is checked a
field at a time over all its records (C loops: a list may hold 100,000 contacts), and only a
batch that does not pass is read record by record, to find and name what is wrong.
"""

import contextlib
import operator
from collections.abc import Callable, Sequence
from types import NoneType
from typing import TYPE_CHECKING, Any

from facade.smsc.parse.documents import element_text, load_json, load_xml
from facade.smsc.parse.fields import Columns, Field, RecordError, Values

if TYPE_CHECKING:
    import re
    from collections.abc import Mapping
    from xml.etree.ElementTree import Element

    from facade.smsc.parse.records import RecordSpec
    from facade.smsc.wire import Reply

__all__ = [
    "Check",
    "field_check",
    "json_batch",
    "json_records",
    "kind_error",
    "xml_rows",
    "xml_values",
]

# A field's checks, unpacked once per spec rather than looked up per value: name, omissible,
# optional, the shape's `fullmatch` (None: any text), json_number, digits, shape name.
Check = tuple[str, bool, bool, "Callable[[str], re.Match[str] | None] | None", bool, bool, str]


def xml_rows(reply: "Reply", spec: "RecordSpec", text: str, *, single: bool) -> list[Values]:
    """fmt 2: `<list>` (or `<sms_answers>`) of record elements, or one bare record element."""
    root = load_xml(reply, text)
    if single and root.tag == spec.xml_item:
        return [xml_values(spec, root)]
    if root.tag != spec.xml_list:
        raise RecordError(f"the root element is not <{spec.xml_list}>")
    rows = []
    for item in root:
        if item.tag != spec.xml_item:
            raise RecordError(f"<{spec.xml_list}> holds an element other than <{spec.xml_item}>")
        rows.append(xml_values(spec, item))
    return rows


def xml_values(spec: "RecordSpec", item: "Element") -> Values:
    """A record's leaf elements by name; elements the spec does not know are left alone."""
    values: Values = {}
    for child in item:
        if child.tag in spec.by_name:
            if child.tag in values or len(child):
                raise RecordError(f"<{child.tag}> is repeated or not a leaf")
            values[child.tag] = element_text(child)
    return _checked(spec, values)


def json_batch(reply: "Reply", spec: "RecordSpec", text: str, *, single: bool) -> Columns:
    """fmt 3: an array of objects, or one bare object."""
    document = load_json(reply, text)
    items = [document] if single and isinstance(document, dict) else document
    if not isinstance(items, list):
        raise RecordError("expected a JSON array of records")
    return json_records(spec, items)


def json_records(spec: "RecordSpec", items: list[Any]) -> Columns:
    """A batch of fmt 3 records (parsed JSON values), checked as `_json_values` checks each."""
    columns = _read_columns(spec, items)
    if columns is not None:
        # Every key of the spec now holds a string or None; no other key is ever read.
        return Columns(spec.by_name, items, columns)
    return Columns(spec.by_name, [_json_values(spec, item) for item in items])


def _read_columns(spec: "RecordSpec", items: list[Any]) -> dict[str, Sequence[str | None]] | None:
    """The spec's fields of `items`, a column each, if every item is a record as
    `_json_values` reads it; checked a field at a time over all items (C loops, not a Python
    loop per value). Numbers where the shape allows them are turned into strings, in the items
    too, as `_json_values` does. None: read the items one by one (and find what is wrong)."""
    if not set(map(type, items)) <= {dict}:
        return None
    names = [check[0] for check in spec.checks]
    columns: dict[str, Sequence[Any]] = {name: [] for name in names}
    # SMSC writes every field of a record's kind in every record: then one C loop transposes
    # those the first record has, and the other kinds' fields are read by name.
    written = [name for name in names if items and name in items[0]]
    if len(written) > 1:
        with contextlib.suppress(KeyError):
            rows = map(operator.itemgetter(*written), items)
            columns = dict(zip(written, zip(*rows, strict=True), strict=True))
            unwritten = [name for name in names if name not in columns]
            columns |= {name: [item.get(name) for item in items] for name in unwritten}
    if items and not columns[names[0]]:  # a field left out somewhere (or a spec of one)
        columns = {name: [item.get(name) for item in items] for name in names}
    for name, omissible, optional, fullmatch, json_number, digits, _ in spec.checks:
        column = columns[name]
        kinds = set(map(type, column))
        if int in kinds and json_number:
            for item in items:
                if type(item.get(name)) is int:
                    item[name] = str(item[name])
            column = columns[name] = [item.get(name) for item in items]
            kinds = set(map(type, column))
        if not kinds <= ({str, NoneType} if omissible else {str}):
            return None
        if not optional and "" in column:
            return None
        if fullmatch is not None and not _all_fit(column, fullmatch, digits=digits):
            return None
    if spec.kinds and not _one_kind_each(spec.kinds, columns):
        return None
    return columns


def _one_kind_each(kinds: Sequence[tuple[str, ...]], columns: dict[str, Sequence[Any]]) -> bool:
    """`kind_error` over a batch: a field at a time while the batch holds one kind only."""
    held = [kind for kind in kinds if any(_holds(columns[name]) for name in kind)]
    if len(held) == 1:
        return None not in columns[held[0][0]]
    if not held:
        return not columns[kinds[0][0]]  # no records at all
    names = [name for kind in kinds for name in kind]
    rows = zip(*(columns[name] for name in names), strict=True)
    return all(kind_error(kinds, dict(zip(names, row, strict=True))) is None for row in rows)


def _holds(column: Sequence[Any]) -> bool:
    """Whether any record holds a value of the field."""
    return column.count(None) != len(column)


def kind_error(kinds: Sequence[tuple[str, ...]], values: "Mapping[str, str | None]") -> str | None:
    """Why a record of a spec with `kinds` does not hold the fields of exactly one kind, its
    first one included (`RecordSpec`); None when it does."""
    held = [kind for kind in kinds if any(values.get(name) is not None for name in kind)]
    if len(held) > 1:
        return f"a record holds both {held[0][0]} and {held[1][0]} fields"
    if not held:
        return f"{' or '.join(kind[0] for kind in kinds)} is missing"
    if values.get(held[0][0]) is None:
        return f"{held[0][0]} is missing"
    return None


def _all_fit(
    column: Sequence[str], fullmatch: "Callable[[str], re.Match[str] | None]", *, digits: bool
) -> bool:
    """Whether every non-empty value of `column` fully matches; a shape whose values include
    every run of ASCII digits (ids, phones) takes a column of such runs without a regex."""
    values = [value for value in column if value]
    if digits and all(map(str.isdigit, values)) and all(map(str.isascii, values)):
        return True
    return all(map(fullmatch, values))


def _json_values(spec: "RecordSpec", item: object) -> Values:
    """A record's keys: strings, or numbers where the shape allows (ids, counters, codes).

    A value of the wrong JSON type is reported before any missing field or value of the wrong
    shape, which are reported in field order.
    """
    if not isinstance(item, dict):
        raise RecordError("a record is not a JSON object")
    values: Values = {}
    unfit: str | None = None
    for name, omissible, optional, fullmatch, json_number, _, shape in spec.checks:
        value = item.get(name)
        if value is None:
            if not omissible and unfit is None:
                unfit = f"{name} is missing"
            values[name] = None
            continue
        if type(value) is not str:  # JSON gives exact types: str, int, bool, Decimal, ...
            if not (type(value) is int and json_number):
                raise RecordError(f"{name} is a JSON {type(value).__name__}")
            value = str(value)
        if unfit is None and not _fits(value, optional, fullmatch):
            unfit = f"{name} is not of shape {shape}"
        values[name] = value
    if unfit is None and spec.kinds:
        unfit = kind_error(spec.kinds, values)
    if unfit is not None:
        raise RecordError(unfit)
    return values


def _checked(spec: "RecordSpec", values: Values) -> Values:
    """Every field present (or omissible, then None) and of its shape."""
    for name, omissible, optional, fullmatch, _, _, shape in spec.checks:
        value = values.get(name)
        if value is None:
            if not omissible:
                raise RecordError(f"{name} is missing")
            values[name] = None
        elif not _fits(value, optional, fullmatch):
            raise RecordError(f"{name} is not of shape {shape}")
    error = kind_error(spec.kinds, values) if spec.kinds else None
    if error is not None:
        raise RecordError(error)
    return values


def field_check(field: Field) -> Check:
    pattern = field.shape.regex(csv=False)
    fullmatch = None if pattern is None else pattern.fullmatch
    return (
        field.name,
        field.omissible,
        field.optional,
        fullmatch,
        field.shape.json_number,
        field.shape.digits,
        field.shape.name,
    )


def _fits(
    value: str, optional: bool, fullmatch: "Callable[[str], re.Match[str] | None] | None"
) -> bool:
    """`Field.fits(value, csv=False)`, from the field's unpacked checks."""
    if not value:
        return optional
    return fullmatch is None or fullmatch(value) is not None
