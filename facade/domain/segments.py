"""How many SMS parts a text takes, and in which encoding (smsc-jobs.txt, `mes`).

GSM 03.38 text (GSM-7) fits 160 characters in one SMS and 153 per part when split; any other
character makes the whole message UCS-2: 70 in one SMS, 67 per part. Characters of the GSM-7
extension table take two places. UCS-2 counts UTF-16 code units, so an emoji takes two.
"""

import dataclasses
import enum
import math

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


class SmsEncoding(enum.StrEnum):
    """GSM-7 (160 characters, 153 per part) or UCS-2 (70, 67 per part)."""

    GSM7 = "GSM7"
    UCS2 = "UCS2"


@dataclasses.dataclass(frozen=True, slots=True)
class Segments:
    encoding: SmsEncoding
    length: int  # in the encoding's units: septets for GSM-7, UTF-16 code units for UCS-2
    parts: int
    per_part: int  # the limit of one part at this length (160/153 or 70/67)

    @property
    def remaining(self) -> int:
        """Units left in the last part before one more part is needed."""
        return self.parts * self.per_part - self.length if self.parts else self.per_part


_LIMITS = {SmsEncoding.GSM7: (160, 153), SmsEncoding.UCS2: (70, 67)}


def segments(text: str) -> Segments:
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text):
        encoding = SmsEncoding.GSM7
        length = sum(2 if char in _GSM7_EXTENSION else 1 for char in text)
    else:
        encoding = SmsEncoding.UCS2
        length = len(text.encode("utf-16-le")) // 2
    single, multi = _LIMITS[encoding]
    if length <= single:
        return Segments(encoding, length, 1 if length else 0, single)
    return Segments(encoding, length, math.ceil(length / multi), multi)
