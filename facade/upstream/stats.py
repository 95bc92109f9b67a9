"""Counters of the upstream layer, for logs now and the metrics endpoint later.

Label values are bounded: command names, fixed outcome labels, fixed reasons. No parameters.
"""

import collections
import dataclasses


@dataclasses.dataclass
class UpstreamStats:
    upstream_calls: collections.Counter[tuple[str, str]] = dataclasses.field(
        default_factory=collections.Counter
    )
    cache: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    coalesced_waiters: int = 0
    guard_rejections: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter
    )

    def upstream_call(self, command: str, outcome: str) -> None:
        self.upstream_calls[(command, outcome)] += 1

    def cache_result(self, freshness: str) -> None:
        self.cache[freshness] += 1

    def rejected(self, reason: str) -> None:
        self.guard_rejections[reason] += 1

    @property
    def total_upstream_calls(self) -> int:
        return sum(self.upstream_calls.values())
