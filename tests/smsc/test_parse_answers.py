import datetime as dt

import pytest

from facade.domain.answers import Answer
from facade.domain.common import MOSCOW
from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscRateLimited,
    SmscRejected,
    UpstreamProtocolError,
)
from facade.smsc.parse.answers import parse_answers
from facade.smsc.wire import Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)


def msk(day: int, month: int, year: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MOSCOW)


AGREE = Answer(
    id="1001",
    received_at=msk(10, 3, 2024, 12, 0, 5),
    phone="79991234567",
    message="Yes, I agree",
    to_phone="79000000001",
    sent_at=msk(10, 3, 2024, 12, 0, 1),
)
STOP = Answer(
    id="1002",
    received_at=msk(10, 3, 2024, 12, 5),
    phone="79997654321",
    message="Stop",
    to_phone=None,
    sent_at=None,
)
TRICKY = Answer(
    id="1003",
    received_at=msk(11, 3, 2024, 9, 0),
    phone="79991234567",
    message="Hi, to_phone = me\nid = 5, sent = never",
    to_phone="79000000001",
    sent_at=msk(11, 3, 2024, 8, 59, 58),
)
EMOJI = Answer(
    id="1004",
    received_at=msk(12, 3, 2024, 10, 0),
    phone="79991234567",
    message="👍 ok",
    to_phone=None,
    sent_at=None,
)
CYRILLIC = Answer(
    id="1007",
    received_at=msk(12, 3, 2024, 11, 0),
    phone="79991234567",
    message="Да, согласен. Спасибо!",
    to_phone=None,
    sent_at=None,
)


def get(path: str) -> Reply:
    return reply(f"get/{path}", "get_answers")


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(pytest.param(get(f"answers.fmt{n}.txt"), [AGREE, STOP], id=f"fmt{n}-list") for n in FMTS),
        *(
            pytest.param(get(f"answers-empty.fmt{n}.txt"), [], id=f"fmt{n}-empty-list")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-not-found.fmt{n}.txt"), [], id=f"fmt{n}-error-3-is-empty")
            for n in FMTS
        ),
        *(
            pytest.param(
                get(f"answers-tricky.fmt{n}.txt"), [TRICKY], id=f"fmt{n}-labels-in-message"
            )
            for n in (0, 1, 3)
        ),
        pytest.param(get("answers-emoji.fmt2.txt"), [EMOJI], id="fmt2-emoji"),
        pytest.param(get("answers-emoji.fmt3.txt"), [EMOJI], id="fmt3-emoji"),
        pytest.param(
            get("answers-omitted.fmt3.txt"),
            [
                Answer(
                    id="1006",
                    received_at=msk(12, 3, 2024, 10, 0),
                    phone="79991234567",
                    message="short",
                    to_phone=None,
                    sent_at=None,
                )
            ],
            id="fmt3-to-phone-and-sent-left-out-minutes-only",
        ),
        pytest.param(get("answers-cyrillic-utf8.fmt1.txt"), [CYRILLIC], id="fmt1-cyrillic-utf-8"),
        pytest.param(
            get("answers-cyrillic-cp1251.fmt1.txt"), [CYRILLIC], id="fmt1-cyrillic-windows-1251"
        ),
        pytest.param(get("answers-cyrillic-koi8r.fmt1.txt"), [CYRILLIC], id="fmt1-cyrillic-koi8-r"),
    ],
)
def test_parse_answers(sample, expected):
    assert parse_answers(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"error-params.fmt{n}.txt"), SmscBadRequest, id=f"fmt{n}-params")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-auth.fmt{n}.txt"), SmscAuthError, id=f"fmt{n}-auth")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-blocked.fmt{n}.txt"), SmscBlocked, id=f"fmt{n}-blocked")
            for n in FMTS
        ),
        *(
            pytest.param(
                get(f"error-duplicate.fmt{n}.txt"), SmscRateLimited, id=f"fmt{n}-duplicate"
            )
            for n in FMTS
        ),
        *(
            pytest.param(
                get(f"error-unknown-code.fmt{n}.txt"), SmscRejected, id=f"fmt{n}-unknown-code"
            )
            for n in FMTS
        ),
    ],
)
def test_parse_answers_errors(sample, expected):
    with pytest.raises(expected):
        parse_answers(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(get("answers-no-received.fmt3.txt"), id="fmt3-received-empty"),
        pytest.param(get("answers-list-root.fmt2.txt"), id="fmt2-list-root-is-not-sms-answers"),
    ],
)
def test_parse_answers_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_answers(sample)
