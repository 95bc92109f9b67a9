"""SMS parts and prices: how many parts a text takes, `maxsms` truncation, and what a send costs.

smsc-messages-notes.md §1.2, `mes`: one SMS holds 160 GSM-7 or 70 UCS-2 characters; in a longer
text each part holds 153 or 67. GSM-7 is 3GPP TS 23.038's default alphabet; its extension
characters take two septets. Any character outside it makes the whole text UCS-2, counted in
UTF-16 units (an emoji takes two). Prices are the emulator's own (`PRICES`).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Final

from facade.emulator.assumptions import PRICES, TEXT_CHANNELS

# 3GPP TS 23.038 §6.2.1, the default alphabet (without the escape) and its extension table.
_GSM_BASIC: Final = frozenset(
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9"
    " !\"#\u00a4%&'()*+,-./0123456789:;<=>?"
    "\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"
    "\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"
)
_GSM_EXTENSION: Final = frozenset("\f^{}\\[~]|\u20ac")
_SINGLE: Final = {True: 160, False: 70}
_MULTI: Final = {True: 153, False: 67}
CENT: Final = Decimal("0.01")


def is_gsm(text: str) -> bool:
    return all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text)


def _units(char: str, gsm: bool) -> int:
    if gsm:
        return 2 if char in _GSM_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def _length(text: str, gsm: bool) -> int:
    return sum(_units(char, gsm) for char in text)


def _gsm_counted(text: str, transliterated: bool) -> bool:
    """A transliterated text counts as GSM-7 of the same length [A]."""
    return transliterated or is_gsm(text)


def sms_parts(text: str, *, transliterated: bool = False) -> int:
    """The parts `text` takes; an empty text (HLR, ping) takes one."""
    gsm = _gsm_counted(text, transliterated)
    length = len(text) if transliterated else _length(text, gsm)
    if length <= _SINGLE[gsm]:
        return 1
    return math.ceil(length / _MULTI[gsm])


def truncate(text: str, max_parts: int, *, transliterated: bool = False) -> str:
    """`text` cut to fit `max_parts` parts (`maxsms`: "longer texts are truncated to fit")."""
    gsm = _gsm_counted(text, transliterated)
    room = _SINGLE[gsm] if max_parts == 1 else max_parts * _MULTI[gsm]
    used = 0
    for index, char in enumerate(text):
        used += 1 if transliterated else _units(char, gsm)
        if used > room:
            return text[:index]
    return text


def channel_parts(channel: str, text: str, *, transliterated: bool) -> int:
    """Parts of a text channel's message; one for every other channel [A]."""
    if channel in TEXT_CHANNELS:
        return sms_parts(text, transliterated=transliterated)
    return 1


def price(channel: str) -> Decimal:
    return Decimal(PRICES[channel])


def render_money(amount: Decimal) -> str:
    """Money as SMSC writes it: two decimals, a point (`"1871.62"`)."""
    return f"{amount.quantize(CENT):.2f}"
