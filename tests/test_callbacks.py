"""SMSC's callbacks (`POST /smsc/callback/{key}`): a status reaches the message's subscribers at
once and an incoming message the answers' subscribers; a wrong key is 404, a wrong checksum 403,
and neither changes or delivers anything; SMSC's repeats are taken once; the key never reaches a
log. In sandbox mode the embedded emulator's callbacks arrive through the same route."""

import hashlib
import logging
import pathlib
import time
import urllib.parse
from collections.abc import AsyncIterator
from typing import Final

import anyio
import pytest

from facade.app import create_app
from facade.domain.messages import MessageRef, MessageSpec, MessageStatus
from facade.settings import Settings
from facade.upstream.pollers import Pollers
from tests.production import Production, production

pytestmark = pytest.mark.anyio

KEY: Final = "k" * 40
SECRET: Final = "checksum-secret"  # noqa: S105 - a test's own
PHONE: Final = "79990000001"
FORM: Final = {"content-type": "application/x-www-form-urlencoded"}


def signed(fields: dict[str, str], secret: str = SECRET) -> str:
    text = f"{fields['id']}:{fields['phone']}:{fields.get('status', '')}:{secret}"
    return urllib.parse.urlencode({**fields, "md5": hashlib.md5(text.encode()).hexdigest()})  # noqa: S324


@pytest.fixture
async def service(tmp_path: pathlib.Path) -> AsyncIterator[Production]:
    environ = {"FACADE_SMSC_CALLBACK_KEY": KEY, "FACADE_SMSC_CALLBACK_SECRET": SECRET}
    async with production(tmp_path, environ=environ) as found:
        yield found


def pollers(service: Production) -> Pollers:
    found: Pollers = service.app.state.pollers["default"]
    return found


async def followed(service: Production) -> MessageRef:
    """A message sent now, to follow."""
    sent = await service.app.state.smsc.send_message(MessageSpec(phones=(PHONE,), message="Hi"))
    return MessageRef(sent.id, PHONE)


def delivered(ref: MessageRef) -> dict[str, str]:
    return {
        "id": ref.id,
        "phone": ref.phone,
        "status": "1",
        "err": "0",
        "ts": str(int(time.time())),
    }


async def test_a_status_reaches_the_subscriber_at_once(service: Production) -> None:
    ref = await followed(service)
    async with pollers(service).message(ref) as subscription:
        first = await anext(subscription)
        assert not first.final
        started = time.monotonic()
        response = await service.client.post(
            f"/smsc/callback/{KEY}", content=signed(delivered(ref)), headers=FORM
        )
        assert (response.status_code, response.text) == (200, "OK")
        with anyio.fail_after(1):
            last = await anext(subscription)
        assert time.monotonic() - started < 1.0
        assert (last.status, last.final) == (MessageStatus.DELIVERED, True)


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        pytest.param(f"/smsc/callback/{'x' * 40}", "good", 404, id="wrong-key"),
        pytest.param(f"/smsc/callback/{KEY}", "wrong-secret", 403, id="wrong-checksum"),
        pytest.param(f"/smsc/callback/{KEY}", "unsigned", 403, id="no-checksum"),
    ],
)
async def test_a_forged_callback_changes_and_delivers_nothing(
    service: Production, path: str, body: str, status: int
) -> None:
    ref = await followed(service)
    fields = delivered(ref)
    content = {
        "good": signed(fields),
        "wrong-secret": signed(fields, "guess"),
        "unsigned": urllib.parse.urlencode(fields),
    }[body]
    async with pollers(service).message(ref) as subscription:
        await anext(subscription)
        response = await service.client.post(path, content=content, headers=FORM)
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
        assert subscription.pending == 0


async def test_a_repeated_callback_is_acknowledged_and_taken_once(service: Production) -> None:
    ref = await followed(service)
    fields = {**delivered(ref), "status": "0"}
    async with pollers(service).message(ref) as subscription:
        await anext(subscription)
        for _ in range(3):
            response = await service.client.post(
                f"/smsc/callback/{KEY}", content=signed(fields), headers=FORM
            )
            assert response.status_code == 200
        assert subscription.pending <= 1  # at most the one change, never three


async def test_an_incoming_message_reaches_the_answers_subscribers(service: Production) -> None:
    async with pollers(service).answers(after="1000000") as subscription:
        fields = {"id": "1000001", "phone": "79990001122", "mes": "Да", "to": "79370000009"}
        fields["sent"] = str(int(time.time()))
        response = await service.client.post(
            f"/smsc/callback/{KEY}", content=signed(fields), headers=FORM
        )
        assert response.status_code == 200
        with anyio.fail_after(1):
            answer = await anext(subscription)
        assert (answer.id, answer.message, answer.to_phone) == ("1000001", "Да", "79370000009")


async def test_the_key_never_reaches_the_access_log(
    service: Production, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ref = await followed(service)
    await service.client.post(f"/smsc/callback/{KEY}", content=signed(delivered(ref)), headers=FORM)
    await service.client.post(f"/smsc/callback/{'y' * 40}", content="id=1", headers=FORM)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("facade"))
    assert "POST /smsc/callback/*** 200" in ours
    assert "POST /smsc/callback/*** 404" in ours
    assert KEY not in ours
    assert "y" * 40 not in ours


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"FACADE_SMSC_CALLBACK_KEY": "short"}, "FACADE_SMSC_CALLBACK_KEY: expected 32-256"),
        ({"FACADE_SMSC_CALLBACK_SECRET": SECRET}, "is set without FACADE_SMSC_CALLBACK_KEY"),
    ],
)
def test_callback_settings_are_checked(
    tmp_path: pathlib.Path, environ: dict[str, str], problem: str
) -> None:
    base = {"SMSC_LOGIN": "user", "SMSC_PASSWORD": "pass", "FACADE_DATA_DIR": str(tmp_path)}
    with pytest.raises(Exception, match=problem):
        Settings.from_env({**base, **environ})


async def test_in_sandbox_mode_the_emulators_callbacks_reach_a_subscriber(
    tmp_path: pathlib.Path,
) -> None:
    """Statuses move on the emulator's real clock: the final one 5 s after the send. The poll
    interval is 30 s, so what arrives before that came by callback."""
    app = create_app(Settings.from_env({"FACADE_DATA_DIR": str(tmp_path)}))
    async with app.router.lifespan_context(app):
        sent = await app.state.smsc.send_message(MessageSpec(phones=(PHONE,), message="Hi"))
        live: Pollers = app.state.pollers["default"]
        async with live.message(MessageRef(sent.id, PHONE)) as subscription:
            states = []
            with anyio.fail_after(15):
                async for state in subscription:
                    states.append(state)
        assert states[-1].status is MessageStatus.DELIVERED
        assert live.message_poller.polls <= 1
