"""The `/__emulator__/` control surface and the same operations on `EmulatorState`."""

import json

import pytest

from tests.emulator.conftest import call


@pytest.mark.anyio
async def test_call_log_notes_credentials_in_the_url_but_never_their_values(client):
    await client.get(
        "/sys/templates.php", params={"get": 1, "login": "demo", "psw": "demo", "fmt": 3}
    )
    await client.post("/sys/templates.php", data={"get": 1, "login": "demo", "psw": "demo"})
    await client.post("/sys/jobs.php?apikey=demo-apikey", data={"get": 1, "id": "x"})
    await client.post("/sys/get.php", data={"get_answers": 1, "login": "demo", "psw": "bad"})
    response = await client.get("/__emulator__/calls")
    assert response.json() == {
        "calls": [
            {
                "method": "GET",
                "path": "/sys/templates.php",
                "command": "get",
                "fmt": 3,
                "credentials_in_query": True,
                "error": None,
                "status": 200,
                "fault": None,
            },
            {
                "method": "POST",
                "path": "/sys/templates.php",
                "command": "get",
                "fmt": 0,
                "credentials_in_query": False,
                "error": None,
                "status": 200,
                "fault": None,
            },
            {
                "method": "POST",
                "path": "/sys/jobs.php",
                "command": "get",
                "fmt": 0,
                "credentials_in_query": True,
                "error": 1,
                "status": 200,
                "fault": None,
            },
            {
                "method": "POST",
                "path": "/sys/get.php",
                "command": "get_answers",
                "fmt": 0,
                "credentials_in_query": False,
                "error": 2,
                "status": 200,
                "fault": None,
            },
        ]
    }
    assert "demo" not in response.text


@pytest.mark.anyio
async def test_stats_count_per_endpoint_and_command(client):
    await call(client, "templates.php", get=1)
    await call(client, "templates.php", get=1, fmt=1)
    await call(client, "templates.php", add=1, get=1)
    await call(client, "phones.php", get_group=1)
    stats = (await client.get("/__emulator__/stats")).json()
    assert stats == {
        "total": 4,
        "per_endpoint": {"phones.php": {"get_group": 1}, "templates.php": {"-": 1, "get": 2}},
        "in_flight": 0,
        "max_concurrent": 1,
        "max_concurrent_per_login": 1,
    }


@pytest.mark.anyio
async def test_reset_clears_log_counters_limits_and_faults(client, state):
    for _ in range(3):
        await call(client, "templates.php", get=1)
    state.add_fault("status", command="add")
    response = await client.post("/__emulator__/reset")
    assert response.json() == {"result": "OK"}
    assert (await call(client, "templates.php", get=1)).startswith("id = 1001")
    assert state.stats()["total"] == 1
    assert len(state.calls) == 1
    assert state.faults.faults == []


@pytest.mark.anyio
async def test_reset_can_reseed(client, state):
    await call(client, "templates.php", add=1, name="x", msg="y")
    await client.post("/__emulator__/reset", json={"seed": "demo"})
    assert sorted(state.account().templates) == [1001, 1002, 1003, 1004]
    await client.post("/__emulator__/reset", json={"seed": "empty"})
    assert await call(client, "templates.php", get=1) == ""


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [b'{"seed": "nope"}', b"{", b'"demo"'],
    ids=["unknown-seed", "bad-json", "not-an-object"],
)
async def test_bad_reset_is_400(client, body):
    response = await client.post("/__emulator__/reset", content=body)
    assert response.status_code == 400


@pytest.mark.anyio
async def test_inject_an_answer(client, state):
    response = await client.post(
        "/__emulator__/answers",
        json={"phone": "79991112233", "message": "Привет", "to_phone": "79370000009"},
    )
    assert response.status_code == 201
    assert response.json() == {"id": 6007}
    listed = json.loads(await call(client, "get.php", fmt=3, get_answers=1, to_phone="79370000009"))
    assert listed == [
        {
            "id": 6007,
            "received": "15.11.2025 12:00:00",
            "phone": "79991112233",
            "message": "Привет",
            "to_phone": "79370000009",
            "sent": "15.11.2025 12:00:00",
        }
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"message": "m"}, 400, id="no-phone"),
        pytest.param({"phone": "1", "message": 5}, 400, id="message-not-text"),
        pytest.param({"phone": "1", "message": "m", "login": "nobody"}, 404, id="unknown-account"),
    ],
)
async def test_bad_answer_injection(client, body, status):
    assert (await client.post("/__emulator__/answers", json=body)).status_code == status


@pytest.mark.anyio
async def test_set_a_job_status(client):
    response = await client.post("/__emulator__/jobs/2013/status", json={"status": 7})
    assert response.json() == {"id": 2013, "status": 7}
    job = json.loads(await call(client, "jobs.php", fmt=3, get=1, id=2013))
    assert job["status"] == 7


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        pytest.param("/__emulator__/jobs/9/status", {"status": 1}, 404, id="unknown-job"),
        pytest.param(
            "/__emulator__/jobs/2013/status", {"status": 1, "login": "x"}, 404, id="unknown-login"
        ),
        pytest.param("/__emulator__/jobs/2013/status", {"status": "1"}, 400, id="status-not-int"),
        pytest.param("/__emulator__/jobs/2013/status", {"status": True}, 400, id="status-bool"),
        pytest.param("/__emulator__/jobs/x/status", {"status": 1}, 404, id="job-id-not-int"),
    ],
)
async def test_bad_job_status(client, path, body, status):
    assert (await client.post(path, json=body)).status_code == status


@pytest.mark.anyio
async def test_unknown_control_path_is_404(client):
    assert (await client.get("/__emulator__/nothing")).status_code == 404


def test_python_api(state, clock):
    answer_id = state.inject_answer(phone="1", message="m")
    assert state.account("demo").answers[answer_id].received == state.now()
    state.set_job_status(2001, 4)
    assert state.account().jobs[2001].status == 4
    fault = state.add_fault("latency", seconds=1, times=1)
    assert state.faults.faults == [fault]
    state.clear_faults()
    assert state.faults.faults == []
    before = state.now()
    clock.advance(90)
    assert state.now() == before + 90
    with pytest.raises(KeyError):
        state.set_job_status(1, 0)
