"""The public vocabulary's values, each declared once with its constraints.

A type here is a pydantic `Annotated` type whose `Rule` carries the constraints (a pattern,
lengths, bounds) of `facade.domain.bounds` and `facade.domain.rules`: pydantic checks them as an
input is built, REST's and GraphQL's alike, and `/openapi.json` states them (JSON Schema), both
from the one declaration. A value they refuse is refused in the words of the domain rule the
constraints spell, on the field's own path (`phones[2]`); GraphQL's schema shows none of them
(strawberry keeps each field's type).

An input's `to_domain()` still applies the rules: they check what a pattern cannot (a lone
surrogate, a field against another). What JSON Schema can say of a whole input but no field's
constraint can check on the same public field (a field that needs another, the recipients of a
channel, a `sendTime` form) is written into the shape's schema with `given`, `absent`, `when`
and the like (`shapes.example(value, *rules)`): the schema states it, `to_domain()` checks it.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any, Final

import annotated_types
from pydantic import (
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from facade.domain import rules
from facade.domain.bounds import (
    BIRTHDAY_YEARS,
    MAX_CALL_ATTEMPTS,
    MAX_CALL_INTERVAL,
    MAX_CALL_WAIT,
    MAX_CLIENT_ID_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_CONFIRM_DAYS,
    MAX_CURSOR_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_FREQUENCY_MINUTES,
    MAX_GROUP_NUMBER,
    MAX_MESSAGE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PERIOD_HOURS,
    MAX_REPEAT_COUNT,
    MAX_SEARCH_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TIME_ZONE,
    MAX_URL_LENGTH,
    MAX_VALIDITY,
    MIN_CONFIRM_DAYS,
    MIN_FREQUENCY_MINUTES,
    MIN_PERIOD_HOURS,
    MIN_TIME_ZONE,
    MIN_VALIDITY,
    MOMENT_YEARS,
)
from facade.errors import InputError
from facade.vocabulary.shapes import ID

# A domain rule: `rule(value, field)` raises the `InputError` of a bad value.
DomainRule = Callable[[Any, str], object]

# pydantic's refusals of a constraint (not of a type): worded as the domain rule words them.
_CONSTRAINT_ERRORS: Final = frozenset(
    {
        "string_pattern_mismatch",
        "string_too_long",
        "string_too_short",
        "string_unicode",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "too_short",
        "too_long",
    }
)
_FIELD: Final = "value"


@dataclasses.dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: a type's metadata
class Rule:
    """Constraints (`StringConstraints`, `annotated_types`' bounds and lengths) that pydantic
    checks and JSON Schema states, refused in the words of `words`: a domain rule, whose
    refusal of the value says what is wrong (its words for a lone surrogate, a control character,
    a length), or a sentence. `schema` adds what JSON Schema cannot derive (a date's years)."""

    constraints: tuple[Any, ...]
    words: DomainRule | str
    schema: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # The value is read as its type reads it (JSON's date strings, in strict mode too), then
        # held to the constraints as a Python value of that type.
        constrained = handler.generate_schema(Annotated[(source, *self.constraints)])

        def check(value: Any, validate: core_schema.ValidatorFunctionWrapHandler) -> Any:
            try:
                return validate(value)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                if first["type"] not in _CONSTRAINT_ERRORS:
                    raise
                raise PydanticCustomError(first["type"], self._words(value, first["msg"])) from None

        held = core_schema.no_info_wrap_validator_function(check, constrained)
        return core_schema.chain_schema([handler(source), held])

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The constraints are the second step of the chain, within what validators wrap it.
        found: Any = schema
        while found["type"] != "chain" and "schema" in found:
            found = found["schema"]
        return {**handler(found["steps"][1] if found["type"] == "chain" else schema), **self.schema}

    def _words(self, value: Any, otherwise: str) -> str:
        if isinstance(self.words, str):
            return self.words
        try:
            self.words(value, _FIELD)
        except InputError as refused:
            return str(refused).removeprefix(f"{_FIELD}: ")
        return otherwise


def whole(pattern: str) -> str:
    """`pattern` as a whole value: JSON Schema's and pydantic's patterns are searches."""
    return f"^(?:{pattern})$"


def matching(pattern: str, words: DomainRule | str, *, max_length: int | None = None) -> Rule:
    """A string of the `pattern` (a whole value), of at most `max_length` characters."""
    return Rule((StringConstraints(pattern=whole(pattern), max_length=max_length),), words)


def between(low: float, high: float, words: DomainRule | str) -> Rule:
    return Rule((annotated_types.Ge(low), annotated_types.Le(high)), words)


def at_least_one(what: str) -> Rule:
    """A list of at least one item (a `what`)."""
    return Rule((annotated_types.MinLen(1),), f"give at least one {what}")


def _int(low: int, high: int) -> Rule:
    return between(low, high, lambda value, field: rules.require_int(value, field, low, high))


def _line(max_length: int) -> DomainRule:
    return lambda value, field: rules.require_line(value, field, max_length)


def _not_blank_line(max_length: int) -> DomainRule:
    def rule(value: str, field: str) -> None:
        rules.require_line(value, field, max_length)
        if not value.strip():
            raise InputError(field, "must not be blank")

    return rule


def year_pattern(years: range) -> str:
    """A year of `years` (whole centuries), as a pattern."""
    first, last = years[0], years[-1]
    if first % 100 or (last + 1) % 100:
        raise ValueError(f"{years}: the years of whole centuries only")
    centuries = "|".join(str(century) for century in range(first // 100, last // 100 + 1))
    return f"(?:{centuries})[0-9]{{2}}"


def _years(years: range, words: DomainRule) -> Rule:
    """A date of `years`; JSON Schema holds the year by a pattern (its `format: date` has no
    bounds)."""
    return Rule(
        (
            annotated_types.Ge(dt.date(years[0], 1, 1)),
            annotated_types.Le(dt.date(years[-1], 12, 31)),
        ),
        words,
        {"pattern": f"^{year_pattern(years)}-"},
    )


# Patterns of text: one line (no control character), text of several lines (tabs and line
# breaks too), either not blank (a character that is not white space).
LINE = f"{rules.LINE_CHARACTER}*"
TEXT = f"{rules.TEXT_CHARACTER}*"
NOT_BLANK_LINE = f"{LINE}{rules.VISIBLE_CHARACTER}{LINE}"
NOT_BLANK_TEXT = f"{TEXT}{rules.VISIBLE_CHARACTER}{TEXT}"
SENDER = rules.sender_pattern()

# ids and phones
SmscId = Annotated[ID, matching(rules.ID_PATTERN, rules.require_id)]
Phone = Annotated[str, matching(rules.PHONE_PATTERN, rules.require_phone)]
Email = Annotated[
    str, matching(rules.EMAIL_PATTERN, rules.require_email, max_length=MAX_EMAIL_LENGTH)
]
# What finds a contact or a blacklist entry: one of its phones, or one of its e-mail addresses.
Address = Annotated[
    str,
    matching(
        f"{rules.PHONE_PATTERN}|{rules.EMAIL_PATTERN}",
        rules.require_listed_address,
        max_length=MAX_EMAIL_LENGTH,
    ),
]

# text
Name = Annotated[
    str, matching(NOT_BLANK_LINE, rules.require_name, max_length=MAX_NAME_LENGTH)
]  # of a job, a template, a group
PersonName = Annotated[str, matching(LINE, _line(MAX_NAME_LENGTH), max_length=MAX_NAME_LENGTH)]
ClientId = Annotated[
    str, matching(LINE, _line(MAX_CLIENT_ID_LENGTH), max_length=MAX_CLIENT_ID_LENGTH)
]
Tag = Annotated[str, matching(LINE, _line(MAX_TAG_LENGTH), max_length=MAX_TAG_LENGTH)]
Comment = Annotated[
    str,
    matching(
        TEXT,
        lambda value, field: rules.require_lines(value, field, MAX_COMMENT_LENGTH),
        max_length=MAX_COMMENT_LENGTH,
    ),
]
# A message: not blank, at most MAX_MESSAGE_LENGTH; any character in a binary one, else text
# (`when` says which, `to_domain()` checks it).
MessageText = Annotated[
    str,
    Rule(
        (StringConstraints(pattern=rules.NOT_SPACE, max_length=MAX_MESSAGE_LENGTH),),
        lambda value, field: rules.require_message(value, field, binary=True),
    ),
]
# What a `MessageText` that is not binary is besides: text.
AS_TEXT: Final = {"pattern": whole(TEXT)}
# A message that is text whatever the channel (a fallback SMS).
TextMessage = Annotated[
    str, matching(NOT_BLANK_TEXT, rules.require_message, max_length=MAX_MESSAGE_LENGTH)
]
Subject = Annotated[
    str,
    matching(NOT_BLANK_LINE, _not_blank_line(MAX_SUBJECT_LENGTH), max_length=MAX_SUBJECT_LENGTH),
]
Sender = Annotated[str, matching(SENDER, rules.require_sender)]
# A template's new sender: an empty one removes it.
SenderOrEmpty = Annotated[str, matching(f"(?:{SENDER})?", rules.require_sender)]
TelegramBot = Annotated[str, matching(rules.TELEGRAM_BOT_PATTERN, rules.telegram_bot)]
LanguageCode = Annotated[str, matching(rules.LANGUAGE_PATTERN, rules.language_code)]
FileUrl = Annotated[
    str,
    matching(f"https?://{LINE}", "must be a full http or https address", max_length=MAX_URL_LENGTH),
]
SearchText = Annotated[str, matching(LINE, _line(MAX_SEARCH_LENGTH), max_length=MAX_SEARCH_LENGTH)]
Cursor = Annotated[
    str, Rule((StringConstraints(max_length=MAX_CURSOR_LENGTH),), "is not a cursor this API issued")
]

# numbers
GroupNumber = Annotated[int, _int(0, MAX_GROUP_NUMBER)]
TimeZone = Annotated[int, _int(MIN_TIME_ZONE, MAX_TIME_ZONE)]
RepeatCount = Annotated[int, _int(1, MAX_REPEAT_COUNT)]
PeriodHours = Annotated[
    float, between(float(MIN_PERIOD_HOURS), float(MAX_PERIOD_HOURS), rules.require_hours)
]
FrequencyMinutes = Annotated[int, _int(MIN_FREQUENCY_MINUTES, MAX_FREQUENCY_MINUTES)]
_MINUTE: Final = dt.timedelta(minutes=1)
ValidityMinutes = Annotated[int, _int(MIN_VALIDITY // _MINUTE, MAX_VALIDITY // _MINUTE)]
ConfirmAfterDays = Annotated[int, _int(MIN_CONFIRM_DAYS, MAX_CONFIRM_DAYS)]
CallWait = Annotated[int, _int(0, MAX_CALL_WAIT)]
CallInterval = Annotated[int, _int(0, MAX_CALL_INTERVAL)]
CallAttempts = Annotated[int, _int(0, MAX_CALL_ATTEMPTS)]

# days
Birthday = Annotated[dt.date, _years(BIRTHDAY_YEARS, rules.optional_birthday)]
Day = Annotated[dt.date, _years(MOMENT_YEARS, rules.require_day)]  # of a job listing


# What a whole input's schema says (JSON Schema, 2020-12) and its `to_domain()` checks.


def schema_of(type_: Any) -> dict[str, Any]:
    """The JSON Schema of a value of `type_`, as the field declaring it has it."""
    return TypeAdapter(type_).json_schema()


def given(*names: str) -> dict[str, Any]:
    """Each named field is given, and not null."""
    return {
        "required": list(names),
        "properties": {name: {"not": {"type": "null"}} for name in names},
    }


def absent(name: str) -> dict[str, Any]:
    """The field is absent or null."""
    return {"properties": {name: {"type": "null"}}}


def some(name: str) -> dict[str, Any]:
    """The list field holds an item."""
    return {"required": [name], "properties": {name: {"type": "array", "minItems": 1}}}


def none(name: str) -> dict[str, Any]:
    """The list field is absent or empty."""
    return {"properties": {name: {"maxItems": 0}}}


def one_of_values(name: str, values: Iterable[Any]) -> dict[str, Any]:
    """The field is given, as one of `values` (in a set's order whatever the hash seed)."""
    return {"required": [name], "properties": {name: {"enum": sorted(values)}}}


def when(condition: Mapping[str, Any], then: Mapping[str, Any]) -> dict[str, Any]:
    return {"if": dict(condition), "then": dict(then)}


def any_change(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A change (the shape whose `schema` this is) gives at least one of its fields."""
    return {"anyOf": [given(name) for name in schema["properties"]]}


def known(enum: type[StrEnum]) -> dict[str, Any]:
    """An input of `enum` other than its UNKNOWN (what SMSC may report, never what it is told)."""
    return {"not": {"const": enum("UNKNOWN").value}}


__all__ = [
    "AS_TEXT",
    "Address",
    "Birthday",
    "CallAttempts",
    "CallInterval",
    "CallWait",
    "ClientId",
    "Comment",
    "ConfirmAfterDays",
    "Cursor",
    "Day",
    "Email",
    "FileUrl",
    "FrequencyMinutes",
    "GroupNumber",
    "LanguageCode",
    "MessageText",
    "Name",
    "PeriodHours",
    "PersonName",
    "Phone",
    "RepeatCount",
    "Rule",
    "SearchText",
    "Sender",
    "SenderOrEmpty",
    "SmscId",
    "Subject",
    "Tag",
    "TelegramBot",
    "TextMessage",
    "TimeZone",
    "ValidityMinutes",
    "absent",
    "any_change",
    "at_least_one",
    "between",
    "given",
    "known",
    "matching",
    "none",
    "one_of_values",
    "schema_of",
    "some",
    "when",
    "whole",
    "year_pattern",
]
