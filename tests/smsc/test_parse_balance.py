"""balance.php's replies (`cur=1`, and the recorded ones without it) in every fmt."""

import decimal

import pytest

from facade.domain.messages import Balance
from facade.errors import UpstreamProtocolError
from facade.smsc.parse.messages import parse_balance
from facade.smsc.wire import Endpoint, Fmt, Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)
D = decimal.Decimal


def balance(path: str) -> Reply:
    return reply(f"balance/{path}", "get")


def inline(body: str, fmt: int) -> Reply:
    return Reply(body=body.encode(), endpoint=Endpoint.BALANCE, command="get", fmt=Fmt(fmt))


RUR = Balance(amount=D("1871.62"), currency="RUR")
BARE = Balance(amount=D("250.80"))
CREDIT = Balance(amount=D("-15.50"), currency="RUR", credit=D("500.00"))


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(pytest.param(balance(f"balance.fmt{n}.txt"), RUR, id=f"fmt{n}-cur") for n in FMTS),
        pytest.param(
            balance("balance-recorded.fmt3.txt"), Balance(amount=D("1871.62")), id="fmt3-recorded"
        ),
        *(
            pytest.param(balance(f"balance-bare.fmt{n}.txt"), BARE, id=f"fmt{n}-bare")
            for n in (0, 1, 2)
        ),
        *(
            pytest.param(balance(f"balance-credit.fmt{n}.txt"), CREDIT, id=f"fmt{n}-credit")
            for n in (2, 3)
        ),
        pytest.param(
            inline('{"balance": 15, "currency": ""}', 3),
            Balance(amount=D(15)),
            id="fmt3-number-empty-currency",
        ),
    ],
)
def test_parse_balance(sample, expected):
    assert parse_balance(sample) == expected


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        pytest.param("abc", 0, id="fmt0-word"),
        pytest.param("", 1, id="fmt1-empty"),
        pytest.param("1.0,R2D2", 1, id="fmt1-currency-digits"),
        pytest.param('{"currency": "RUR"}', 3, id="fmt3-no-balance"),
        pytest.param('{"balance": "1", "currency": 5}', 3, id="fmt3-currency-number"),
        pytest.param("[]", 3, id="fmt3-list"),
        pytest.param("<list/>", 2, id="fmt2-other-root"),
        pytest.param("<result><currency>RUR</currency></result>", 2, id="fmt2-no-balance"),
        pytest.param("<balance><x/></balance>", 2, id="fmt2-balance-not-a-leaf"),
    ],
)
def test_parse_balance_protocol_errors(body, fmt):
    with pytest.raises(UpstreamProtocolError):
        parse_balance(inline(body, fmt))
