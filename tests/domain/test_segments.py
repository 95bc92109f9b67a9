import pytest

from facade.domain.segments import SmsEncoding, segments


@pytest.mark.parametrize(
    ("text", "encoding", "length", "parts", "per_part"),
    [
        pytest.param("", SmsEncoding.GSM7, 0, 0, 160, id="empty"),
        pytest.param("a" * 160, SmsEncoding.GSM7, 160, 1, 160, id="gsm7-one-full-part"),
        pytest.param("a" * 161, SmsEncoding.GSM7, 161, 2, 153, id="gsm7-two-parts"),
        pytest.param("a" * 306, SmsEncoding.GSM7, 306, 2, 153, id="gsm7-two-full-parts"),
        pytest.param("a" * 307, SmsEncoding.GSM7, 307, 3, 153, id="gsm7-three-parts"),
        pytest.param("€" * 80, SmsEncoding.GSM7, 160, 1, 160, id="gsm7-extension-counts-two"),
        pytest.param("€" * 81, SmsEncoding.GSM7, 162, 2, 153, id="gsm7-extension-splits"),
        pytest.param("я" * 70, SmsEncoding.UCS2, 70, 1, 70, id="ucs2-one-full-part"),
        pytest.param("я" * 71, SmsEncoding.UCS2, 71, 2, 67, id="ucs2-two-parts"),
        pytest.param("a" * 150 + "я", SmsEncoding.UCS2, 151, 3, 67, id="one-cyrillic-makes-ucs2"),
        pytest.param("😀" * 35, SmsEncoding.UCS2, 70, 1, 70, id="emoji-counts-two"),
        pytest.param("😀" * 36, SmsEncoding.UCS2, 72, 2, 67, id="emoji-splits"),
    ],
)
def test_segments(text, encoding, length, parts, per_part):
    found = segments(text)
    assert (found.encoding, found.length, found.parts, found.per_part) == (
        encoding,
        length,
        parts,
        per_part,
    )


def test_remaining_in_the_last_part():
    assert segments("").remaining == 160
    assert segments("a" * 10).remaining == 150
    assert segments("a" * 161).remaining == 2 * 153 - 161
