"""One generic reader of SMSC record lists in fmt 0-3, driven by each command's field spec.

fmt 0 and 1 escape nothing (docs/smsc-wire.md, "Lists"), so they are read by the rules that
`facade/smsc/parse/__init__.py` documents: records start at lines shaped like a record start,
fields are cut at the next label (fmt 0) or recovered by shape (fmt 1), and free text takes the
fewest pieces that let the rest of the record read. fmt 2 and 3 are read by element or key name
(`facade.smsc.parse.keyed`).
"""

import bisect
import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from facade.smsc.envelope import find_envelope, raise_for_envelope
from facade.smsc.parse.documents import is_json_array, load_json_array
from facade.smsc.parse.fields import Columns, Field, Record, RecordError, Shape, Values
from facade.smsc.parse.keyed import Check, field_check, json_batch, json_records, xml_rows
from facade.smsc.wire import Fmt

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = [
    "RecordSpec",
    "protocol_errors",
    "read_batches",
    "read_list",
    "read_one",
    "record_values",
    "reorder",
    "with_shapes",
]

T = TypeVar("T")

# DESIGN.md: "A list command may answer an empty list or error 3: both mean empty".
NO_RECORDS = 3
_NONE = -1  # no reading: a choice index that is not one


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RecordSpec:
    """A command's records: `fields` in wire order (fmt 0, 2, 3), the fmt 1 layouts tried in
    turn (default: `fields`), and the fmt 2 element names of the list and of one record.

    `kinds` are the kinds of record one list mixes (a phone contact, an e-mail contact): for
    each, the names of the fields only its records hold, first the one every such record has.
    A record holds the fields of exactly one kind (`keyed.kind_error`); fmt 0 and 1 read it by
    the layouts of each kind in turn, `text_layouts` and `csv_layouts`: `fields` and each given
    fmt 1 layout without the other kinds' fields.
    """

    fields: tuple[Field, ...]
    xml_item: str
    xml_list: str = "list"
    csv_layouts: tuple[tuple[Field, ...], ...] = ()
    kinds: tuple[tuple[str, ...], ...] = ()
    text_layouts: tuple[tuple[Field, ...], ...] = dataclasses.field(init=False)
    by_name: dict[str, Field] = dataclasses.field(init=False)
    checks: tuple[Check, ...] = dataclasses.field(init=False)
    text_start: re.Pattern[str] = dataclasses.field(init=False)
    csv_start: re.Pattern[str] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        text_layouts = _by_kind((self.fields,), self.kinds)
        csv_layouts = _by_kind(self.csv_layouts or (self.fields,), self.kinds)
        object.__setattr__(self, "text_layouts", text_layouts)
        object.__setattr__(self, "csv_layouts", csv_layouts)
        object.__setattr__(self, "by_name", {field.name: field for field in self.fields})
        object.__setattr__(self, "checks", tuple(field_check(field) for field in self.fields))
        object.__setattr__(self, "text_start", _starts(text_layouts, csv=False))
        object.__setattr__(self, "csv_start", _starts(csv_layouts, csv=True))


def _by_kind(
    layouts: Sequence[tuple[Field, ...]], kinds: Sequence[tuple[str, ...]]
) -> tuple[tuple[Field, ...], ...]:
    """Each layout once per kind, without the other kinds' fields; a layout that lacks a kind's
    first field has no reading of that kind (so layouts made this way stay as they are)."""
    if not kinds:
        return tuple(layouts)
    made = []
    for kind in kinds:
        others = {name for other in kinds if other is not kind for name in other}
        for layout in layouts:
            fields = tuple(field for field in layout if field.name not in others)
            if any(field.name == kind[0] for field in fields):
                made.append(fields)
    return tuple(made)


def with_shapes(fields: Iterable[Field], **shapes: Shape) -> tuple[Field, ...]:
    """`fields` with the shapes of the named ones replaced (a fmt 1 layout)."""
    return tuple(
        dataclasses.replace(field, shape=shapes.get(field.name, field.shape)) for field in fields
    )


def reorder(fields: Iterable[Field], names: Sequence[str]) -> tuple[Field, ...]:
    """`fields` in the order of `names` (a fmt 1 layout whose order differs)."""
    by_name = {field.name: field for field in fields}
    return tuple(by_name[name] for name in names)


def read_list(reply: "Reply", spec: RecordSpec, build: Callable[[Record], T]) -> list[T]:
    """Every record of a list reply; error 3 and an empty list both read as `[]`."""
    fields = spec.by_name
    return read_batches(reply, spec, lambda batch: [build(Record(fields, r)) for r in batch.rows])


def read_batches(reply: "Reply", spec: RecordSpec, build: Callable[[Columns], list[T]]) -> list[T]:
    """`read_list` for large lists: `build` reads a batch of records a field at a time.

    A fmt 3 array (no error envelope starts with `[`) is read a batch at a time and never as a
    whole text and document: a list of 100,000 contacts is some 25 MB of body.
    """
    if reply.fmt is Fmt.JSON and is_json_array(reply):
        records: list[T] = []
        with protocol_errors(reply):
            for items in load_json_array(reply):
                records += build(json_records(spec, items))
        return records
    text = reply.text()
    error = find_envelope(reply, text)
    if error is not None:
        if error.upstream_code == NO_RECORDS:
            return []
        raise error
    with protocol_errors(reply):
        return build(_batch(reply, text, spec, single=False))


def read_one(reply: "Reply", spec: RecordSpec, build: Callable[[Record], T]) -> T:
    """The one record of a reply: a bare record element or object, or a list holding one."""
    raise_for_envelope(reply)
    with protocol_errors(reply):
        rows = _batch(reply, reply.text(), spec, single=True).rows
        if len(rows) != 1:
            raise reply.protocol_error(f"expected one record, got {len(rows)}")
        return build(Record(spec.by_name, rows[0]))


@contextlib.contextmanager
def protocol_errors(reply: "Reply") -> Iterator[None]:
    """A record that does not read is an UpstreamProtocolError naming the reply."""
    try:
        yield
    except RecordError as exc:
        raise reply.protocol_error(str(exc)) from exc


def _batch(reply: "Reply", text: str, spec: RecordSpec, *, single: bool) -> Columns:
    if reply.fmt is Fmt.TEXT:
        rows = [_text_values(spec, record) for record in _lines(text, spec.text_start)]
    elif reply.fmt is Fmt.CSV:
        rows = [_csv_values(spec, record) for record in _lines(text, spec.csv_start)]
    elif reply.fmt is Fmt.XML:
        rows = xml_rows(reply, spec, text, single=single)
    else:
        return json_batch(reply, spec, text, single=single)
    return Columns(spec.by_name, rows)


# fmt 0 and 1 ----------------------------------------------------------------------------------


def _starts(layouts: Sequence[Sequence[Field]], *, csv: bool) -> re.Pattern[str]:
    """What a line that starts a record of any of `layouts` begins with."""
    patterns = dict.fromkeys(_start_pattern(layout, csv=csv).pattern for layout in layouts)
    if len(patterns) == 1:
        return re.compile(next(iter(patterns)))
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def _start_pattern(fields: Sequence[Field], *, csv: bool) -> re.Pattern[str]:
    """What a line that starts a record begins with: the fields before the first free-text one,
    each of its shape (fmt 0 with their labels), up to that field's label or comma."""
    parts: list[str] = []
    for index, field in enumerate(fields):
        if not csv:
            parts.append(re.escape(f"{', ' if index else ''}{field.name} = "))
        elif index:
            parts.append(",")
        regex = field.shape.regex(csv=csv)
        if regex is None:
            break
        parts.append(f"(?:{regex.pattern}){'?' if field.optional else ''}")
    else:
        parts.append(r"\Z")
    return re.compile("".join(parts))


def _lines(text: str, start: re.Pattern[str]) -> list[str]:
    """Records, one a line; a line that does not start like a record continues the one before.

    Trailing new lines of the body are dropped (they end the last record, never its text).
    """
    body = text.rstrip("\n")
    if not body.strip():
        return []
    records: list[list[str]] = []
    for line in body.split("\n"):
        if start.match(line):
            records.append([line])
        elif records:
            records[-1].append(line)
        else:
            raise RecordError("the body does not start with a record")
    return ["\n".join(lines) for lines in records]


def record_values(spec: RecordSpec, record: str, *, csv: bool) -> Values:
    """One fmt 0 (`csv=False`) or fmt 1 record's values, the record already cut from the body
    (a reader whose records start where `_lines` cannot tell: status.php's)."""
    return _csv_values(spec, record) if csv else _text_values(spec, record)


def _text_values(spec: RecordSpec, record: str) -> Values:
    """fmt 0: `label = value, label = value, ...`, each value cut at the next label; the first
    layout whose first label starts the record and that reads wins."""
    for fields in spec.text_layouts:
        first = f"{fields[0].name} = "
        if not record.startswith(first):
            continue
        separators = [f", {field.name} = " for field in fields]
        values = _split(record, len(first), fields, separators, csv=False)
        if values is not None:
            return dict(zip((field.name for field in fields), values, strict=True))
    raise RecordError("a fmt 0 record does not read")


def _csv_values(spec: RecordSpec, record: str) -> Values:
    """fmt 1: comma-separated values by shape; the first layout that reads wins."""
    for layout in spec.csv_layouts:
        values = _split(record, 0, layout, [","] * len(layout), csv=True)
        if values is not None:
            return dict(zip((field.name for field in layout), values, strict=True))
    raise RecordError("a fmt 1 record does not read")


def _split(
    text: str, begin: int, fields: Sequence[Field], separators: Sequence[str], *, csv: bool
) -> list[str] | None:
    """The values of `fields` in `text[begin:]`, `separators[i]` written before field i.

    The first reading in this order wins: a fixed-shape value ends at the next separator; free
    text ends at the nearest separator after which the rest reads (fewest pieces); a fmt 1
    multi value ends at the farthest one (most items); the last field takes the rest. Which
    starts lead to a whole reading is worked out backwards first, field by field, so the cost is
    linear in the number of separators (a depth-first search is cubic on hostile bodies).
    """
    last = len(fields) - 1
    found = {
        separator: [match.start() for match in re.finditer(re.escape(separator), text)]
        for separator in set(separators[1:])
    }
    ends = [[], *(found[separator] for separator in separators[1:])]  # before field k
    starts = [[begin]] + [
        [end + len(separators[k]) for end in ends[k]] for k in range(1, len(fields))
    ]
    choices: list[list[int]] = [[] for _ in fields]
    rest_reads = _rest_reads(text, fields[last], starts[last], csv=csv)
    choices[last] = [0 if reads else _NONE for reads in rest_reads]
    for k in range(last - 1, -1, -1):
        reads = [choice != _NONE for choice in choices[k + 1]]
        choices[k] = _choose(text, fields[k], starts[k], ends[k + 1], reads, csv=csv)
    if choices[0][0] == _NONE:
        return None
    # Every choice made below leads to a whole reading: that is what `reads` recorded.
    values: list[str] = []
    index = 0
    for k in range(last):
        choice = choices[k][index]
        values.append(text[starts[k][index] : ends[k + 1][choice]])
        index = choice
    values.append(text[starts[last][index] :])
    return values


def _choose(
    text: str, field: Field, starts: list[int], ends: list[int], reads: list[bool], *, csv: bool
) -> list[int]:
    """For each start of `field`, the index in `ends` where its value ends, or `_NONE` when no
    reading of the rest exists (`reads[m]`: the rest reads from just after `ends[m]`)."""
    count = len(ends)
    next_read = [count] * (count + 1)  # the first m' >= m with reads[m']
    for m in range(count - 1, -1, -1):
        next_read[m] = m if reads[m] else next_read[m + 1]
    previous_read = [-1] * count  # the last m' <= m with reads[m']
    for m in range(count):
        previous_read[m] = m if reads[m] else previous_read[m - 1] if m else -1
    shape = field.shape
    spans = shape.is_free(csv=csv)
    greedy = spans and csv and shape.multi
    bad_from = _first_bad_piece(text, field, starts, ends) if greedy else []
    choices: list[int] = []
    for position in starts:
        first = bisect.bisect_left(ends, position)
        choice = _NONE
        if first < count:
            empty = ends[first] == position
            if not spans:
                if reads[first] and field.fits_span(text, position, ends[first], csv=csv):
                    choice = first
            elif greedy:
                last_item = bad_from[first] - 1
                if last_item >= first and previous_read[last_item] >= first:
                    choice = previous_read[last_item]
                elif empty and field.optional and reads[first]:
                    choice = first
            else:
                found = next_read[first]
                if found < count and empty and found == first and not field.optional:
                    found = next_read[first + 1]
                choice = found if found < count else _NONE
        choices.append(choice)
    return choices


def _rest_reads(text: str, field: Field, starts: list[int], *, csv: bool) -> list[bool]:
    """For each start of the last field, whether the rest of the record is a value of it.

    A fmt 1 multi value is checked piece by piece from the end, so that every start costs only
    its own piece (checking the whole rest from each start is quadratic).
    """
    item = field.shape.item
    if not (csv and item is not None):
        return [field.fits_span(text, start, len(text), csv=csv) for start in starts]
    reads = [False] * len(starts)
    all_items = True
    piece_end = len(text)
    for index in range(len(starts) - 1, -1, -1):
        start = starts[index]
        all_items = all_items and item.fullmatch(text, start, piece_end) is not None
        reads[index] = all_items or (start == len(text) and field.optional)
        piece_end = start - 1
    return reads


def _first_bad_piece(text: str, field: Field, starts: list[int], ends: list[int]) -> list[int]:
    """fmt 1 multi values: for each comma index m, the first m' >= m whose piece (the text
    between the comma before it and comma m') is not an item of `field`'s shape."""
    item = field.shape.item
    count = len(ends)
    bad_from = [count] * (count + 1)
    for m in range(count - 1, -1, -1):
        piece_start = ends[m - 1] + 1 if m else 0
        ok = item is not None and item.fullmatch(text, piece_start, ends[m]) is not None
        bad_from[m] = bad_from[m + 1] if ok else m
    return bad_from
