"""Following messages to their final status: per account one poller for every followed message.

Each poll asks status.php for every message a subscriber follows, `MAX_STATUS_BATCH` to a
request (`SmscClient.message_states`), so 100 followed messages cost one request an interval.
A subscriber gets the message's status when it subscribes, then each change (of the status or
of its delivery error), and its subscription ends after a final status. SMSC's callbacks
(`callbacks.py`) hand a status over at once (`deliver`); the polls go on for what callbacks miss.
The interval is the answers' (status.php's identical-request budget and its cache TTL:
`pollers.poll_interval`). Polling across replicas is `pollers_redis.SharedPolling`'s.
"""

import dataclasses

from facade.domain.messages import MessageRef, MessageState
from facade.upstream.poller_base import Kind, _Poller

__all__ = ["MessageWatch", "_MessagePoller"]


@dataclasses.dataclass(slots=True)
class MessageWatch:
    """One subscriber: the message it follows, what it last got (status and delivery error, None
    before the first), and the clock time of that data."""

    ref: MessageRef
    last: tuple[int, int | None] | None
    as_of: float


class _MessagePoller(_Poller[MessageWatch]):
    kind = Kind.MESSAGES

    def refs(self) -> list[MessageRef]:
        """Every message followed, once, in the order first followed."""
        return list(dict.fromkeys(watch.ref for watch in self.subscribers.values()))

    async def poll(self) -> None:
        refs = self.refs()
        if not refs:
            return
        fetched = await self.client.message_states(refs)
        self.deliver(self.fresh(fetched), self.clock() - fetched.age)

    def deliver(self, states: list[MessageState], as_of: float) -> None:
        """Hand each subscriber its message's state in `states` (as of `as_of`), if it changed;
        a final one ends the subscription after it."""
        found = {_key(state.ref): state for state in states}
        for subscription, watch in list(self.subscribers.items()):
            state = found.get(_key(watch.ref))
            # An older answer (a cache hit) must not undo a status the subscriber already has.
            if state is None or as_of < watch.as_of:
                continue
            watch.as_of = as_of
            seen = (state.status_code, state.error_code)
            if seen == watch.last:
                continue
            watch.last = seen
            offered = subscription.offer(state)
            if not offered or state.final:
                subscription.end()
                self.remove(subscription)


def _key(ref: MessageRef) -> tuple[str, str]:
    """A message as SMSC matches it: a phone with or without its `+`."""
    return ref.id, ref.phone.removeprefix("+")
