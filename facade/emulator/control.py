"""The test-only control surface under `/__emulator__/`, JSON in and out; not part of SMSC.

GET `calls` (the call log), GET `stats`, POST `reset` (clears log, counters, limits and faults;
`{"seed": "demo"|"empty"}` also reseeds),
GET/POST/DELETE `faults` (see facade.emulator.faults), POST `answers` (inject an incoming
message), POST `jobs/{id}/status` (`{"status": N}`). Each maps onto an `EmulatorState` method.
A malformed body is HTTP 400 with `{"error": "..."}`; an unknown account or job is 404.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from starlette.responses import JSONResponse
from starlette.routing import Route

from facade.emulator.faults import fault_from_json
from facade.emulator.seed import SEEDS

if TYPE_CHECKING:
    from starlette.requests import Request

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


ROUTES: Final = [
    Route(f"{PREFIX}/calls", calls, methods=["GET"]),
    Route(f"{PREFIX}/stats", stats, methods=["GET"]),
    Route(f"{PREFIX}/reset", reset, methods=["POST"]),
    Route(f"{PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route(f"{PREFIX}/answers", add_answer, methods=["POST"]),
    Route(f"{PREFIX}/jobs", jobs, methods=["GET"]),
    Route(f"{PREFIX}/jobs/{{job_id:int}}/status", job_status, methods=["POST"]),
]
