"""The id a message is sent under, and what SMSC's status of it says of its send.

A send carries an id of the facade's (`facade.domain.messages.new_message_id`), or, under an
idempotency key, the one its record keeps (`job_marker.run_marker`): status.php finds the message
by it when the send's answer was lost, and the record's replay answers with it.
"""

import dataclasses

from facade.domain.messages import (
    MessageSent,
    MessageSpec,
    MessageState,
    MessageStatus,
    new_message_id,
)
from facade.upstream.job_marker import run_marker

__all__ = ["sent_from_state", "with_id"]


def with_id(spec: MessageSpec) -> MessageSpec:
    """`spec` with its id: its own, the idempotent run's marker, else a new one."""
    if spec.id is not None:
        return spec
    return dataclasses.replace(spec, id=run_marker() or new_message_id())


def sent_from_state(state: MessageState) -> MessageSent | None:
    """The send a status shows was made: None if SMSC has no such message. The parts and the
    cost are SMSC's for this recipient (status.php tells no more)."""
    if state.status is MessageStatus.NOT_FOUND:
        return None
    return MessageSent(id=state.id, parts=state.parts or 0, cost=state.cost)
