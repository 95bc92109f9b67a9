"""What every aggregate shares: Moscow time and enums that keep values SMSC adds later."""

import datetime as dt
import enum
from typing import Self

# Moscow has kept UTC+3 all year since 26 October 2014; a fixed offset needs no tz database.
MOSCOW = dt.timezone(dt.timedelta(hours=3), "MSK")


class OpenEnum(enum.Enum):
    """An enum with an `UNKNOWN` member for values SMSC may add later.

    The record that holds such an enum keeps the raw value beside it (`status_raw`,
    `format_raw`, ...), so nothing SMSC said is lost.
    """

    @classmethod
    def from_raw(cls, raw: object) -> Self:
        for member in cls:
            if member.value == raw:
                return member
        return cls["UNKNOWN"]
