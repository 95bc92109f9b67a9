"""The service as operators run it: SMSC credentials configured (canaries), tokens required.

The embedded emulator plays SMSC and accepts the canary account; a token per scope is issued
into a fresh data directory. Tests of authentication, redaction and graphql-cop use it.
"""

import contextlib
import dataclasses
import pathlib
from collections.abc import AsyncIterator, Mapping
from typing import Final

import httpx
from starlette.applications import Starlette

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.emulator.app import create_emulator
from facade.emulator.state import AccountCredentials, EmulatorState
from facade.settings import Settings

# Values no test or fixture uses for anything else: finding one in output means it leaked.
# Non-ASCII, `/`, `+`, `&`, `=` and a space make every encoding of them differ from the raw form.
CANARY_LOGIN: Final = "canary-login-Q7x"
CANARY_PASSWORD: Final = "canary-Секрет 42/+&="  # noqa: S105 - a canary, not a secret
CANARY_APIKEY: Final = "canary-apikey-Z9w/+=="
BASE_URL: Final = "http://facade.test"


@dataclasses.dataclass(frozen=True)
class Production:
    app: Starlette
    client: httpx.AsyncClient
    tokens: Mapping[Scope, str]
    emulator: EmulatorState
    data_dir: pathlib.Path
    store: TokenStore

    def auth(self, scope: Scope = Scope.READ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[scope]}"}


def production_environ(tmp_path: pathlib.Path) -> dict[str, str]:
    return {
        "SMSC_LOGIN": CANARY_LOGIN,
        "SMSC_PASSWORD": CANARY_PASSWORD,
        "SMSC_BASE_URL": "http://smsc.test",
        "FACADE_DATA_DIR": str(tmp_path / "data"),
    }


@contextlib.asynccontextmanager
async def production(
    tmp_path: pathlib.Path,
    *,
    environ: Mapping[str, str] | None = None,
    upstream: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Production]:
    """The app with canary credentials; `upstream` replaces the emulator (which still exists,
    unused). `environ` adds to or overrides the production variables."""
    settings = Settings.from_env({**production_environ(tmp_path), **(environ or {})})
    emulator = create_emulator(
        seed="demo", accounts=[AccountCredentials(login=CANARY_LOGIN, password=CANARY_PASSWORD)]
    )
    transport = upstream or httpx.ASGITransport(app=emulator)
    store = TokenStore.in_dir(settings.data_dir)
    tokens = {
        scope: store.issue(f"client-{scope.value}", scopes=[scope], account="default").token
        for scope in Scope
    }
    app = create_app(settings, upstream_transport=transport)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client,
        ):
            yield Production(
                app=app,
                client=client,
                tokens=tokens,
                emulator=emulator.state.emulator,
                data_dir=settings.data_dir,
                store=store,
            )
    finally:
        store.close()
