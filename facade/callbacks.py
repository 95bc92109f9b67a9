"""`POST /smsc/callback/{key}`: where SMSC posts delivery statuses and incoming messages.

The key names the account (its `callback_key`, a long secret; `FACADE_SMSC_CALLBACK_KEY` for the
default account): a key no account has is 404, as any unknown path, and nothing is read. The
body is SMSC's form (`application/x-www-form-urlencoded`, UTF-8: the URL set in SMSC's settings
ends with `?charset=utf-8`), at most `MAX_CALLBACK_BYTES`. `upstream.callbacks.CallbackIntake`
checks the checksum when the account has a secret, drops SMSC's repeats and hands the rest to
the subscribers; the answer is `OK` at once (a forged one is 403, an unreadable one 400).

In sandbox mode the embedded emulator posts its callbacks here, in process, under a key and a
secret made at start-up (`SandboxCallbacks`), so a message sent from GraphiQL is seen arriving.
"""

import dataclasses
import secrets
import urllib.parse
from collections.abc import Mapping
from typing import Final

import httpx
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from facade.settings import SmscAccount
from facade.upstream.callbacks import CALLBACK_PATH, Accepted, CallbackAccount, CallbackIntake
from facade.upstream.pollers import Pollers

__all__ = ["MAX_CALLBACK_BYTES", "SandboxCallbacks", "callback_route", "intake_for"]

MAX_CALLBACK_BYTES: Final = 64 * 1024
_FORM: Final = "application/x-www-form-urlencoded"
_REFUSED: Final = {
    Accepted.FORGED: (403, "The callback's checksum does not match."),
    Accepted.MALFORMED: (400, "The callback does not read as SMSC's."),
}


def callback_route(intake: CallbackIntake) -> Route:
    async def endpoint(request: Request) -> Response:
        key: str = request.path_params["key"]
        if intake.account(key) is None:
            raise HTTPException(404)
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type != _FORM:
            raise HTTPException(415, f"A callback is a form ({_FORM}).")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_CALLBACK_BYTES:
                raise HTTPException(413, f"A callback is at most {MAX_CALLBACK_BYTES} bytes.")
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HTTPException(400, "A callback is UTF-8 (?charset=utf-8 in its URL).") from exc
        form = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
        accepted = await intake.receive(key, form)
        if accepted is None:
            raise HTTPException(404)
        refused = _REFUSED.get(accepted)
        if refused is not None:
            raise HTTPException(*refused)
        return PlainTextResponse("OK")

    return Route(CALLBACK_PATH + "{key}", endpoint, methods=["POST"])


def intake_for(
    accounts: Mapping[str, SmscAccount | None],
    pollers: Mapping[str, Pollers],
    sandbox: "SandboxCallbacks | None" = None,
) -> CallbackIntake:
    """The intake of every account that has a callback key (sandbox mode: the made one)."""
    found: dict[str, CallbackAccount] = {}
    for name, account in accounts.items():
        if sandbox is not None:
            found[name] = CallbackAccount(sandbox.key, sandbox.secret, pollers[name])
        elif account is not None and account.callback_key is not None:
            secret = None if account.callback_secret is None else account.callback_secret.reveal()
            found[name] = CallbackAccount(account.callback_key.reveal(), secret, pollers[name])
    return CallbackIntake(found)


@dataclasses.dataclass(frozen=True, slots=True)
class SandboxCallbacks:
    """The embedded emulator's callbacks to this very app: a key and a checksum secret made at
    start-up, and a transport to the app (known only once it is built: `attach`)."""

    key: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(32))
    secret: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(24))
    transport: "_Deferred" = dataclasses.field(default_factory=lambda: _Deferred())

    @property
    def url(self) -> str:
        return f"http://facade{CALLBACK_PATH}{self.key}?charset=utf-8"

    def attach(self, app: ASGIApp) -> None:
        self.transport.app = app


class _Deferred(httpx.AsyncBaseTransport):
    """`httpx.ASGITransport` to an app given later."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.app is None:
            raise httpx.ConnectError("the app is not attached yet", request=request)
        transport = httpx.ASGITransport(app=self.app)
        return await transport.handle_async_request(request)
