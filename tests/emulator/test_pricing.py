"""SMS parts, truncation and prices (facade.emulator.pricing)."""

from decimal import Decimal

import pytest

from facade.emulator.pricing import channel_parts, is_gsm, price, render_money, sms_parts, truncate


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param("", 1, id="empty"),
        pytest.param("@£$¥èé" + "a" * 154, 1, id="gsm-national-160"),
        pytest.param("€" * 80, 1, id="euro-extension-160-septets"),
        pytest.param("€" * 81, 2, id="euro-extension-162-septets"),
        pytest.param("a" * 306, 2, id="gsm-306"),
        pytest.param("`" + "a" * 69, 1, id="backtick-is-not-gsm"),
        pytest.param("ж" * 134, 2, id="ucs2-134"),
    ],
)
def test_sms_parts(text, parts):
    assert sms_parts(text) == parts


@pytest.mark.parametrize(
    ("text", "max_parts", "kept"),
    [
        pytest.param("a" * 200, 1, "a" * 160, id="one-part-is-160"),
        pytest.param("a" * 400, 2, "a" * 306, id="two-parts-306"),
        pytest.param("{" * 100, 1, "{" * 80, id="extension-counts-two"),
        pytest.param("😀" * 40, 1, "😀" * 35, id="emoji-two-units"),
        pytest.param("short", 1, "short", id="fits"),
    ],
)
def test_truncate(text, max_parts, kept):
    assert truncate(text, max_parts) == kept


def test_transliterated_text_counts_as_gsm():
    assert truncate("ж" * 200, 1, transliterated=True) == "ж" * 160
    assert sms_parts("ж" * 160, transliterated=True) == 1


def test_channels_and_money():
    assert is_gsm("Hello, world!")
    assert not is_gsm("Привет")
    assert channel_parts("viber", "a" * 1000, transliterated=False) == 1
    assert channel_parts("flash", "a" * 161, transliterated=False) == 2
    assert price("sms") == Decimal("2.50")
    assert render_money(Decimal("1.005")) == "1.00"
    assert render_money(Decimal(-3)) == "-3.00"
