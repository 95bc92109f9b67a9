"""`create_emulator()`: a Starlette app speaking SMSC's HTTP API at `/sys/*.php`.

Every request to an SMSC path goes through one pipeline (`_answer`): decode the parameters,
apply faults, check the address block, credentials, identical-request, per-login and concurrency
limits, run the command, queue the callbacks it caused, and write the answer or error envelope in
the requested fmt and charset (docs/smsc-wire.md). Errors are always HTTP 200 (smsc-api-notes.md §1.5); an unexpected
exception becomes error 1, never a 500. Test-only controls live under `/__emulator__/`.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Final

import anyio
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from facade.emulator import (
    answers,
    balance,
    blacklist,
    contacts,
    control,
    downloads,
    groups,
    jobs,
    messages,
    statuses,
    templates,
)
from facade.emulator.assumptions import (
    AUTHORISE_ERROR,
    BALANCE_PER_MINUTE,
    DUPLICATE_REQUEST,
    HANG_SECONDS,
    HEADER_CHARSET,
    INTERNAL_ERROR,
    IP_BLOCKED,
    MEDIA_TYPES,
    TOO_MANY_CONCURRENT,
    UNKNOWN_CLIENT,
)
from facade.emulator.command import CommandError, Context, Handler, Reply
from facade.emulator.faults import DroppedConnection, gateway_page
from facade.emulator.limits import IdenticalRequests, login_key, request_key
from facade.emulator.params import Decoded, command_flags, decode_request, select_command
from facade.emulator.render import render_error
from facade.emulator.state import AccountCredentials, Call, EmulatorState

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence

    import httpx
    from starlette.requests import Request

    from facade.emulator.faults import Fault
    from facade.emulator.state import Account

__all__ = ["ENDPOINTS", "AccountCredentials", "EmulatorState", "create_emulator"]

logger = logging.getLogger(__name__)

ENDPOINTS: Final[dict[str, dict[str, Handler]]] = {
    "templates.php": templates.COMMANDS,
    "jobs.php": jobs.COMMANDS,
    "phones.php": {**contacts.COMMANDS, **groups.COMMANDS, **blacklist.COMMANDS},
    "get.php": answers.COMMANDS,
    "downloads.php": downloads.COMMANDS,
    "send.php": messages.COMMANDS,
    "status.php": statuses.COMMANDS,
    "balance.php": balance.COMMANDS,
}
# Endpoints without a command flag: the command is named from the parameters [A].
IMPLICIT_COMMANDS: Final[dict[str, Callable[[Mapping[str, str]], str]]] = {
    "send.php": messages.command_of,
    "status.php": lambda _: "status",
    "balance.php": lambda _: "balance",
}
# Requests a minute per login, identical or not (smsc-messages-notes.md §7).
PER_LOGIN_ALLOWED: Final = {"balance.php": BALANCE_PER_MINUTE}
_FORM: Final = "application/x-www-form-urlencoded"


async def _form_body(request: Request) -> bytes:
    """A POST body counts when it is urlencoded (or untyped); other bodies are ignored [A]."""
    if request.method != "POST":
        return b""
    content_type = request.headers.get("content-type", _FORM).split(";")[0].strip().lower()
    return await request.body() if content_type == _FORM else b""


def _command(endpoint: str, params: Mapping[str, str]) -> str | None:
    """The command a request names: its one flag, or the implicit one; None if unclear."""
    if endpoint in IMPLICIT_COMMANDS:
        return IMPLICIT_COMMANDS[endpoint](params)
    flags = command_flags(params, ENDPOINTS[endpoint])
    return flags[0] if len(flags) == 1 else None


def _admit(
    state: EmulatorState, endpoint: str, decoded: Decoded, address: str, fault: Fault | None
) -> Account:
    """The checks before a command, in order (facade.emulator.assumptions); takes a slot. An
    `auth` fault makes the credentials fail (facade.emulator.faults)."""
    limits, now = state.limits, state.clock()
    identical = limits.identical.count(request_key(endpoint, decoded.params), now)
    if limits.blocks.is_blocked(address, now):
        raise CommandError(IP_BLOCKED)
    if decoded.error is not None:
        raise decoded.error
    refused = fault is not None and fault.kind == "auth"
    account = None if refused else state.authenticate(decoded.params)
    if account is None:
        limits.blocks.fail(address, now)
        raise CommandError(AUTHORISE_ERROR)
    if identical > IdenticalRequests.allowed(endpoint, _command(endpoint, decoded.params)):
        raise CommandError(DUPLICATE_REQUEST)
    per_login = PER_LOGIN_ALLOWED.get(endpoint)
    if per_login is not None:
        key = login_key(endpoint, account.credentials.login)
        if limits.per_login.count(key, now) > per_login:
            raise CommandError(DUPLICATE_REQUEST)
    if not limits.in_flight.admit(account.credentials.login):
        raise CommandError(TOO_MANY_CONCURRENT)
    return account


async def _delay(sleep: Callable[[float], Awaitable[None]], fault: Fault | None) -> None:
    if fault is not None and fault.kind == "latency":
        await sleep(fault.seconds)
    elif fault is not None and fault.kind == "hang":
        await sleep(HANG_SECONDS)


async def _answer(
    state: EmulatorState, endpoint: str, decoded: Decoded, address: str, fault: Fault | None
) -> Reply | CommandError:
    try:
        account = _admit(state, endpoint, decoded, address, fault)
    except CommandError as exc:
        await _delay(state.sleep, fault)
        return exc
    try:
        # Faults delay every answer; an admitted request holds its concurrency slot meanwhile.
        await _delay(state.sleep, fault)
        commands = ENDPOINTS[endpoint]
        command = _command(endpoint, decoded.params) or select_command(decoded.params, commands)
        context = Context(command, decoded.params, decoded.fmt, account.data, state.now())
        return commands[command](context)
    except CommandError as exc:
        return exc
    finally:
        state.limits.in_flight.release(account.credentials.login)


def _respond(result: Reply | CommandError, fmt: int, charset: str) -> Response:
    if isinstance(result, CommandError):
        result = Reply(render_error(fmt, result.code, result.description, result.message_id))
    media_type = f"{result.media_type or MEDIA_TYPES[fmt]}; charset={HEADER_CHARSET}"
    body = result.body.encode(charset, errors="replace")
    return Response(body, headers=dict(result.headers), media_type=media_type)


async def smsc_endpoint(request: Request) -> Response:
    """`/sys/<endpoint>.php`, GET or POST: SMSC's answer, a gateway error, or a dropped link."""
    state: EmulatorState = request.app.state.emulator
    # Not `request.url`: it decodes the query string as UTF-8, and SMSC's need not be.
    endpoint = request.scope["path"].rsplit("/", 1)[-1]
    address = request.client.host if request.client else UNKNOWN_CLIENT
    decoded = Decoded(params={}, fmt=0, charset=HEADER_CHARSET, credentials_in_query=False)
    command, fault = None, None
    state.limits.in_flight.arrive()
    try:
        decoded = decode_request(request.scope["query_string"], await _form_body(request))
        command = _command(endpoint, decoded.params)
        fault = state.faults.take(endpoint, command)
        if fault is not None and fault.kind in ("status", "reset"):
            return _fault_response(state, request, endpoint, decoded, command, fault)
        result = await _answer(state, endpoint, decoded, address, fault)
        # Callbacks for what the command (or time) changed are queued, never sent from here.
        state.post_due_callbacks()
    except Exception:  # the edge: SMSC answers an envelope, never a 500
        logger.exception("emulator: unexpected error on %s", endpoint)
        result = CommandError(INTERNAL_ERROR)
    finally:
        state.limits.in_flight.depart()
    error = result.code if isinstance(result, CommandError) else None
    # Recorded before an `*_after` fault loses or delays the answer: the command has run.
    state.record(_call(request, command, decoded, error, fault), endpoint)
    if fault is not None and fault.kind == "reset_after":
        return DroppedConnection()
    if fault is not None and fault.kind == "latency_after":
        await state.sleep(fault.seconds)
    return _respond(result, decoded.fmt, decoded.charset)


def _call(
    request: Request,
    command: str | None,
    decoded: Decoded,
    error: int | None,
    fault: Fault | None,
    status: int | None = 200,
) -> Call:
    return Call(
        method=request.method,
        path=request.scope["path"],
        command=command,
        fmt=decoded.fmt,
        credentials_in_query=decoded.credentials_in_query,
        error=error,
        status=status,
        fault=None if fault is None else fault.kind,
    )


def _fault_response(
    state: EmulatorState,
    request: Request,
    endpoint: str,
    decoded: Decoded,
    command: str | None,
    fault: Fault,
) -> Response:
    """A gateway error page or a dropped connection; SMSC itself never sees the request."""
    status = fault.status if fault.kind == "status" else None
    state.record(_call(request, command, decoded, None, fault, status), endpoint)
    if fault.kind == "reset":
        return DroppedConnection()
    host = request.headers.get("host", "")
    url = f"{request.scope['path']}?{request.scope['query_string'].decode('latin-1')}"
    page = gateway_page(fault.status, f"{request.scope['scheme']}://{host}{url}")
    return HTMLResponse(page, status_code=fault.status)


def create_emulator(
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
) -> Starlette:
    """The emulator app; its state is `app.state.emulator` (an `EmulatorState`).

    `clock` (seconds, default `time.monotonic`) drives every limit window, every message's
    status and, offset to `wall_start` (default: now), every date the emulator writes; `sleep`
    (default `anyio.sleep`) serves latency and hang faults. `accounts` default to login `demo`,
    password `demo`, apikey `demo-apikey`; the `seed` (`demo` or `empty`) fills the first
    account, and `contacts` generated contacts (a large phonebook, facade.emulator.phonebook)
    join it. `callback_url` (with `callback_secret` for checksums) receives every account's
    callbacks, over `callback_transport` when given (facade.emulator.callbacks); the app's
    lifespan runs the callback worker, and without a lifespan (`httpx.ASGITransport`) tests send
    due callbacks with `EmulatorState.deliver_callbacks()`.
    """
    state = EmulatorState(
        seed=seed,
        clock=clock,
        sleep=sleep,
        accounts=accounts,
        wall_start=wall_start,
        contacts=contacts,
        callback_url=callback_url,
        callback_secret=callback_secret,
        callback_transport=callback_transport,
    )
    routes = [Route(f"/sys/{name}", smsc_endpoint, methods=["GET", "POST"]) for name in ENDPOINTS]
    app = Starlette(routes=[*routes, *control.ROUTES], lifespan=_lifespan)
    app.state.emulator = state
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """Runs the callback worker while the app is served; closes its HTTP client after."""
    state: EmulatorState = app.state.emulator
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(state.run_callbacks)
            yield
            tasks.cancel_scope.cancel()
    finally:
        await state.aclose()
