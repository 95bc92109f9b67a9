"""Single messages' builders: send.php (a send, and its cost without sending), status.php and
balance.php (docs/smsc-wire.md, "Messages"; smsc-messages-notes.md §1-4).

As in `commands`, they encode and validate nothing: a `MessageSpec` reaches them checked by the
domain. The options a message shares with a job (`time`/`tz`, the channel with `subj`, `voice`
and `param`, `valid`) are encoded by `job_options`'s encoders, so both scripts are told them
alike. These scripts take no command flag: `Command.name` names each command for the logs and
the error table (`send`, `cost`, `get`).
"""

import functools
import re
from collections.abc import Iterable

from facade.domain.jobs import Transliteration
from facade.domain.messages import (
    ANY_MESSAGE_ID_PATTERN,
    Balance,
    MessageCost,
    MessageRef,
    MessageSent,
    MessageSpec,
    MessageState,
)
from facade.smsc.commands import Command, encode_count, encode_phone, make_command
from facade.smsc.enums import TRANSLITERATIONS
from facade.smsc.job_options import (
    Params,
    encode_channel,
    encode_send_time,
    format_clock,
    join_values,
)
from facade.smsc.parse.messages import parse_balance, parse_message_cost, parse_message_sent
from facade.smsc.parse.statuses import parse_message_states
from facade.smsc.wire import Endpoint

__all__ = [
    "MAX_STATUS_BATCH",
    "encode_message_id",
    "get_balance",
    "get_message_cost",
    "get_message_statuses",
    "send_message",
]

# Messages per status.php request: ours (docs/smsc-wire.md, "Messages"); callers batch.
MAX_STATUS_BATCH = 100

_MESSAGE_ID = re.compile(ANY_MESSAGE_ID_PATTERN)


def encode_message_id(value: str) -> str:
    """A message id as sent: SMSC's (digits) or a client's, 1-40 Latin letters, digits, `.`,
    `-`, `_` (smsc-messages-notes.md §1.2); anything else is a `ValueError`."""
    if _MESSAGE_ID.fullmatch(value) is None:
        raise ValueError(f"{value!r} is not a message id")
    return value


def send_message(spec: MessageSpec) -> Command[MessageSent]:
    """send.php: `spec` sent under its `id` (the upstream layer sets it; a spec without one is a
    `ValueError`), with `err=1` (the refused recipients) and `cost=3` when `with_cost` (the cost
    and the balance after it)."""
    if spec.id is None:
        raise ValueError("a message is sent under its id")
    params = _message(spec, encode_message_id(spec.id))
    if spec.with_cost:
        params.append(("cost", "3"))
    params.append(("err", "1"))
    return Command(
        endpoint=Endpoint.SEND,
        name="send",
        params=tuple(params),
        writes=True,
        reader=parse_message_sent,
    )


def get_message_cost(spec: MessageSpec) -> Command[MessageCost]:
    """send.php `cost=1`: what `spec` would cost, nothing sent; its `id` and `with_cost` are
    not sent."""
    return make_command(
        Endpoint.SEND, "cost", parse_message_cost, *_message(spec, None), writes=False
    )


def get_message_statuses(refs: Iterable[MessageRef]) -> Command[list[MessageState]]:
    """status.php, the multiple form for one message as for many: `id` and `phone` lists in
    the same order, each ending in a comma, and `all=2`. 1 to `MAX_STATUS_BATCH` refs, else a
    `ValueError`; the reply is read in the refs' order."""
    asked = tuple(refs)
    if not 1 <= len(asked) <= MAX_STATUS_BATCH:
        raise ValueError(f"{len(asked)} messages: ask for 1 to {MAX_STATUS_BATCH} at a time")
    ids = "".join(f"{encode_message_id(ref.id)}," for ref in asked)
    phones = "".join(f"{encode_phone(ref.phone)}," for ref in asked)
    return Command(
        endpoint=Endpoint.STATUS,
        name="get",
        params=(("id", ids), ("phone", phones), ("all", "2")),
        writes=False,
        reader=functools.partial(parse_message_states, refs=asked),
    )


def get_balance() -> Command[Balance]:
    """balance.php with `cur=1`: the balance and its currency."""
    return Command(
        endpoint=Endpoint.BALANCE,
        name="get",
        params=(("cur", "1"),),
        writes=False,
        reader=parse_balance,
    )


def _message(spec: MessageSpec, id_: str | None) -> Params:
    """What a send and a cost request share: recipients, text, id (a send's), sender, the
    options shared with jobs, `maxsms`."""
    params: Params = [("phones", join_values(spec.phones))]
    if spec.message:
        params.append(("mes", spec.message))
    if id_ is not None:
        params.append(("id", id_))
    if spec.sender is not None:
        params.append(("sender", spec.sender))
    params += encode_send_time(spec)
    if spec.validity is not None:
        params.append(("valid", format_clock(spec.validity)))
    if spec.transliteration not in {None, Transliteration.NONE}:
        params.append(("translit", str(TRANSLITERATIONS.encode(spec.transliteration))))
    if spec.shorten_links:
        params.append(("tinyurl", "1"))
    if spec.telegram_bot is not None:
        params.append(("bot", spec.telegram_bot))
    if spec.file_url is not None:
        params.append(("fileurl", spec.file_url))
    if spec.max_parts is not None:
        params.append(("maxsms", encode_count(spec.max_parts)))
    params += encode_channel(spec)
    return params
