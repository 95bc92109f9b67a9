# ruff: noqa: RUF001 - SMSC names statuses, countries and regions in Russian; Cyrillic is on purpose.
"""Sent messages, one record per (id, recipient), and how their status moves with the clock.

A record holds its whole course as steps `(at, status, err)`; its status at a moment is the last
step reached (smsc-messages-notes.md §2.3 for the codes). A send makes WAITING (-1) until its
`time`, then 0 (handed to the operator), then `DELIVERY_SECONDS` later the test number's steps
(`TEST_NUMBERS` in facade.emulator.assumptions) or 1 (delivered). `MessageBook.due` hands every
step reached since it last asked to the callbacks, WAITING excepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import (
    DELIVERY_SECONDS,
    TEST_NUMBER_PREFIX,
    TEST_NUMBERS,
)

if TYPE_CHECKING:
    from decimal import Decimal

NOT_FOUND: Final = -3
WAITING: Final = -1
HANDED: Final = 0
DELIVERED: Final = 1
# SMSC's own names (status_name), as status.php writes them (smsc-messages-notes.md §2.2, §2.3).
STATUS_NAMES: Final = {
    -3: "Сообщение не найдено",
    -2: "Остановлено",
    -1: "Ожидает отправки",
    0: "Передано оператору",
    1: "Доставлено",
    2: "Прочитано",
    3: "Просрочено",
    4: "Нажата ссылка",
    20: "Невозможно доставить",
    22: "Неверный номер",
    23: "Запрещено",
    24: "Недостаточно средств",
    25: "Недоступный номер",
}
# (prefix, country, operator, region) [A]: the longest matching prefix wins; none, all empty.
NUMBER_INFO: Final = (
    ("7", "Россия", "Эмулятор", "г.Москва и Московская область"),
    ("77", "Казахстан", "Эмулятор", "г.Алматы"),
)

MessageKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Step:
    at: float
    status: int
    err: int = 0


@dataclass(slots=True)
class SentMessage:
    """One recipient of one send; `parts` and `cost` are this recipient's."""

    id: str
    phone: str
    text: str
    sender: str
    parts: int
    cost: Decimal
    sent: float
    steps: list[Step]
    posted: int = 0

    @property
    def key(self) -> MessageKey:
        return self.id, self.phone

    def step_at(self, now: float) -> Step:
        reached = self.steps[0]
        for step in self.steps:
            if step.at > now:
                break
            reached = step
        return reached

    def force(self, status: int, err: int, now: float) -> None:
        """Any status from now on; the steps still ahead are dropped."""
        self.steps = [step for step in self.steps if step.at <= now]
        self.steps.append(Step(now, status, err))


def final_steps(phone: str) -> tuple[tuple[int, int], ...]:
    """The (status, err) steps after 0 of a phone: its test number's, else delivered."""
    if phone.startswith(TEST_NUMBER_PREFIX) and len(phone) == len(TEST_NUMBER_PREFIX) + 2:
        return TEST_NUMBERS.get(phone[-2:], ((DELIVERED, 0),))
    return ((DELIVERED, 0),)


def course(phone: str, sent: float, scheduled: float | None) -> list[Step]:
    """Every step of a message accepted at `sent`, to be sent at `scheduled` (None: now)."""
    steps = [] if scheduled is None else [Step(sent, WAITING)]
    handed = sent if scheduled is None else scheduled
    steps.append(Step(handed, HANDED))
    for index, (status, err) in enumerate(final_steps(phone), start=1):
        steps.append(Step(handed + index * DELIVERY_SECONDS, status, err))
    return steps


def number_info(phone: str) -> tuple[str, str, str]:
    """Country, operator and region of a phone (`NUMBER_INFO`)."""
    best = ("", "", "", "")
    for row in NUMBER_INFO:
        if phone.startswith(row[0]) and len(row[0]) > len(best[0]):
            best = row
    return best[1], best[2], best[3]


@dataclass(slots=True)
class MessageBook:
    """An account's sent messages; `unsettled` holds the keys with steps not yet handed on, in
    the order they were sent (a dict as an ordered set)."""

    messages: dict[MessageKey, SentMessage] = field(default_factory=dict)
    unsettled: dict[MessageKey, None] = field(default_factory=dict)

    def add(self, message: SentMessage) -> None:
        self.messages[message.key] = message
        self.unsettled.pop(message.key, None)
        self.unsettled[message.key] = None

    def get(self, message_id: str, phone: str) -> SentMessage | None:
        return self.messages.get((message_id, phone.removeprefix("+")))

    def force(self, message: SentMessage, status: int, err: int, now: float) -> None:
        message.force(status, err, now)
        message.posted = min(message.posted, len(message.steps) - 1)
        self.unsettled[message.key] = None

    def due(self, now: float) -> list[tuple[SentMessage, Step]]:
        """Steps reached by `now` and not handed on before, in time order; WAITING is skipped."""
        found: list[tuple[SentMessage, Step]] = []
        for key in list(self.unsettled):
            message = self.messages[key]
            while message.posted < len(message.steps) and message.steps[message.posted].at <= now:
                step = message.steps[message.posted]
                message.posted += 1
                if step.status != WAITING:
                    found.append((message, step))
            if message.posted == len(message.steps):
                del self.unsettled[key]
        found.sort(key=lambda item: item[1].at)
        return found
