"""The test-only control surface under `/__emulator__/`, JSON in and out; not part of SMSC.

GET `calls` (the call log), GET `stats`, POST `reset` (clears log, counters, limits and faults;
`{"seed": "demo"|"empty"}` also reseeds),
GET/POST/DELETE `faults` (see facade.emulator.faults), POST `answers` (inject an incoming
message), POST `jobs/{id}/status` (`{"status": N}`).
Messages: GET `messages` (an account's sent messages), GET `messages/{id}/{phone}`, POST
`messages/{id}/{phone}/status` (`{"status": N, "err": M}`: from now on), POST `balance`
(`{"balance": "100.00", "credit": "50.00"|null}`). Callbacks: GET/POST/DELETE `callback` (an
account's handler: `{"url": ..., "secret": ..., "checksum": "md5"|"sha1"}`), GET `callbacks`
(pending, delivered and dropped ones), POST `callbacks/deliver` (send those due now).
Each maps onto an `EmulatorState` method; `login` (in the body, or the query for GET and
DELETE) picks an account, the first by default. A malformed body is HTTP 400 with
`{"error": "..."}`; an unknown account, job or message is 404.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final, cast

from starlette.responses import JSONResponse
from starlette.routing import Route

from facade.emulator.callbacks import CHECKSUMS
from facade.emulator.faults import fault_from_json
from facade.emulator.pricing import render_money
from facade.emulator.seed import SEEDS

if TYPE_CHECKING:
    from starlette.requests import Request

    from facade.emulator.callbacks import Checksum
    from facade.emulator.deliveries import SentMessage
    from facade.emulator.state import EmulatorState

PREFIX: Final = "/__emulator__"


class _BadRequestError(Exception):
    """A control request whose body does not say what it must."""


def _state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise _BadRequestError("the body must be JSON") from exc
    if not isinstance(data, dict):
        raise _BadRequestError("the body must be a JSON object")
    return data


def _string(data: dict[str, Any], name: str, default: str | None = None) -> str:
    value = data.get(name, default)
    if not isinstance(value, str):
        raise _BadRequestError(f"{name} must be a string")
    return value


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def calls(request: Request) -> JSONResponse:
    return JSONResponse({"calls": [call.to_json() for call in _state(request).calls]})


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(_state(request).stats())


async def reset(request: Request) -> JSONResponse:
    try:
        data = await _body(request)
        seed = data.get("seed")
        if seed is not None and seed not in SEEDS:
            raise _BadRequestError(f"seed must be one of {list(SEEDS)}")
    except _BadRequestError as exc:
        return _error(400, str(exc))
    _state(request).reset(seed=seed)
    return JSONResponse({"result": "OK"})


async def faults(request: Request) -> JSONResponse:
    state = _state(request)
    if request.method == "DELETE":
        state.clear_faults()
    elif request.method == "POST":
        try:
            fault = state.faults.add(fault_from_json(await _body(request)))
        except (_BadRequestError, ValueError) as exc:
            return _error(400, str(exc))
        return JSONResponse(fault.to_json(), status_code=201)
    return JSONResponse({"faults": [fault.to_json() for fault in state.faults.faults]})


async def jobs(request: Request) -> JSONResponse:
    """Every job of an account (`?login=`, the first by default): what tests count, without a
    request that SMSC's limits would count."""
    state = _state(request)
    login = request.query_params.get("login") or state.credentials[0].login
    if login not in state.accounts:
        return _error(404, "unknown account")
    found = state.account(login).jobs.values()
    return JSONResponse(
        {"jobs": [{"id": job.id, "name": job.name, "status": job.status} for job in found]}
    )


async def add_answer(request: Request) -> JSONResponse:
    state = _state(request)
    try:
        data = await _body(request)
        phone, message = _string(data, "phone"), _string(data, "message")
        to_phone = _string(data, "to_phone", "")
        login = _string(data, "login", state.credentials[0].login)
    except _BadRequestError as exc:
        return _error(400, str(exc))
    if login not in state.accounts:
        return _error(404, "unknown account")
    answer_id = state.inject_answer(phone=phone, message=message, to_phone=to_phone, login=login)
    return JSONResponse({"id": answer_id}, status_code=201)


async def job_status(request: Request) -> JSONResponse:
    state = _state(request)
    try:
        data = await _body(request)
        status = data.get("status")
        if isinstance(status, bool) or not isinstance(status, int):
            raise _BadRequestError("status must be an integer")
        login = _string(data, "login", state.credentials[0].login)
        job_id = int(request.path_params["job_id"])
        state.set_job_status(job_id, status, login=login)
    except _BadRequestError as exc:
        return _error(400, str(exc))
    except KeyError:
        return _error(404, "unknown account or job")
    return JSONResponse({"id": job_id, "status": status})


def _login(state: EmulatorState, request: Request, data: dict[str, Any] | None = None) -> str:
    """The account a control request names (body, else query), the first by default; 404 when
    unknown is the caller's (KeyError)."""
    default = request.query_params.get("login") or state.credentials[0].login
    login = default if data is None else _string(data, "login", default)
    if login not in state.accounts:
        raise KeyError(login)
    return login


def _integer(data: dict[str, Any], name: str, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadRequestError(f"{name} must be an integer")
    return value


def _money(data: dict[str, Any], name: str) -> Decimal | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise _BadRequestError(f"{name} must be an amount") from exc


def _message_json(message: SentMessage, now: float) -> dict[str, Any]:
    step = message.step_at(now)
    return {
        "id": message.id,
        "phone": message.phone,
        "status": step.status,
        "err": step.err,
        "changed": step.at,
        "sent": message.sent,
        "parts": message.parts,
        "cost": render_money(message.cost),
        "sender": message.sender,
        "message": message.text,
    }


async def messages(request: Request) -> JSONResponse:
    state = _state(request)
    try:
        login = _login(state, request)
    except KeyError:
        return _error(404, "unknown account")
    found = state.account(login).messages.messages.values()
    return JSONResponse({"messages": [_message_json(m, state.now()) for m in found]})


async def message(request: Request) -> JSONResponse:
    state = _state(request)
    message_id, phone = request.path_params["message_id"], request.path_params["phone"]
    try:
        found = state.message(message_id, phone, login=_login(state, request))
    except KeyError:
        found = None
    if found is None:
        return _error(404, "unknown account or message")
    return JSONResponse(_message_json(found, state.now()))


async def message_status(request: Request) -> JSONResponse:
    state = _state(request)
    message_id, phone = request.path_params["message_id"], request.path_params["phone"]
    try:
        data = await _body(request)
        status, err = _integer(data, "status"), _integer(data, "err", 0)
        login = _login(state, request, data)
        state.force_message_status(message_id, phone, status, err, login=login)
    except _BadRequestError as exc:
        return _error(400, str(exc))
    except KeyError:
        return _error(404, "unknown account or message")
    return JSONResponse({"id": message_id, "phone": phone, "status": status, "err": err})


async def set_balance(request: Request) -> JSONResponse:
    state = _state(request)
    try:
        data = await _body(request)
        amount, credit = _money(data, "balance"), _money(data, "credit")
        if amount is None:
            raise _BadRequestError("balance is required")
        login = _login(state, request, data)
    except _BadRequestError as exc:
        return _error(400, str(exc))
    except KeyError:
        return _error(404, "unknown account")
    state.set_balance(amount, credit=credit, login=login)
    shown = None if credit is None else render_money(credit)
    return JSONResponse({"balance": render_money(amount), "credit": shown})


async def callback(request: Request) -> JSONResponse:
    """An account's callback handler: GET shows every account's, POST sets one, DELETE stops
    one."""
    state = _state(request)
    try:
        data = await _body(request) if request.method == "POST" else None
        login = _login(state, request, data)
        if data is not None:
            checksum = _string(data, "checksum", "md5")
            if checksum not in CHECKSUMS:
                raise _BadRequestError(f"checksum must be one of {list(CHECKSUMS)}")
            secret = data.get("secret")
            if secret is not None and not isinstance(secret, str):
                raise _BadRequestError("secret must be a string")
            state.set_callback(
                _string(data, "url"),
                secret=secret,
                checksum=cast("Checksum", checksum),
                login=login,
            )
        elif request.method == "DELETE":
            state.set_callback(None, login=login)
    except _BadRequestError as exc:
        return _error(400, str(exc))
    except KeyError:
        return _error(404, "unknown account")
    targets = state.callback_targets.items()
    return JSONResponse({"callbacks": {name: target.to_json() for name, target in targets}})


async def callbacks(request: Request) -> JSONResponse:
    dispatcher = _state(request).callbacks
    logs = {
        "pending": dispatcher.pending,
        "delivered": dispatcher.delivered,
        "dropped": dispatcher.dropped,
    }
    return JSONResponse({name: [c.to_json() for c in log] for name, log in logs.items()})


async def deliver_callbacks(request: Request) -> JSONResponse:
    state = _state(request)
    delivered = await state.deliver_callbacks()
    return JSONResponse({"delivered": delivered, "pending": len(state.callbacks.pending)})


ROUTES: Final = [
    Route(f"{PREFIX}/calls", calls, methods=["GET"]),
    Route(f"{PREFIX}/stats", stats, methods=["GET"]),
    Route(f"{PREFIX}/reset", reset, methods=["POST"]),
    Route(f"{PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route(f"{PREFIX}/answers", add_answer, methods=["POST"]),
    Route(f"{PREFIX}/jobs", jobs, methods=["GET"]),
    Route(f"{PREFIX}/jobs/{{job_id:int}}/status", job_status, methods=["POST"]),
    Route(f"{PREFIX}/messages", messages, methods=["GET"]),
    Route(f"{PREFIX}/messages/{{message_id}}/{{phone}}", message, methods=["GET"]),
    Route(f"{PREFIX}/messages/{{message_id}}/{{phone}}/status", message_status, methods=["POST"]),
    Route(f"{PREFIX}/balance", set_balance, methods=["POST"]),
    Route(f"{PREFIX}/callback", callback, methods=["GET", "POST", "DELETE"]),
    Route(f"{PREFIX}/callbacks", callbacks, methods=["GET"]),
    Route(f"{PREFIX}/callbacks/deliver", deliver_callbacks, methods=["POST"]),
]
