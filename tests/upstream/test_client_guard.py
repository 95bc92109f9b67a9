"""SmscClient: the guard's paths, the rarer commands, counters, and what reaches the logs."""

import asyncio
import base64
import hashlib
import logging
import urllib.parse

import pytest

from facade.domain.jobs import JobSpec, JobStatus, SendAfter
from facade.emulator.state import AccountCredentials
from facade.errors import SmscAuthError, SmscNotFound, UpstreamUnavailable
from facade.smsc.commands import Credentials
from facade.upstream.client import Freshness
from tests.upstream.harness import harness

pytestmark = pytest.mark.anyio

CANARY_LOGIN = "canary-login-Ж"
CANARY_PASSWORD = "canary pass/Ж+1"  # noqa: S105 - a canary, searched for in the logs


async def test_download_file_returns_the_file_and_is_not_cached():
    h = harness()
    tasks = (await h.client.download_tasks()).value
    done = next(t for t in tasks if t.file_name)
    first = await h.client.download_file(id=done.id)
    assert first.content
    assert first.file_name == done.file_name
    assert first.media_type == "text/csv"
    await h.client.download_file(id=done.id)
    assert len(h.calls("get_file")) == 2


async def test_cancelled_job_shows_as_cancelled():
    h = harness(seed="empty")
    created = await h.client.create_job(
        JobSpec(name="later", phones=("79991234567",), message="m", send_time=SendAfter(60))
    )
    assert (await h.client.job(created.id)).value.status is JobStatus.WAITING
    await h.client.cancel_job(created.id)
    h.clock.advance(61)
    assert (await h.client.job(created.id)).value.status is JobStatus.CANCELLED


async def test_open_breaker_answers_from_cache_or_fails_without_calling():
    h = harness(breaker_threshold=2, breaker_cooldown=1000.0, attempts=1)
    cached = await h.client.templates()
    h.emulator.add_fault("status", status=503)
    for group in ("a", "b"):
        with pytest.raises(UpstreamUnavailable):
            await h.client.answers() if group == "a" else await h.client.blacklist()
        h.clock.advance(61)
    calls = len(h.emulator.calls)
    h.clock.advance(301)
    stale = await h.client.templates()
    assert stale.freshness is Freshness.STALE
    assert stale.value == cached.value
    with pytest.raises(UpstreamUnavailable, match="failing"):
        await h.client.groups()
    assert len(h.emulator.calls) == calls
    assert h.client.stats.guard_rejections["breaker_open"] == 2


async def test_failed_background_refresh_keeps_the_stale_value(caplog):
    h = harness(revalidate_in_background=frozenset({"templates.get"}), attempts=1)
    cached = await h.client.templates()
    h.emulator.add_fault("status", status=503)
    h.clock.advance(301)
    first, second = await asyncio.gather(h.client.templates(), h.client.templates())
    assert first.freshness is second.freshness is Freshness.STALE
    for _ in range(100):
        if not h.client._background:
            break
        await asyncio.sleep(0)
    assert len(h.calls("get")) == 2, "one refresh however many stale reads"
    assert (await h.client.templates()).value == cached.value
    assert "background refresh" in caplog.text
    await h.client.aclose()


async def test_other_smsc_errors_do_not_lock_the_account():
    h = harness(seed="empty")
    with pytest.raises(SmscNotFound):
        await h.client.delete_template("999999")
    assert (await h.client.templates()).value == []


async def test_counters_name_commands_outcomes_and_reasons():
    h = harness()
    await h.client.templates()
    await h.client.templates()
    assert h.client.stats.upstream_calls[("templates.get", "ok")] == 1
    assert h.client.stats.cache["miss"] == h.client.stats.cache["hit"] == 1
    assert h.client.stats.total_upstream_calls == 1


def _forms(secret: str) -> set[str]:
    raw = secret.encode()
    return {
        secret,
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
        hashlib.md5(raw).hexdigest(),  # noqa: S324 - what SMSC accepts, searched for in the logs
        base64.b64encode(raw).decode(),
    }


async def test_no_credential_reaches_the_logs_in_any_form(caplog):
    caplog.set_level(logging.DEBUG)
    account = AccountCredentials(login=CANARY_LOGIN, password=CANARY_PASSWORD)
    h = harness(
        accounts=[account], credentials=Credentials(login=CANARY_LOGIN, password=CANARY_PASSWORD)
    )
    await h.client.templates()
    h.emulator.add_fault("status", status=502)
    with pytest.raises(UpstreamUnavailable) as unavailable:
        await h.client.groups()
    h.emulator.clear_faults()
    wrong = harness(
        accounts=[account],
        credentials=Credentials(login=CANARY_LOGIN, password="wrong-" + CANARY_PASSWORD),
    )
    with pytest.raises(SmscAuthError) as rejected:
        await wrong.client.templates()
    seen = caplog.text + repr(unavailable.value) + str(rejected.value) + repr(h.client)
    for secret in (CANARY_LOGIN, CANARY_PASSWORD, "wrong-" + CANARY_PASSWORD):
        for form in _forms(secret):
            assert form not in seen
    assert "SMSC templates.php" in caplog.text or "/sys/templates.php" in caplog.text
