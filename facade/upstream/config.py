"""How the upstream layer behaves: one value object, built by the app from `Settings`."""

import dataclasses
from collections.abc import Mapping

from facade.smsc.wire import DEFAULT_CHARSET, Fmt

# SMSC gives error 9 past 3 identical requests a minute (1 on jobs.php) and at 15 concurrent
# requests per login (smsc-api-notes.md §1.6); the defaults stay below both.
DEFAULT_READ_BUDGET = 2
DEFAULT_JOB_BUDGET = 1
DEFAULT_BUDGET_WINDOW = 60.0
DEFAULT_CONCURRENCY = 8
SMSC_CONCURRENCY_LIMIT = 15
# SMSC's own identical-request limits a minute, above the facade's budgets: while Redis is away a
# replica may use the margin between them for the window in which it cannot know what the
# others spent (facade.upstream.degraded).
SMSC_READ_LIMIT = 3
SMSC_JOB_LIMIT = 1
DEFAULT_CONCURRENCY_WAIT = 5.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 20.0
DEFAULT_WRITE_TIMEOUT = 5.0
DEFAULT_POOL_TIMEOUT = 5.0
DEFAULT_DEADLINE = 30.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 0.5
DEFAULT_BACKOFF_MAX = 4.0
DEFAULT_BREAKER_THRESHOLD = 5
DEFAULT_BREAKER_COOLDOWN = 30.0
# SMSC blocks the address (error 4, for 30 minutes) at the 5th error 2 within 30 minutes
# (facade.emulator.assumptions): after an error 2 one probe once the back-off step for the errors
# in a row has passed (10 s, 30 s, 2 min, then every 10 min), and never more than 4 errors per
# account in any 30 minutes (`facade.upstream.auth_errors`).
DEFAULT_AUTH_BACKOFF = (10.0, 30.0, 120.0, 600.0)
DEFAULT_AUTH_ERRORS_ALLOWED = 4
DEFAULT_AUTH_ERROR_WINDOW = 1800.0
DEFAULT_IP_BLOCK_PAUSE = 600.0
DEFAULT_CACHE_SIZE = 4096
DEFAULT_MAX_STALE = 3600.0
DEFAULT_TTL = 60.0
# Pollers (facade.upstream.pollers) repeat one identical request while nothing changes, so they
# never ask more often than the identical-request budget allows: 60 s / 2 on get.php, 60 s / 1 on
# jobs.php (DESIGN.md, "Caching under SMSC's rules").
DEFAULT_POLL_ANSWERS = DEFAULT_BUDGET_WINDOW / DEFAULT_READ_BUDGET
DEFAULT_POLL_JOBS = DEFAULT_BUDGET_WINDOW / DEFAULT_JOB_BUDGET
# status.php: SMSC blocks the address (error 4) for polling one message's status "frequently"
# (smsc-messages-notes.md §7); a batch is repeated no more often than the read budget allows.
DEFAULT_POLL_MESSAGES = DEFAULT_BUDGET_WINDOW / DEFAULT_READ_BUDGET


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamConfig:
    """Every knob of the upstream layer; `ttls` maps a command (`"templates.get"`) to seconds.

    `poll_answers`, `poll_jobs` and `poll_messages` are the pollers' intervals in seconds; a poller never uses one
    shorter than the budget and the cache allow (`pollers.poll_interval`).
    """

    fmt: Fmt = Fmt.JSON
    charset: str = DEFAULT_CHARSET
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    write_timeout: float = DEFAULT_WRITE_TIMEOUT
    pool_timeout: float = DEFAULT_POOL_TIMEOUT
    deadline: float = DEFAULT_DEADLINE
    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF
    backoff_max: float = DEFAULT_BACKOFF_MAX
    read_budget: int = DEFAULT_READ_BUDGET
    job_budget: int = DEFAULT_JOB_BUDGET
    budget_window: float = DEFAULT_BUDGET_WINDOW
    concurrency: int = DEFAULT_CONCURRENCY
    concurrency_wait: float = DEFAULT_CONCURRENCY_WAIT
    breaker_threshold: int = DEFAULT_BREAKER_THRESHOLD
    breaker_cooldown: float = DEFAULT_BREAKER_COOLDOWN
    auth_backoff: tuple[float, ...] = DEFAULT_AUTH_BACKOFF
    auth_errors_allowed: int = DEFAULT_AUTH_ERRORS_ALLOWED
    auth_error_window: float = DEFAULT_AUTH_ERROR_WINDOW
    ip_block_pause: float = DEFAULT_IP_BLOCK_PAUSE
    cache_size: int = DEFAULT_CACHE_SIZE
    max_stale: float = DEFAULT_MAX_STALE
    ttls: Mapping[str, float] = dataclasses.field(default_factory=dict)
    revalidate_in_background: frozenset[str] = frozenset()
    poll_answers: float = DEFAULT_POLL_ANSWERS
    poll_jobs: float = DEFAULT_POLL_JOBS
    poll_messages: float = DEFAULT_POLL_MESSAGES

    def __post_init__(self) -> None:
        if not 1 <= self.concurrency < SMSC_CONCURRENCY_LIMIT:
            raise ValueError(f"concurrency must be 1..{SMSC_CONCURRENCY_LIMIT - 1}")
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.poll_answers <= 0 or self.poll_jobs <= 0 or self.poll_messages <= 0:
            raise ValueError("poll intervals must be positive")
        if not self.auth_backoff or min(self.auth_backoff) <= 0:
            raise ValueError("auth_backoff must be one or more positive steps")
        if self.auth_errors_allowed < 1 or self.auth_error_window <= 0:
            raise ValueError("auth_errors_allowed and auth_error_window must be positive")

    def budget(self, smsc_limit: int) -> int:
        """The facade's identical requests a minute for a command SMSC takes `smsc_limit` of:
        the configured budgets for reads (3) and jobs (1), else a fifth below SMSC's (cost
        requests 5 -> 4, balance 10 -> 8), the margin replicas may need (`degraded.py`)."""
        if smsc_limit == SMSC_READ_LIMIT:
            return self.read_budget
        if smsc_limit == SMSC_JOB_LIMIT:
            return self.job_budget
        return max(1, smsc_limit - max(1, smsc_limit // 5))

    def ttl(self, command: str) -> float:
        return self.ttls.get(command, DEFAULT_TTL)
