"""Injected transport faults: latency, gateway errors, dropped connections, hung requests."""

import functools

import anyio
import httpx
import pytest
import uvicorn

from facade.emulator.assumptions import HANG_SECONDS
from facade.emulator.faults import ConnectionDroppedError, FaultBook, fault_from_json, gateway_page
from tests.emulator.conftest import call, wait_until


@pytest.mark.anyio
async def test_latency_waits_on_the_injected_sleep(client, state, sleep):
    state.add_fault("latency", seconds=2.5)
    assert (await call(client, "templates.php", get=1)).startswith("id = 1001")
    assert sleep.calls == [2.5]


@pytest.mark.anyio
async def test_latency_delays_errors_too(client, state, sleep):
    state.add_fault("latency", seconds=1)
    assert await call(client, "templates.php", get=1, psw="bad") == "ERROR = 2 (authorise error)"
    assert sleep.calls == [1.0]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fault", "hit"),
    [
        pytest.param({"path": "/sys/templates.php"}, True, id="full-path"),
        pytest.param({"path": "templates.php"}, True, id="file-name"),
        pytest.param({"path": "/sys/jobs.php"}, False, id="other-path"),
        pytest.param({"command": "get"}, True, id="command"),
        pytest.param({"command": "add"}, False, id="other-command"),
        pytest.param({"path": "templates.php", "command": "get"}, True, id="both"),
    ],
)
async def test_faults_match_path_and_command(client, sleep, fault, hit):
    response = await client.post(
        "/__emulator__/faults", json={"kind": "latency", "seconds": 3, **fault}
    )
    assert response.status_code == 201
    await call(client, "templates.php", get=1)
    assert sleep.calls == ([3.0] if hit else [])


@pytest.mark.anyio
async def test_status_fault_answers_an_nginx_page_echoing_the_url(client, state):
    state.add_fault("status", status=502, command="add")
    response = await client.get(
        "/sys/templates.php",
        params={"add": 1, "login": "demo", "psw": "secret&", "name": "n", "msg": "m"},
    )
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>502 Bad Gateway</title>" in response.text
    assert (
        "http://smsc.test/sys/templates.php?add=1&amp;login=demo&amp;psw=secret%26" in response.text
    )
    assert "nginx" in response.text
    assert 1005 not in state.account().templates  # SMSC never saw the request
    assert state.calls[-1].to_json() == {
        "method": "GET",
        "path": "/sys/templates.php",
        "command": "add",
        "fmt": 0,
        "credentials_in_query": True,
        "error": None,
        "status": 502,
        "fault": "status",
    }


@pytest.mark.anyio
async def test_times_limits_a_fault(client, state):
    state.add_fault("status", status=503, times=2)
    statuses = [
        (await client.get("/sys/templates.php", params={"get": 1})).status_code for _ in range(3)
    ]
    assert statuses == [503, 503, 200]
    assert state.faults.faults == []


@pytest.mark.anyio
async def test_reset_drops_the_connection(client, state):
    state.add_fault("reset", times=1)
    with pytest.raises(ConnectionDroppedError):
        await client.post("/sys/templates.php", data={"get": 1, "login": "demo", "psw": "demo"})
    assert state.calls[-1].fault == "reset"
    assert state.calls[-1].status is None
    assert state.stats()["in_flight"] == 0
    assert (await call(client, "templates.php", get=1)).startswith("id = ")


@pytest.mark.anyio
async def test_hang_waits_until_the_client_gives_up(client, state, sleep):
    state.add_fault("hang")
    sleep.hold()
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as group:
            group.start_soon(call, client, "templates.php")
            await wait_until(lambda: sleep.waiting == 1)
            scope.cancel()  # what a client timeout does
    assert scope.cancelled_caught
    assert sleep.calls == [HANG_SECONDS]
    assert state.limits.in_flight.per_login == {}
    assert state.stats()["in_flight"] == 0


@pytest.mark.anyio
async def test_list_and_clear_faults(client, state):
    await client.post("/__emulator__/faults", json={"kind": "status", "status": 500, "times": 1})
    listed = (await client.get("/__emulator__/faults")).json()
    assert listed == {
        "faults": [
            {
                "kind": "status",
                "path": None,
                "command": None,
                "seconds": 0.0,
                "status": 500,
                "times": 1,
            }
        ]
    }
    assert (await client.delete("/__emulator__/faults")).json() == {"faults": []}
    assert state.faults.faults == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"[1]", id="array"),
        pytest.param(b'{"kind": "flood"}', id="unknown-kind"),
        pytest.param(b'{"kind": "latency", "extra": 1}', id="unknown-field"),
        pytest.param(b'{"kind": "latency", "seconds": -1}', id="negative-seconds"),
        pytest.param(b'{"kind": "latency", "seconds": true}', id="boolean-seconds"),
        pytest.param(b'{"kind": "status", "status": 200}', id="success-status"),
        pytest.param(b'{"kind": "status", "status": "502"}', id="string-status"),
        pytest.param(b'{"kind": "reset", "times": 0}', id="zero-times"),
        pytest.param(b'{"kind": "reset", "path": 5}', id="numeric-path"),
    ],
)
async def test_bad_fault_is_400(client, body):
    response = await client.post("/__emulator__/faults", content=body)
    assert response.status_code == 400
    assert "error" in response.json()


def test_fault_from_json_defaults():
    fault = fault_from_json({"kind": "hang"})
    assert (fault.path, fault.command, fault.seconds, fault.status, fault.times) == (
        None,
        None,
        0.0,
        502,
        None,
    )


def test_first_matching_fault_applies():
    book = FaultBook()
    book.add(fault_from_json({"kind": "latency", "path": "jobs.php"}))
    second = book.add(fault_from_json({"kind": "status"}))
    assert book.take("templates.php", "get") is second


def test_gateway_page_for_a_status_without_a_name():
    assert "<title>599</title>" in gateway_page(599, "http://x/?a=<b>")
    assert "http://x/?a=&lt;b&gt;" in gateway_page(599, "http://x/?a=<b>")


@pytest.mark.anyio
async def test_status_fault_survives_a_query_that_is_not_utf8(app, state):
    state.add_fault("status", status=502)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
        response = await client.get(httpx.URL("http://smsc.test/sys/get.php", query=b"name=%FF"))
    assert response.status_code == 502
    assert "name=%FF" in response.text


@pytest.mark.anyio
async def test_reset_through_uvicorn_is_a_remote_protocol_error(app, state, tmp_path):
    """Through a real server the status line arrives, then the connection closes mid-body."""
    socket_path = str(tmp_path / "emulator.sock")
    server = uvicorn.Server(
        uvicorn.Config(app, uds=socket_path, log_level="critical", lifespan="off")
    )
    state.add_fault("reset")
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        for _ in range(1000):  # a real server starts in real time
            if server.started:
                break
            await anyio.sleep(0.01)
        transport = httpx.AsyncHTTPTransport(uds=socket_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/sys/templates.php", params={"get": 1})
        server.should_exit = True


def test_fault_from_json_needs_an_object():
    with pytest.raises(ValueError, match="JSON object"):
        fault_from_json([{"kind": "reset"}])


@pytest.mark.anyio
async def test_reset_after_runs_the_command_then_drops_the_connection(client, state):
    state.add_fault("reset_after", command="add", times=1)
    before = set(state.account().templates)
    with pytest.raises(ConnectionDroppedError):
        await client.post(
            "/sys/templates.php",
            data={"add": 1, "name": "n", "msg": "m", "login": "demo", "psw": "demo"},
        )
    (added,) = set(state.account().templates) - before  # SMSC did it; the answer was lost
    assert state.account().templates[added].name == "n"
    assert state.calls[-1].to_json() == {
        "method": "POST",
        "path": "/sys/templates.php",
        "command": "add",
        "fmt": 0,
        "credentials_in_query": False,
        "error": None,
        "status": 200,
        "fault": "reset_after",
    }
    assert state.stats()["in_flight"] == 0


@pytest.mark.anyio
async def test_latency_after_runs_the_command_then_delays_the_answer(client, state, sleep):
    state.add_fault("latency_after", seconds=4, command="add")
    sleep.hold()
    before = set(state.account().templates)
    async with anyio.create_task_group() as group:
        group.start_soon(
            functools.partial(call, client, "templates.php", add=1, name="late", msg="m")
        )
        await wait_until(lambda: sleep.waiting == 1)
        # The command has run and is logged while its answer waits.
        (added,) = set(state.account().templates) - before
        assert state.calls[-1].fault == "latency_after"
        sleep.release()
    assert sleep.calls == [4.0]
    assert state.account().templates[added].name == "late"


@pytest.mark.anyio
async def test_auth_fault_refuses_good_credentials_and_counts_towards_the_block(
    client, state, clock
):
    state.add_fault("auth", times=4)
    for _ in range(4):
        assert await call(client, "templates.php", get=1) == "ERROR = 2 (authorise error)"
        clock.advance(61)  # past the identical-request window
    assert state.faults.faults == []
    assert (await call(client, "templates.php", get=1)).startswith("id = ")
    assert [c.error for c in state.calls] == [2, 2, 2, 2, None]
    assert [c.fault for c in state.calls] == ["auth"] * 4 + [None]
    state.add_fault("auth")
    clock.advance(61)
    assert await call(client, "templates.php", get=1) == "ERROR = 2 (authorise error)"
    state.clear_faults()
    clock.advance(61)
    # The fifth error 2 in 30 minutes blocked the address, good credentials or not.
    assert await call(client, "templates.php", get=1) == "ERROR = 4 (ip is temporarily blocked)"


@pytest.mark.anyio
async def test_auth_fault_over_the_control_surface(client):
    response = await client.post("/__emulator__/faults", json={"kind": "auth", "times": 1})
    assert response.status_code == 201
    assert response.json()["kind"] == "auth"
    assert await call(client, "templates.php", get=1) == "ERROR = 2 (authorise error)"
    assert (await call(client, "templates.php", get=1)).startswith("id = ")
