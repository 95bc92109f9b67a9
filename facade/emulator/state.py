"""The emulator's whole state: accounts and their data, clock, limits, faults, call log, stats.

Exposed as `app.state.emulator`; its public methods are the Python side of the `/__emulator__/`
control surface (facade.emulator.control), for in-process tests.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Final

import anyio

from facade.emulator.answers import FIRST_ID as FIRST_ANSWER_ID
from facade.emulator.assumptions import CALL_LOG_SIZE
from facade.emulator.faults import Fault, FaultBook
from facade.emulator.limits import AddressBlocks, IdenticalRequests, InFlight
from facade.emulator.phonebook import add_contacts
from facade.emulator.records import AccountData, Answer
from facade.emulator.seed import seed_account

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence

    from facade.emulator.faults import FaultKind


@dataclass(frozen=True, slots=True)
class AccountCredentials:
    """An SMSC account the emulator accepts: `login` + `psw` (or its MD5), or `apikey`."""

    login: str
    password: str
    apikey: str | None = None


DEFAULT_ACCOUNTS: Final = (
    # Sandbox mode's public demo account (DESIGN.md, "Operational details").
    AccountCredentials(login="demo", password="demo", apikey="demo-apikey"),  # noqa: S106
)


@dataclass(slots=True)
class Account:
    credentials: AccountCredentials
    data: AccountData


@dataclass(frozen=True, slots=True)
class Call:
    """One request to an SMSC path, as the call log shows it; credential values never appear.

    `fmt` is the format the answer was written in (0 when `fmt` itself was bad); `error` the
    envelope's code (None for a success or a fault); `status` None for a dropped connection.
    """

    method: str
    path: str
    command: str | None
    fmt: int | None
    credentials_in_query: bool
    error: int | None
    status: int | None = 200
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Limits:
    identical: IdenticalRequests = field(default_factory=IdenticalRequests)
    blocks: AddressBlocks = field(default_factory=AddressBlocks)
    in_flight: InFlight = field(default_factory=InFlight)


class EmulatorState:
    """All mutable state; `clock` drives every window and, offset to wall time, every date.

    `contacts` generated contacts (facade.emulator.phonebook) join the seed's data of the first
    account, at every reseed too.
    """

    def __init__(
        self,
        *,
        seed: str = "demo",
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        accounts: Sequence[AccountCredentials] | None = None,
        wall_start: float | None = None,
        contacts: int = 0,
    ) -> None:
        self.clock = clock or time.monotonic
        self.sleep = sleep or anyio.sleep
        self._clock_start = self.clock()
        self._wall_start = time.time() if wall_start is None else wall_start
        self.credentials = DEFAULT_ACCOUNTS if accounts is None else tuple(accounts)
        if not self.credentials:
            raise ValueError("at least one account is needed")
        self.generated_contacts = contacts
        self.accounts: dict[str, Account] = {}
        self.limits = Limits()
        self.faults = FaultBook()
        self.calls: deque[Call] = deque(maxlen=CALL_LOG_SIZE)
        self.counters: Counter[tuple[str, str]] = Counter()
        self.reset(seed=seed)

    def now(self) -> float:
        """Wall-clock Unix time, advancing with the injected clock."""
        return self._wall_start + (self.clock() - self._clock_start)

    # -- Accounts -------------------------------------------------------------------------------
    def reseed(self, seed: str) -> None:
        """Fresh data for every account; the seed's data, and the generated contacts, go to the
        first account [A]."""
        first, *others = self.credentials
        accounts = [Account(first, AccountData())]
        accounts += [Account(credentials, AccountData()) for credentials in others]
        seed_account(accounts[0].data, seed, self.now())
        add_contacts(accounts[0].data, self.generated_contacts)
        self.accounts = {account.credentials.login: account for account in accounts}

    def account(self, login: str | None = None) -> AccountData:
        """One account's data (the first account's by default); KeyError if unknown."""
        return self.accounts[login or self.credentials[0].login].data

    def authenticate(self, params: Mapping[str, str]) -> Account | None:
        """`apikey`, else `login` + `psw` as the password or its lower-case hex MD5."""
        apikey = params.get("apikey", "")
        if apikey:
            return next((a for a in self.accounts.values() if a.credentials.apikey == apikey), None)
        account = self.accounts.get(params.get("login", ""))
        if account is None:
            return None
        password = account.credentials.password
        digest = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
        return account if params.get("psw", "") in (password, digest) else None

    # -- Control --------------------------------------------------------------------------------
    def reset(self, *, seed: str | None = None) -> None:
        """Clear the call log, counters, limits and faults; reseed the data when `seed` is given."""
        self.calls.clear()
        self.counters.clear()
        # Requests being served stay counted; only the peaks start again.
        in_flight = self.limits.in_flight
        in_flight.reset_peaks()
        self.limits = Limits(in_flight=in_flight)
        self.faults.clear()
        if seed is not None:
            self.reseed(seed)

    def record(self, call: Call, endpoint: str) -> None:
        self.calls.append(call)
        self.counters[endpoint, call.command or "-"] += 1

    def stats(self) -> dict[str, Any]:
        """Requests per endpoint and command, in total, and the most ever served at once."""
        per_endpoint: dict[str, dict[str, int]] = {}
        for (endpoint, command), count in sorted(self.counters.items()):
            per_endpoint.setdefault(endpoint, {})[command] = count
        in_flight = self.limits.in_flight
        return {
            "total": sum(self.counters.values()),
            "per_endpoint": per_endpoint,
            "in_flight": in_flight.total,
            "max_concurrent": in_flight.max_total,
            "max_concurrent_per_login": in_flight.max_per_login,
        }

    def add_fault(
        self,
        kind: FaultKind,
        *,
        path: str | None = None,
        command: str | None = None,
        seconds: float = 0.0,
        status: int = 502,
        times: int | None = None,
    ) -> Fault:
        return self.faults.add(Fault(kind, path, command, seconds, status, times))

    def clear_faults(self) -> None:
        self.faults.clear()

    def inject_answer(
        self, *, phone: str, message: str, to_phone: str = "", login: str | None = None
    ) -> int:
        """An incoming message received now; returns its id."""
        data = self.account(login)
        now = self.now()
        answer_id = data.next_id("answer", start=FIRST_ANSWER_ID)
        data.answers[answer_id] = Answer(answer_id, now, phone, message, to_phone, now)
        return answer_id

    def set_job_status(self, job_id: int, status: int, *, login: str | None = None) -> None:
        """Any integer, unknown statuses included; KeyError for an unknown job."""
        self.account(login).jobs[job_id].status = status
