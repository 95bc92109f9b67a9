"""Single messages (send.php, status.php, balance.php): sending one, its price, following it to
delivery, and the account's balance.

A message is found by its id and one recipient (`MessageRef`): SMSC keeps a status per recipient.
The facade gives each message its own id (`new_message_id`) and passes it to SMSC, so that a send
whose answer was lost is found again by asking for that id, never by sending again.
"""

import base64
import dataclasses
import datetime as dt
import decimal
import enum
import re
import secrets

from facade.domain.jobs import CallParams, Channel, SendTime, Transliteration, Voice

# The facade's message ids: `fx` and 20 base32 characters (100 bits). SMSC takes up to 40 Latin
# letters, digits, `.`, `-` and `_` (smsc-messages-notes.md §1.2, `id`).
MESSAGE_ID_PREFIX = "fx"
MESSAGE_ID_PATTERN = r"fx[a-z2-7]{20}"
_MESSAGE_ID = re.compile(MESSAGE_ID_PATTERN)
# What status.php takes as an id: SMSC's own (digits) or a client's (smsc-messages-notes.md §1.2).
ANY_MESSAGE_ID_PATTERN = r"[A-Za-z0-9._-]{1,40}"


def new_message_id() -> str:
    """A new id: 100 random bits."""
    text = base64.b32encode(secrets.token_bytes(13)).decode("ascii").lower()
    return MESSAGE_ID_PREFIX + text[:20]


def is_message_id(value: str) -> bool:
    """One of the facade's own ids (`new_message_id`)."""
    return _MESSAGE_ID.fullmatch(value) is not None


class MessageStatus(enum.StrEnum):
    """Where a message to one recipient is on its way."""

    NOT_FOUND = "NOT_FOUND"  # no such message for this recipient
    STOPPED = "STOPPED"  # held back: its mailing was paused
    WAITING = "WAITING"  # queued, or scheduled for later
    SENT = "SENT"  # handed to the operator
    DELIVERED = "DELIVERED"
    READ = "READ"  # opened (HTML e-mail)
    EXPIRED = "EXPIRED"  # its validity ran out undelivered
    LINK_CLICKED = "LINK_CLICKED"  # delivered, and its short link was clicked
    UNDELIVERABLE = "UNDELIVERABLE"
    INVALID_NUMBER = "INVALID_NUMBER"
    PROHIBITED = "PROHIBITED"  # by limits, the blacklist or the spam filter; not charged
    NO_MONEY = "NO_MONEY"  # the account could not pay for it
    UNAVAILABLE_NUMBER = "UNAVAILABLE_NUMBER"  # takes no messages, or no route to its operator
    UNKNOWN = "UNKNOWN"  # a status SMSC added later: `statusCode` keeps its number


# A message in one of these changes no more (smsc-messages-notes.md §8.4). UNKNOWN is not final
# until proven: a message in it is still followed.
FINAL_STATUSES = frozenset(
    {
        MessageStatus.NOT_FOUND,
        MessageStatus.DELIVERED,
        MessageStatus.READ,
        MessageStatus.EXPIRED,
        MessageStatus.LINK_CLICKED,
        MessageStatus.UNDELIVERABLE,
        MessageStatus.INVALID_NUMBER,
        MessageStatus.PROHIBITED,
        MessageStatus.NO_MONEY,
        MessageStatus.UNAVAILABLE_NUMBER,
    }
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MessageSpec:
    """Everything a send (and a cost request) takes, under the job's names where send.php shares
    an option with jobs.php. `id` is the facade's id for the message (`new_message_id`), set by
    the upstream layer before it is sent; a cost request has none."""

    phones: tuple[str, ...]
    message: str | None = None
    sender: str | None = None
    send_time: SendTime | None = None
    time_zone: int | None = None
    validity: dt.timedelta | None = None
    transliteration: Transliteration | None = None
    shorten_links: bool = False
    channel: Channel = Channel.SMS
    subject: str | None = None
    voice: Voice | None = None
    voice_language: str | None = None
    call_params: CallParams | None = None
    telegram_bot: str | None = None
    file_url: str | None = None
    max_parts: int | None = None
    with_cost: bool = False
    id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RecipientRejection:
    """A recipient SMSC refused within an accepted send (an invalid or forbidden number)."""

    phone: str
    status: MessageStatus
    status_code: int
    error_code: int | None = None
    error: str | None = None  # the delivery error's meaning


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MessageSent:
    """A send SMSC accepted: its id, the parts billed for every recipient together, the cost and
    the balance after it when asked, and the recipients it refused."""

    id: str
    parts: int
    cost: decimal.Decimal | None = None
    balance: decimal.Decimal | None = None
    rejected: tuple[RecipientRejection, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MessageCost:
    cost: decimal.Decimal
    parts: int


@dataclasses.dataclass(frozen=True, slots=True)
class MessageRef:
    """A message to one recipient: what status.php is asked for."""

    id: str
    phone: str


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MessageState:
    """A message's status for one recipient, with everything status.php tells of it.

    `status_code` is SMSC's own number (kept for UNKNOWN). `error_code` is the delivery error
    (0: none) and `error` its meaning. The rest is SMSC's detail (`all=2`), None where it gives
    none: when it was sent, what it cost, its sender, SMSC's own name for the status, its text,
    its parts (seconds for a call), and the number's country, operator and region.
    """

    id: str
    phone: str
    status: MessageStatus
    status_code: int
    changed_at: dt.datetime | None = None
    error_code: int | None = None
    error: str | None = None
    sent_at: dt.datetime | None = None
    cost: decimal.Decimal | None = None
    sender: str | None = None
    status_name: str | None = None
    message: str | None = None
    parts: int | None = None
    country: str | None = None
    operator: str | None = None
    region: str | None = None

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.id, self.phone)

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Balance:
    amount: decimal.Decimal
    currency: str | None = None
    credit: decimal.Decimal | None = None
