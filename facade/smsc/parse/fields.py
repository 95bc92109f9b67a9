"""What one field of an SMSC record looks like (its shape) and how its text becomes a domain value.

A shape is checked the same way in every fmt, so one record reads alike whatever fmt carried it;
fmt 1 only narrows a few shapes so that fields can be told apart by shape (fmt 1 has no labels).
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence

from facade.domain.common import MOSCOW
from facade.smsc.enums import MESSAGE_FORMATS

__all__ = [
    "CODE",
    "DAY",
    "EMAIL",
    "EMAILS",
    "FORMAT",
    "FORMAT_KNOWN",
    "ID",
    "IDS",
    "INT",
    "MOMENT",
    "PHONE",
    "PHONES",
    "TAGS",
    "TEXT",
    "TOKEN",
    "Columns",
    "Field",
    "Record",
    "RecordError",
    "Shape",
    "Values",
    "unix_moment",
]


# One record's field texts by name; None: left out (fmt 2, 3).
Values = dict[str, str | None]


class RecordError(Exception):
    """A record or a value does not read; the reader reports it as an UpstreamProtocolError."""


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return None if pattern is None else re.compile(pattern)


@dataclasses.dataclass(frozen=True, slots=True)
class Shape:
    """The shape of a field's text.

    `pattern` is what a value must fully match in every fmt (None: any text); `csv` is what it
    must match in fmt 1 (None: free text, which may take commas). `multi` values are items joined
    by commas (fmt 1) or by `split` (elsewhere); in fmt 1 they take as many items as fit. A
    `json_number` may be written as a JSON number in fmt 3 (smsc-api-notes.md §1.7). With
    `digits`, any run of ASCII digits is a whole value and one item, so that a large list's
    ids and phones are checked without a regex each (the others still are).
    """

    name: str
    pattern: re.Pattern[str] | None
    csv: re.Pattern[str] | None
    multi: bool = False
    item: re.Pattern[str] | None = None
    split: re.Pattern[str] | None = None
    json_number: bool = False
    digits: bool = False

    @classmethod
    def of(
        cls,
        name: str,
        pattern: str | None,
        csv: str | None = "",
        *,
        split: str | None = None,
        json_number: bool = False,
        digits: bool = False,
    ) -> "Shape":
        """A single-valued shape; `csv=""` means the same as `pattern`."""
        return cls(
            name=name,
            pattern=_compile(pattern),
            csv=_compile(pattern if csv == "" else csv),
            split=_compile(split),
            json_number=json_number,
            digits=digits,
        )

    @classmethod
    def items(
        cls,
        name: str,
        item: str,
        separator: str,
        *,
        split: str,
        json_number: bool = False,
        digits: bool = False,
    ) -> "Shape":
        """A multi-valued shape: `item`s joined by `separator` (by commas in fmt 1)."""
        return cls(
            name=name,
            pattern=re.compile(f"{item}(?:{separator}{item})*"),
            csv=re.compile(f"{item}(?:,{item})*"),
            multi=True,
            item=re.compile(item),
            split=re.compile(split),
            json_number=json_number,
            digits=digits,
        )

    def regex(self, *, csv: bool) -> re.Pattern[str] | None:
        return self.csv if csv else self.pattern

    def is_free(self, *, csv: bool) -> bool:
        """Whether a value may span separators (free text; multi values in fmt 1)."""
        return self.regex(csv=csv) is None or (csv and self.multi)


_DIGITS = "[0-9]+"
_SMALL = "[0-9]{1,18}"  # every counter and flag fits; int() of anything longer is refused
_DAY = r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}"
_MOMENT = rf"{_DAY} [0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}})?"
_PHONE = r"\+?[0-9]+"
# smsc-templates.txt: the `format` values; fmt 1 tries these before any other word.
FORMATS_KNOWN = tuple(code for code in MESSAGE_FORMATS.codes if code)

ID = Shape.of("id", _DIGITS, json_number=True, digits=True)
INT = Shape.of("int", _SMALL, json_number=True)
CODE = Shape.of("code", f"-?{_SMALL}", json_number=True)
MOMENT = Shape.of("moment", _MOMENT)
DAY = Shape.of("day", _DAY)
PHONE = Shape.of("phone", _PHONE, json_number=True, digits=True)
# A contact's phones: "separated by any separator" (smsc-contacts-responses.txt); fmt 1 commas.
PHONES = Shape.items("phones", _PHONE, r"[,;\s]+", split=r"[,;\s]+", json_number=True, digits=True)
IDS = Shape.items("ids", _DIGITS, r"\s*,\s*", split=",", json_number=True, digits=True)
# An e-mail address as SMSC lists it (a contact's `mail`, the e-mail blacklist's `email`): one
# "@" with text on both sides, no white space and no separator. Any other address in the field
# would be a phone (docs/smsc-wire.md, "phones.php get=1").
_EMAIL = r"[^@\s,;]+@[^@\s,;]+"
EMAIL = Shape.of("email", _EMAIL)
EMAILS = Shape.items("emails", _EMAIL, r"[,;\s]+", split=r"[,;\s]+")
TEXT = Shape.of("text", None)
TAGS = Shape.of("tags", None, split=",")
TOKEN = Shape.of("token", None, "[^,]*")  # free text elsewhere, one comma-free piece in fmt 1
FORMAT = Shape.of("format", "[A-Za-z0-9_-]*")
FORMAT_KNOWN = Shape.of("format", "[A-Za-z0-9_-]*", "|".join(FORMATS_KNOWN))


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    """One field of a record: its wire name, its shape, whether it may be empty (`optional`) and
    whether fmt 2/3 may leave it out altogether (`omissible`, read as None)."""

    name: str
    shape: Shape
    optional: bool = False
    omissible: bool = False

    def fits(self, value: str, *, csv: bool) -> bool:
        return self.fits_span(value, 0, len(value), csv=csv)

    def fits_span(self, text: str, start: int, end: int, *, csv: bool) -> bool:
        """Whether `text[start:end]` is a value of this field (without copying it)."""
        if start == end:
            return self.optional
        regex = self.shape.regex(csv=csv)
        return regex is None or regex.fullmatch(text, start, end) is not None


class Record:
    """One record's field texts (None: left out), read into domain values by name."""

    __slots__ = ("_fields", "_values")

    def __init__(self, fields: Mapping[str, Field], values: Mapping[str, str | None]) -> None:
        self._fields = fields
        self._values = values

    def _get(self, name: str) -> str | None:
        return self._values.get(name)

    def text(self, name: str) -> str:
        value = self._get(name)
        if value is None:
            raise RecordError(f"{name} is missing")
        return value

    def optional_text(self, name: str) -> str | None:
        """Empty or left out: None."""
        return self._get(name) or None

    def integer(self, name: str) -> int:
        return int(self.text(name))

    def optional_integer(self, name: str) -> int | None:
        value = self._get(name)
        return int(value) if value else None

    def moment(self, name: str) -> dt.datetime | None:
        """`DD.MM.YYYY hh:mm:ss` (or `hh:mm`), Moscow time (docs/smsc-wire.md, "Requests").

        The MOMENT shape was checked when the record was read, so the parts sit at fixed places.
        """
        value = self._get(name)
        if not value:
            return None
        try:
            return dt.datetime(
                int(value[6:10]),
                int(value[3:5]),
                int(value[0:2]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19] or 0),
                tzinfo=MOSCOW,
            )
        except ValueError as exc:
            raise RecordError(f"{name} is not a real moment") from exc

    def required_moment(self, name: str) -> dt.datetime:
        moment = self.moment(name)
        if moment is None:
            raise RecordError(f"{name} is empty")
        return moment

    def day(self, name: str) -> dt.date | None:
        """`dd.mm.yyyy`; the DAY shape was checked when the record was read."""
        value = self._get(name)
        return _day(name, value) if value else None

    def items(self, name: str) -> tuple[str, ...]:
        """A multi-valued field's items, stripped, empty ones dropped."""
        value = self._get(name)
        return _items(value, self._fields[name].shape.split) if value else ()


class Columns:
    """The field texts of a batch of records, read a field at a time as `Record` reads one
    record's: for a large list, a loop per field rather than method calls per value."""

    __slots__ = ("_columns", "_fields", "rows")

    def __init__(
        self,
        fields: Mapping[str, Field],
        rows: Sequence[Mapping[str, str | None]],
        columns: Mapping[str, Sequence[str | None]] | None = None,
    ) -> None:
        """`columns`, when given, are the `rows`' values of each field, field by field."""
        self._fields = fields
        self.rows = rows
        self._columns = dict(columns or {})

    def optional_texts(self, name: str) -> list[str | None]:
        return [value or None for value in self._column(name)]

    def days(self, name: str) -> list[dt.date | None]:
        return [_day(name, value) if value else None for value in self._column(name)]

    def items(self, name: str) -> list[tuple[str, ...]]:
        shape = self._fields[name].shape
        split, column = shape.split, self._column(name)
        if not shape.digits:
            return [_items(value, split) if value else () for value in column]
        return [
            ()
            if not value
            else (value,)
            if value.isdigit() and value.isascii()
            else _items(value, split)
            for value in column
        ]

    def _column(self, name: str) -> Sequence[str | None]:
        column = self._columns.get(name)
        if column is None:
            column = self._columns[name] = [row.get(name) for row in self.rows]
        return column


def unix_moment(seconds: int) -> dt.datetime | None:
    """A Unix time (status.php's `*_timestamp`, a callback's `ts`) as a Moscow time; 0 is none.
    One no `datetime` can hold is a `ValueError`."""
    if not seconds:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, MOSCOW)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"{seconds} is no Unix time") from exc


def _day(name: str, value: str) -> dt.date:
    try:
        return dt.date(int(value[6:10]), int(value[3:5]), int(value[0:2]))
    except ValueError as exc:
        raise RecordError(f"{name} is not a real date") from exc


def _items(value: str, split: re.Pattern[str] | None) -> tuple[str, ...]:
    if split is None or split.search(value) is None:  # one item: no list to build
        item = value.strip()
        return (item,) if item else ()
    return tuple([item for item in (part.strip() for part in split.split(value)) if item])
