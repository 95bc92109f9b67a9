"""What JSON Schema states of a job (`CreateJob`) that no field's own constraint can, and
`CreateJob.to_domain()` checks (`facade.domain.rules`, `facade.domain.job_checks`): a value
refused under another field's name (`sendTime`), or held to another field.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from facade.domain.bounds import MAX_EMAIL_LENGTH, MAX_TIME_ZONE, MIN_TIME_ZONE, MOMENT_YEARS
from facade.domain.common import MOSCOW
from facade.domain.job_checks import (
    CHANNELS_WITH_SUBJECT,
    CHANNELS_WITHOUT_MESSAGE,
    LIST_SEPARATORS,
)
from facade.domain.jobs import Channel
from facade.domain.rules import (
    EMAIL_PATTERN,
    PHONE_PATTERN,
    SENDER_PUNCTUATION,
    TELEGRAM_ID_PATTERN,
    sender_pattern,
)
from facade.vocabulary.fields import (
    AS_TEXT,
    Phone,
    absent,
    given,
    none,
    schema_of,
    some,
    whole,
    year_pattern,
)

# A moment of sendTime: in the years MOMENT_YEARS; `at` also at an offset whole hours from Moscow
# within MIN_TIME_ZONE..MAX_TIME_ZONE, or at another (sent in Moscow's time).
_MOSCOW_HOURS: Final = MOSCOW.utcoffset(None) // dt.timedelta(hours=1)


def _offset(zone: int) -> str:
    """The offsets of a moment in `zone` (hours from Moscow), as RFC 3339 writes them."""
    hours = zone + _MOSCOW_HOURS
    sign = r"\+" if hours > 0 else "-"
    found = [f"{sign}{abs(hours):02}:00"] if hours else ["[Zz]", "[+-]00:00"]
    if zone == 0:  # an offset of no whole hours is sent in Moscow's time
        found.append("[+-][0-9]{2}:(?:0[1-9]|[1-5][0-9])")
    return "|".join(found)


YEAR: Final = f"^{year_pattern(MOMENT_YEARS)}-"
MOMENT: Final = (
    YEAR
    + ".*(?:"
    + "|".join(_offset(zone) for zone in range(MIN_TIME_ZONE, MAX_TIME_ZONE + 1))
    + ")$"
)
# A sender of a `messages` line: without the separators of a `list` line.
LINE_SENDER: Final = whole(
    sender_pattern("".join(c for c in SENDER_PUNCTUATION if c not in LIST_SEPARATORS))
)


def _channel(*channels: Channel, default: bool = False) -> dict[str, Any]:
    """The channel is one of `channels`; absent too, with `default` (SMS is one of them)."""
    schema = {"properties": {"channel": {"enum": sorted(channels)}}}
    return schema if default else {"required": ["channel"], **schema}


def _recipients(item: Mapping[str, Any], line: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Each recipient of `phones` is an `item`, of each of `messages` a `line` (an `item`)."""
    return {
        "properties": {
            "phones": {"items": dict(item)},
            "messages": {"items": {"properties": {"phones": {"items": dict(line or item)}}}},
        }
    }


def _texts(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`message` and the text of each of `messages` are `schema`."""
    return {
        "properties": {
            "message": dict(schema),
            "messages": {"items": {"properties": {"message": dict(schema)}}},
        }
    }


_PHONE: Final = schema_of(Phone)
_EMAIL: Final = {"type": "string", "maxLength": MAX_EMAIL_LENGTH, "pattern": whole(EMAIL_PATTERN)}
# An address of a `messages` line: without the separators of a `list` line.
_LINE_EMAIL: Final = {
    **_EMAIL,
    "pattern": whole(
        EMAIL_PATTERN.replace("[^", "[^" + "".join(sorted(LIST_SEPARATORS - {"\n", "\r"})))
    ),
}
_TELEGRAM: Final = {"type": "string", "pattern": whole(f"{PHONE_PATTERN}|{TELEGRAM_ID_PATTERN}")}
_OWN_OPTIONS: Final = {
    # the options of other channels, each absent but on its own channels
    "subject": absent("subject"),
    "voice": {"allOf": [absent("voice"), absent("voiceLanguage")]},
    "callParams": absent("callParams"),
}


def _channels(
    channels: Sequence[Channel],
    recipient: Mapping[str, Any],
    *own: Mapping[str, Any],
    line: Mapping[str, Any] | None = None,
    binary: bool = False,
    options: Sequence[str] = (),
) -> dict[str, Any]:
    """A job of `channels`: its recipients are `recipient`, its texts text (but `binary`), of the
    options only its own (`options`, as `own` states them)."""
    return {
        "allOf": [
            _channel(*channels, default=Channel.SMS in channels),
            _recipients(recipient, line),
            *(() if binary else (_texts(AS_TEXT),)),
            *(absent_ for name, absent_ in _OWN_OPTIONS.items() if name not in options),
            *own,
        ]
    }


def _plain(recipients: Mapping[str, Any], text: str | None) -> dict[str, Any]:
    """A job to `recipients` (phones or groupNumbers) of one `text` (message, templateId), or of
    none (HLR and PING)."""
    texts = {"message": "templateId", "templateId": "message"}
    return {
        "allOf": [
            none("messages"),
            recipients,
            {"properties": {"multilineMessages": {"const": False}}},
            *(
                (given(text), absent(texts[text]))
                if text is not None
                else (absent("message"), absent("templateId"), _channel(*CHANNELS_WITHOUT_MESSAGE))
            ),
        ]
    }


# The channels with rules of their own; the others are as SMS.
_SPECIAL_CHANNELS: Final = frozenset(
    {
        Channel.BINARY,
        Channel.TELEGRAM,
        Channel.CALL,
        *CHANNELS_WITHOUT_MESSAGE,
        *CHANNELS_WITH_SUBJECT,
    }
)
JOB_RULES: Final = (
    # each channel: its recipients (phones; e-mail addresses for EMAIL; also #id for TELEGRAM),
    # its texts (text, but BINARY's), its options (subject, voice, callParams)
    {
        "anyOf": [
            _channels([c for c in Channel if c not in _SPECIAL_CHANNELS], _PHONE),
            _channels([Channel.BINARY], _PHONE, binary=True),
            _channels(sorted(CHANNELS_WITHOUT_MESSAGE), _PHONE),
            _channels([Channel.MMS], _PHONE, options=["subject"]),
            _channels(
                [Channel.EMAIL], _EMAIL, given("subject"), line=_LINE_EMAIL, options=["subject"]
            ),
            _channels([Channel.TELEGRAM], _TELEGRAM),
            _channels([Channel.CALL], _PHONE, given("voice"), options=["voice", "callParams"]),
            _channels([Channel.CALL], _PHONE, options=["callParams"]),
        ]
    },
    # phones (or groupNumbers) with a message or a template, or messages
    {
        "anyOf": [
            {
                "allOf": [
                    some("messages"),
                    {"properties": {"phones": {"maxItems": 0}, "groupNumbers": {"maxItems": 0}}},
                    absent("message"),
                    absent("templateId"),
                ]
            },
            *(
                _plain(some(recipients), text)
                for recipients in ("phones", "groupNumbers")
                for text in ("message", "templateId", None)
            ),
        ]
    },
    # Left to `to_domain()` alone, as their product with the above outgrows what JSON Schema
    # tools model (schemathesis' canonical form): fallbackSender needs fallbackMessage,
    # repeatCount repeat, frequencyMinutes periodHours, timeZone a sendTime at (of its offset)
    # or window, a time zone of one of messages sendTime at; a line of messages is one line of
    # `list` (no literal \n but with multilineMessages, no line that reads as a new one).
)


__all__ = ["JOB_RULES", "LINE_SENDER", "MOMENT", "YEAR"]
