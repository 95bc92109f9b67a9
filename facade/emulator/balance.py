"""`sys/balance.php`: the account's balance, and with `cur=1` its currency.

smsc-messages-notes.md §3: without `cur`, fmt 0 and 1 are the bare number, fmt 2
`<balance>…</balance>`, fmt 3 `{"balance": "…"}` (a string). With `cur=1` (docs/messages-wire-
draft.md, "balance.php"): fmt 0 and 1 `<balance>,<currency>`, fmt 2 both inside `<result>`, fmt 3
`{"balance": "…", "currency": "RUR"}`. A credit is written in fmt 3 only, after the balance [A].
Ten balance requests a minute per login: facade.emulator.limits.
"""

from __future__ import annotations

from typing import Final

from facade.emulator.assumptions import CURRENCY
from facade.emulator.command import Context, Handler, Reply
from facade.emulator.pricing import render_money
from facade.emulator.render import Record, render_record


def balance(ctx: Context) -> Reply:
    amount = render_money(ctx.data.balance)
    with_currency = ctx.text("cur") not in ("", "0")
    credit = None if ctx.data.credit is None else render_money(ctx.data.credit)
    if ctx.fmt in (0, 1):
        return Reply(f"{amount},{CURRENCY}" if with_currency else amount)
    if ctx.fmt == 2:
        if not with_currency:
            return Reply(f"<balance>{amount}</balance>")
        return Reply(render_record(2, (("balance", amount), ("currency", CURRENCY)), tag="result"))
    record: Record = (("balance", amount), ("credit", credit))
    if with_currency:
        record += (("currency", CURRENCY),)
    return Reply(render_record(3, record, tag="result"))


COMMANDS: Final[dict[str, Handler]] = {"balance": balance}
