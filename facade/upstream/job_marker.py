"""The marker every job creation carries in its name (`facade.domain.jobs.marked_name`), so that
SMSC's job list tells whether a creation whose answer was lost was made (`idempotency.py`).

`SmscClient.create_job` marks each spec it sends that has no marker yet (`marked`): with the marker
of the idempotent run under way (`marking`, which keeps it in its record), else with one made of
the spec itself. A message's send uses the run's marker as the message's id (`run_marker`,
`message_ids.py`): the id status.php finds it by.
"""

import contextlib
import contextvars
import dataclasses
from collections.abc import Iterator

from facade.domain.jobs import JobSpec, content_marker

_MARKER: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_marker", default=None)


def marked(spec: JobSpec) -> JobSpec:
    """`spec` with its marker: its own if it has one, else the idempotent run's (a random one,
    kept in its record), else one made of the spec itself (`facade.domain.jobs.content_marker`).
    """
    marker = spec.marker or _MARKER.get() or content_marker(spec)
    return spec if marker == spec.marker else dataclasses.replace(spec, marker=marker)


def run_marker() -> str | None:
    """The marker of the idempotent run under way, if any."""
    return _MARKER.get()


@contextlib.contextmanager
def marking(marker: str | None) -> Iterator[None]:
    """Jobs created in the block (and in the tasks it starts) carry `marker`."""
    token = _MARKER.set(marker)
    try:
        yield
    finally:
        _MARKER.reset(token)
