"""The emulator's whole state: accounts and their data, clock, limits, faults, call log, stats.

Exposed as `app.state.emulator`; its public methods are the Python side of the `/__emulator__/`
control surface (facade.emulator.control), for in-process tests.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import anyio

from facade.emulator.answers import FIRST_ID as FIRST_ANSWER_ID
from facade.emulator.assumptions import CALL_LOG_SIZE, CALLBACK_TICK_SECONDS
from facade.emulator.callbacks import (
    CallbackDispatcher,
    CallbackTarget,
    answer_fields,
    status_fields,
)
from facade.emulator.faults import Fault, FaultBook
from facade.emulator.limits import AddressBlocks, IdenticalRequests, InFlight
from facade.emulator.phonebook import add_contacts
from facade.emulator.records import AccountData, Answer
from facade.emulator.seed import seed_account

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence

    import httpx

    from facade.emulator.callbacks import Checksum
    from facade.emulator.deliveries import SentMessage, Step
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
    per_login: IdenticalRequests = field(default_factory=IdenticalRequests)


class EmulatorState:
    """All mutable state; `clock` drives every window and, offset to wall time, every date.

    `contacts` generated contacts (facade.emulator.phonebook) join the seed's data of the first
    account, at every reseed too. `callback_url` (and `callback_secret`) is every account's
    callback handler until `set_callback` changes one; `callback_transport` carries callbacks
    instead of the network (facade.emulator.callbacks).
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
        callback_url: str | None = None,
        callback_secret: str | None = None,
        callback_transport: httpx.AsyncBaseTransport | None = None,
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
        self.callbacks = CallbackDispatcher(clock=self.now, transport=callback_transport)
        self.callback_targets: dict[str, CallbackTarget] = {}
        if callback_url is not None:
            target = CallbackTarget(callback_url, callback_secret)
            self.callback_targets = dict.fromkeys((c.login for c in self.credentials), target)
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
        self.callbacks.clear()
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
        answer = Answer(answer_id, now, phone, message, to_phone, now)
        data.answers[answer_id] = answer
        target = self.callback_targets.get(login or self.credentials[0].login)
        if target is not None:
            self.callbacks.post(target, answer_fields(answer))
        return answer_id

    def set_job_status(self, job_id: int, status: int, *, login: str | None = None) -> None:
        """Any integer, unknown statuses included; KeyError for an unknown job."""
        self.account(login).jobs[job_id].status = status

    # -- Messages and callbacks -----------------------------------------------------------------
    def message(
        self, message_id: str | int, phone: str, *, login: str | None = None
    ) -> SentMessage | None:
        """A sent message's record for one recipient, or None."""
        return self.account(login).messages.get(str(message_id), phone)

    def message_status(
        self, message_id: str | int, phone: str, *, login: str | None = None
    ) -> Step | None:
        """Where a message to one recipient is now (`status`, `err`, since `at`), or None."""
        found = self.message(message_id, phone, login=login)
        return None if found is None else found.step_at(self.now())

    def force_message_status(
        self,
        message_id: str | int,
        phone: str,
        status: int,
        err: int = 0,
        *,
        login: str | None = None,
    ) -> None:
        """Any status from now on (its callback follows); KeyError for an unknown message."""
        book = self.account(login).messages
        found = book.get(str(message_id), phone)
        if found is None:
            raise KeyError((message_id, phone))
        book.force(found, status, err, self.now())
        self.post_due_callbacks()

    def set_balance(
        self,
        amount: str | Decimal,
        *,
        credit: str | Decimal | None = None,
        login: str | None = None,
    ) -> None:
        data = self.account(login)
        data.balance = Decimal(amount)
        data.credit = None if credit is None else Decimal(credit)

    def set_callback(
        self,
        url: str | None,
        *,
        secret: str | None = None,
        checksum: Checksum = "md5",
        login: str | None = None,
    ) -> None:
        """An account's callback handler; None stops its callbacks."""
        login = login or self.credentials[0].login
        if login not in self.accounts:
            raise KeyError(login)
        if url is None:
            self.callback_targets.pop(login, None)
        else:
            self.callback_targets[login] = CallbackTarget(url, secret, checksum)

    def post_due_callbacks(self) -> None:
        """Queue a callback for every status change reached by now (WAITING excepted)."""
        now = self.now()
        for login, account in self.accounts.items():
            due = account.data.messages.due(now)
            target = self.callback_targets.get(login)
            if target is None:
                continue
            for message, step in due:
                self.callbacks.post(target, status_fields(message, step))

    async def deliver_callbacks(self) -> int:
        """Queue what became due and send every callback due now (tests call this after moving
        the clock); the number delivered."""
        self.post_due_callbacks()
        return await self.callbacks.deliver_due()

    async def run_callbacks(self, interval: float = CALLBACK_TICK_SECONDS) -> None:
        """The callback worker, until cancelled (the emulator's lifespan runs it)."""
        await self.callbacks.run(self.post_due_callbacks, interval)

    async def aclose(self) -> None:
        await self.callbacks.aclose()
