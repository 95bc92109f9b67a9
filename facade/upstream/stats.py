"""Counters of the upstream layer, for logs now and the metrics endpoint later.

Label values are bounded: command names, fixed outcome labels, fixed reasons, SMSC's error codes
1 to 9 (anything else is `other`). No parameters.
"""

import bisect
import collections
import dataclasses
from typing import Final

# Seconds one attempt at SMSC took: a loopback emulator answers in milliseconds, SMSC in tens to
# hundreds of them; the top buckets reach the transport's deadline (30 s).
DURATION_BUCKETS: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# SMSC's documented error codes (smsc-api-notes.md §1.6): 9 too many requests, 4 address blocked.
SMSC_ERROR_CODES: Final = tuple(str(code) for code in range(1, 10))


@dataclasses.dataclass
class Durations:
    """A histogram of attempt durations: counts per bucket of `DURATION_BUCKETS` (not
    cumulative; the last one is past the top bucket) and the durations' sum."""

    counts: list[int] = dataclasses.field(default_factory=lambda: [0] * (len(DURATION_BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(DURATION_BUCKETS, seconds)] += 1
        self.total += seconds


@dataclasses.dataclass
class UpstreamStats:
    upstream_calls: collections.Counter[tuple[str, str]] = dataclasses.field(
        default_factory=collections.Counter
    )
    durations: dict[str, Durations] = dataclasses.field(default_factory=dict)
    smsc_errors: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    cache: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    coalesced_waiters: int = 0
    guard_rejections: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter
    )

    def upstream_call(self, command: str, outcome: str, seconds: float) -> None:
        """One attempt at SMSC, `seconds` from its admission to its outcome."""
        self.upstream_calls[(command, outcome)] += 1
        self.durations.setdefault(command, Durations()).observe(seconds)

    def smsc_error(self, code: int) -> None:
        """An error envelope SMSC answered (not one the facade remembered and answered itself)."""
        label = str(code)
        self.smsc_errors[label if label in SMSC_ERROR_CODES else "other"] += 1

    def cache_result(self, freshness: str) -> None:
        self.cache[freshness] += 1

    def rejected(self, reason: str) -> None:
        self.guard_rejections[reason] += 1

    @property
    def total_upstream_calls(self) -> int:
        return sum(self.upstream_calls.values())
