"""Single messages (send.php, status.php, balance.php): sending one, its price, its status, and
the account's balance.

`SendMessage` takes the options a message shares with a job (`facade.vocabulary.jobs.CreateJob`)
under the job's names, each held to the job's rule; `to_domain()` is the message, validated
completely (`facade.domain.message_checks`).
"""

import datetime as dt
import decimal
import re
from typing import Annotated, Final, Self

from pydantic import Field

from facade.domain import messages
from facade.domain.bounds import (
    MAX_EMAIL_LENGTH,
    MAX_MESSAGE_PARTS,
    MAX_MESSAGE_RECIPIENTS,
    MAX_SUBJECT_LENGTH,
    MAX_TIME_ZONE,
    MAX_URL_LENGTH,
    MAX_VALIDITY,
    MIN_TIME_ZONE,
    MIN_VALIDITY,
)
from facade.domain.jobs import Channel, Transliteration, Voice
from facade.domain.message_checks import check_message
from facade.domain.messages import ANY_MESSAGE_ID_PATTERN, MessageRef, MessageStatus
from facade.domain.rules import (
    EMAIL_PATTERN,
    PHONE_PATTERN,
    TELEGRAM_ID_PATTERN,
    job_recipient,
    language_code,
    optional_line,
    optional_sender,
    require_email,
    require_int,
    require_message,
    require_phone,
    telegram_bot,
)
from facade.errors import InputError
from facade.vocabulary.fields import (
    FileUrl,
    LanguageCode,
    MessageText,
    Sender,
    Subject,
    TelegramBot,
    TimeZone,
    ValidityMinutes,
    matching,
)
from facade.vocabulary.jobs import CallParams, SendTime
from facade.vocabulary.shapes import ID, Input, Output, example

_MINUTE = dt.timedelta(minutes=1)

# What finds a message (status.php): its id (the facade's, SMSC's own digits, or any client's:
# smsc-messages-notes.md §1.2) and one of its recipients (a phone; an e-mail address for an
# e-mail; a Telegram #id), as `<id>:<recipient>` where a list of them is one value (REST's `ref`).
MESSAGE_ID_RULE: Final = "must be a message id: 1 to 40 Latin letters, digits, '.', '-' or '_'"
RECIPIENT_PATTERN: Final = f"{PHONE_PATTERN}|{EMAIL_PATTERN}|{TELEGRAM_ID_PATTERN}"
REF_SEPARATOR: Final = ":"  # no message id holds one: the first splits a ref
REF_RULE: Final = "must be a message id, ':' and one of its recipients, as in fx0123:79161234567"
# Messages one request may ask for: one status.php request's worth (facade.smsc.messages).
MAX_MESSAGES_ASKED: Final = 100
_MAX_MESSAGE_ID_LENGTH: Final = 40  # ANY_MESSAGE_ID_PATTERN's
_MESSAGE_ID: Final = re.compile(ANY_MESSAGE_ID_PATTERN)
_TELEGRAM_ID: Final = re.compile(TELEGRAM_ID_PATTERN)


def require_message_id(value: str, field: str) -> str:
    if _MESSAGE_ID.fullmatch(value) is None:
        raise InputError(field, MESSAGE_ID_RULE)
    return value


def require_recipient(value: str, field: str) -> str:
    """A phone (10-15 digits, optionally after +), an e-mail address, or a Telegram #id."""
    if "@" in value:
        return require_email(value, field)
    if value.startswith("#"):
        if _TELEGRAM_ID.fullmatch(value) is None:
            raise InputError(field, "must be a Telegram #id: # and 1 to 32 letters, digits or _")
        return value
    return require_phone(value, field)


def message_ref(
    id: str, phone: str, id_field: str = "id", phone_field: str = "phone"
) -> MessageRef:
    """The message `id` to `phone`, each held to its rule (the id's first)."""
    return MessageRef(require_message_id(id, id_field), require_recipient(phone, phone_field))


def parse_ref(value: str, field: str) -> MessageRef:
    """`<id>:<recipient>` as the message it names; `field` names both parts' faults."""
    id, separator, phone = value.partition(REF_SEPARATOR)
    if not separator:
        raise InputError(field, REF_RULE)
    return message_ref(id, phone, field, field)


MessageId = Annotated[str, matching(ANY_MESSAGE_ID_PATTERN, require_message_id)]
Recipient = Annotated[
    str, matching(RECIPIENT_PATTERN, require_recipient, max_length=MAX_EMAIL_LENGTH)
]
MessageRefText = Annotated[
    str,
    matching(
        f"(?:{ANY_MESSAGE_ID_PATTERN}){REF_SEPARATOR}(?:{RECIPIENT_PATTERN})",
        parse_ref,
        max_length=_MAX_MESSAGE_ID_LENGTH + len(REF_SEPARATOR) + MAX_EMAIL_LENGTH,
    ),
]


class SendMessage(Input):
    """One message to one or more recipients, sent at once (or at sendTime). The options it
    shares with a job have the job's names and rules."""

    model_config = example(
        {"phones": ["79161234567"], "message": "Your code: 4321", "sender": "Clinic"}
    )

    phones: list[str] = Field(
        description="Phones (10-15 digits, optionally after +); e-mail addresses for EMAIL; "
        f"also #id for TELEGRAM. At most {MAX_MESSAGE_RECIPIENTS}, each once.",
        json_schema_extra={"minItems": 1, "maxItems": MAX_MESSAGE_RECIPIENTS},
    )
    message: MessageText | None = Field(
        default=None, description="At most 1,000 characters; none for HLR and PING."
    )
    sender: Sender | None = None
    send_time: SendTime | None = None
    time_zone: TimeZone | None = Field(
        default=None, description="Hours from Moscow of sendTime.at or .window (-15 to 11)."
    )
    validity_minutes: ValidityMinutes | None = Field(
        default=None, description="How long the operator tries to deliver: 1-1440 minutes."
    )
    transliteration: Transliteration | None = None
    shorten_links: bool = False
    channel: Channel = Channel.SMS
    subject: Subject | None = Field(default=None, description="MMS and EMAIL only.")
    voice: Voice | None = Field(default=None, description="CALL only.")
    voice_language: LanguageCode | None = Field(
        default=None, description="With voice: a language code such as en."
    )
    call_params: CallParams | None = Field(default=None, description="CALL only.")
    telegram_bot: TelegramBot | None = Field(default=None, description="@name_bot")
    file_url: FileUrl | None = Field(default=None, description="An http(s) file to attach.")
    max_parts: int | None = Field(
        default=None,
        description="Cut the text to at most this many SMS parts.",
        json_schema_extra={"minimum": 1, "maximum": MAX_MESSAGE_PARTS},
    )
    with_cost: bool = Field(
        default=False, description="Ask SMSC for the cost and the balance after it."
    )

    def to_domain(self) -> messages.MessageSpec:
        channel = self.channel
        spec = messages.MessageSpec(
            phones=tuple(
                job_recipient(phone, channel, f"phones[{index}]")
                for index, phone in enumerate(self.phones)
            ),
            message=None
            if self.message is None
            else require_message(self.message, "message", binary=channel is Channel.BINARY),
            sender=optional_sender(self.sender, "sender"),
            send_time=None if self.send_time is None else self.send_time.to_domain(),
            time_zone=None
            if self.time_zone is None
            else require_int(self.time_zone, "timeZone", MIN_TIME_ZONE, MAX_TIME_ZONE),
            validity=None
            if self.validity_minutes is None
            else _MINUTE
            * require_int(
                self.validity_minutes,
                "validityMinutes",
                MIN_VALIDITY // _MINUTE,
                MAX_VALIDITY // _MINUTE,
            ),
            transliteration=self.transliteration,
            shorten_links=self.shorten_links,
            channel=channel,
            subject=optional_line(self.subject, "subject", MAX_SUBJECT_LENGTH),
            voice=self.voice,
            voice_language=None
            if self.voice_language is None
            else language_code(self.voice_language, "voiceLanguage"),
            call_params=None if self.call_params is None else self.call_params.to_domain(),
            telegram_bot=None
            if self.telegram_bot is None
            else telegram_bot(self.telegram_bot, "telegramBot"),
            file_url=optional_line(self.file_url, "fileUrl", MAX_URL_LENGTH),
            max_parts=self.max_parts,
            with_cost=self.with_cost,
        )
        return check_message(spec)


class RecipientRejection(Output):
    """A recipient SMSC refused within a send it accepted."""

    phone: str
    status: MessageStatus
    status_code: int = Field(description="SMSC's own status number.")
    error_code: int | None = Field(description="SMSC's delivery error code, when it gives one.")
    error: str | None = Field(description="What the delivery error code means.")

    @classmethod
    def from_domain(cls, rejection: messages.RecipientRejection) -> Self:
        return cls(
            phone=rejection.phone,
            status=rejection.status,
            status_code=rejection.status_code,
            error_code=rejection.error_code,
            error=rejection.error,
        )


class SentMessage(Output):
    """A message SMSC accepted. Follow it by its id and a recipient."""

    model_config = example(
        {"id": "fxq3vkmw2hd7ta5ejry4c", "parts": 1, "cost": None, "balance": None, "rejected": []}
    )

    id: ID = Field(description="The message's id (the facade's, as SMSC keeps it).")
    parts: int = Field(description="SMS parts billed, for every recipient together.")
    cost: decimal.Decimal | None = Field(description="What it cost, when withCost asked for it.")
    balance: decimal.Decimal | None = Field(
        default=None, description="The balance after it, when withCost asked for it."
    )
    rejected: list[RecipientRejection] = Field(
        default=[], description="The recipients SMSC refused; the others were sent to."
    )

    @classmethod
    def from_domain(cls, sent: messages.MessageSent) -> Self:
        return cls(
            id=ID(sent.id),
            parts=sent.parts,
            cost=sent.cost,
            balance=sent.balance,
            rejected=[RecipientRejection.from_domain(item) for item in sent.rejected],
        )


class MessageCost(Output):
    """What a message would cost, without sending it."""

    model_config = example({"cost": "2.50", "parts": 1})

    cost: decimal.Decimal
    parts: int = Field(description="SMS parts, for every recipient together.")

    @classmethod
    def from_domain(cls, cost: messages.MessageCost) -> Self:
        return cls(cost=cost.cost, parts=cost.parts)


class Message(Output):
    """A message to one recipient, as SMSC reports it now."""

    model_config = example(
        {
            "id": "fxq3vkmw2hd7ta5ejry4c",
            "phone": "79161234567",
            "status": "DELIVERED",
            "statusCode": 1,
            "final": True,
            "changedAt": "2025-06-02T10:00:07+03:00",
            "errorCode": 0,
            "error": "No error",
            "sentAt": "2025-06-02T10:00:00+03:00",
            "cost": "2.50",
            "sender": "Clinic",
            "statusName": "Delivered",
            "message": "Your code: 4321",
            "parts": 1,
            "country": "Russia",
            "operator": "MTS",
            "region": "Moscow",
        }
    )

    id: ID
    phone: str
    status: MessageStatus
    status_code: int = Field(description="SMSC's own status number.")
    final: bool = Field(description="The status will not change again.")
    changed_at: dt.datetime | None = Field(description="When the status last changed.")
    error_code: int | None = Field(description="SMSC's delivery error code (0: none).")
    error: str | None = Field(description="What the delivery error code means.")
    sent_at: dt.datetime | None
    cost: decimal.Decimal | None
    sender: str | None
    status_name: str | None = Field(description="SMSC's own name of the status.")
    message: str | None = Field(description="The text sent.")
    parts: int | None = Field(description="SMS parts (seconds for a call).")
    country: str | None
    operator: str | None
    region: str | None

    @classmethod
    def from_domain(cls, state: messages.MessageState) -> Self:
        return cls(
            id=ID(state.id),
            phone=state.phone,
            status=state.status,
            status_code=state.status_code,
            final=state.final,
            changed_at=state.changed_at,
            error_code=state.error_code,
            error=state.error,
            sent_at=state.sent_at,
            cost=state.cost,
            sender=state.sender,
            status_name=state.status_name,
            message=state.message,
            parts=state.parts,
            country=state.country,
            operator=state.operator,
            region=state.region,
        )


class Balance(Output):
    """The SMSC account's balance."""

    model_config = example({"amount": "1500.00", "currency": "RUR", "credit": None})

    amount: decimal.Decimal
    currency: str | None = Field(description="As SMSC names it (RUR, KZT, ...).")
    credit: decimal.Decimal | None = Field(description="The credit limit, when there is one.")

    @classmethod
    def from_domain(cls, balance: messages.Balance) -> Self:
        return cls(amount=balance.amount, currency=balance.currency, credit=balance.credit)


__all__ = [
    "MAX_MESSAGES_ASKED",
    "Balance",
    "Message",
    "MessageCost",
    "MessageId",
    "MessageRefText",
    "Recipient",
    "RecipientRejection",
    "SendMessage",
    "SentMessage",
    "message_ref",
    "parse_ref",
    "require_message_id",
    "require_recipient",
]
