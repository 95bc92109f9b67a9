"""SmscClient: the guard's paths, the rarer commands, counters, and what reaches the logs."""

import asyncio
import base64
import hashlib
import logging
import urllib.parse

import pytest

from facade.domain.groups import GroupDraft
from facade.domain.jobs import JobSpec, JobStatus, SendAfter
from facade.domain.templates import TemplateDraft
from facade.emulator.state import AccountCredentials
from facade.errors import RateLimitedError, SmscAuthError, SmscNotFound, UpstreamUnavailable
from facade.smsc.commands import Credentials
from facade.upstream.exchange import Freshness
from facade.upstream.limits import BreakerState
from tests.fakes import FakeSleep
from tests.upstream.harness import Harness, harness

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


# --- recovery after error 2 and after the breaker opens (issue 15) ----------------------------


def _state(h: Harness) -> BreakerState:
    # A call, so mypy does not keep the state narrowed across the calls that change it.
    return h.client.breaker.state


def _auth_errors(h: Harness) -> int:
    return sum(call.error == 2 for call in h.emulator.calls)


async def test_one_auth_error_between_successes_is_over_within_a_minute():
    h = harness()
    cached = await h.client.templates()
    h.emulator.add_fault("auth", times=1)  # SMSC refuses the credentials once, then takes them
    with pytest.raises(SmscAuthError):
        await h.client.create_group(GroupDraft(name="refused"))
    # Until the probe: writes and uncached reads get the remembered error, cached reads are served.
    with pytest.raises(SmscAuthError):
        await h.client.groups()
    assert (await h.client.templates()).value == cached.value
    h.clock.advance(10)
    group = await h.client.create_group(GroupDraft(name="probe"))  # the probe is a real write
    assert group.name == "probe"
    assert (await h.client.groups()).value
    assert _auth_errors(h) == 1
    assert h.client.gate.condition is None


async def test_a_long_auth_refusal_risks_at_most_four_errors_in_any_30_minutes():
    h = harness()
    h.emulator.add_fault("auth")  # until cleared
    reads = (
        h.client.templates,
        h.client.groups,
        h.client.blacklist,
        h.client.contacts,
        h.client.answers,
        h.client.download_tasks,
    )
    seen: list[float] = []  # when SMSC answered error 2 (the clock moves only between calls)
    for tick in range(2 * 3600 // 5):  # a caller every 5 s for two hours
        before = _auth_errors(h)
        with pytest.raises(SmscAuthError):
            await reads[tick % len(reads)]()
        seen += [h.clock.now] * (_auth_errors(h) - before)
        h.clock.advance(5)
    assert {call.error for call in h.emulator.calls} == {2}, "never blocked (error 4)"
    busiest = max(sum(t <= u < t + 1800 for u in seen) for t in seen)
    assert busiest == 4
    # One error, then probes after 10 s, 30 s, 2 min; then one every 10 minutes.
    assert [t - seen[0] for t in seen[:6]] == [0, 10, 40, 160, 1800, 2400]
    h.emulator.clear_faults()  # SMSC takes the credentials again: the next probe finds out
    for tick in range(600 // 5 + 1):
        try:
            await reads[tick % len(reads)]()
        except SmscAuthError:
            h.clock.advance(5)
        else:
            break
    assert h.client.gate.condition is None
    await h.client.create_group(GroupDraft(name="works again"))


async def test_cached_reads_are_served_while_smsc_refuses_the_credentials():
    h = harness()
    cached = await h.client.templates()
    h.emulator.add_fault("auth")
    with pytest.raises(SmscAuthError):
        await h.client.create_template(TemplateDraft(name="a", message="b"))
    h.clock.advance(301)  # past the templates' TTL: the read that comes is the probe
    probed = await h.client.templates()
    remembered = await h.client.templates()  # and this one gets the gate's remembered error
    assert _auth_errors(h) == 2
    for stale in (probed, remembered):
        assert stale.freshness is Freshness.STALE
        assert stale.value == cached.value


async def _open_breaker(h: Harness) -> None:
    """Five failed reads of five keys (one attempt each): the breaker opens."""
    h.emulator.add_fault("status", status=500, times=5)
    for read in (
        h.client.groups,
        h.client.blacklist,
        h.client.contacts,
        h.client.answers,
        h.client.download_tasks,
    ):
        with pytest.raises(UpstreamUnavailable):
            await read()
    assert h.client.breaker.state is BreakerState.OPEN


async def test_the_breaker_probe_goes_to_a_request_the_budget_admits():
    h = harness(attempts=1)
    for _ in range(2):  # the templates' budget (2 a minute) spent
        await h.client.templates()
        h.client.cache.entries.clear()
    await _open_breaker(h)  # and SMSC heals: the fault is used up
    h.clock.advance(30)  # one cooldown
    with pytest.raises(RateLimitedError):
        await h.client.templates()  # refused by the budget: it takes no probe
    template = await h.client.create_template(TemplateDraft(name="first", message="write"))
    assert template.name == "first"
    assert h.client.breaker.state is BreakerState.CLOSED


class _RefusingBudget:
    """A shared budget (Redis': asked without the process knowing) that refuses everything."""

    async def spend(self, key: str, limit: int, *, ceiling: int | None = None) -> float | None:
        return 42.0

    def retry_after(self, key: str, limit: int) -> float | None:
        return None


async def test_a_remote_budget_refusal_takes_no_breaker_probe():
    h = harness(attempts=1)
    await _open_breaker(h)
    h.clock.advance(30)
    h.client.budget = _RefusingBudget()
    with pytest.raises(RateLimitedError):
        await h.client.templates()
    assert h.client.breaker.state is BreakerState.OPEN
    assert h.client.breaker.retry_after() is None, "the probe is still there to take"


async def test_a_cancelled_breaker_probe_is_given_back_at_once():
    held = FakeSleep()
    held.hold()
    h = harness(attempts=1, emulator_sleep=held)
    await _open_breaker(h)
    h.clock.advance(30)
    h.emulator.add_fault("latency", seconds=5, times=1)
    # A write: a read would go on in its single flight (`coalesce.py`) and report.
    probe = asyncio.ensure_future(h.client.create_template(TemplateDraft(name="t", message="m")))
    for _ in range(1000):
        if held.waiting:
            break
        await asyncio.sleep(0)
    assert _state(h) is BreakerState.HALF_OPEN
    probe.cancel()  # its caller went away: its outcome will never be reported
    with pytest.raises(asyncio.CancelledError):
        await probe
    held.release()
    await h.client.create_group(GroupDraft(name="no second cooldown"))
    assert _state(h) is BreakerState.CLOSED
