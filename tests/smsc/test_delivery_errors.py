"""The meanings of SMSC's delivery error codes (smsc-messages-notes.md §2.4)."""

import pytest

from facade.smsc.delivery_errors import DELIVERY_ERRORS, delivery_error

NO_ERROR = "No error (subscriber exists and is reachable)"


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        pytest.param(0, NO_ERROR, id="0"),
        pytest.param(1, "Subscriber does not exist", id="1"),
        pytest.param(200, "Virtual sending (test mode)", id="200-virtual"),
        pytest.param(255, "Rejected by the operator without a precise code", id="255"),
        pytest.param(2, None, id="2-unknown"),
        pytest.param(256, None, id="256-unknown"),
        pytest.param(None, None, id="none"),
    ],
)
def test_delivery_errors(code, meaning):
    assert delivery_error(code) == meaning


def test_delivery_error_table_is_the_notes():
    assert set(DELIVERY_ERRORS) == {0, 1, 6, 11, 12, 13, 21, 200, 219, 220, *range(237, 256)}
