"""What every route answers when input, the facade's guard, the network or SMSC's login fails."""

import json
from typing import Any

import httpx
import pytest

from facade.smsc.commands import Credentials
from facade.upstream.limits import RequestBudget
from tests.rest.conftest import assert_problem
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

# (method, url, a valid body against the demo data, success status)
ROUTES: dict[str, tuple[str, str, Any, int]] = {
    "listTemplates": ("GET", "/v1/templates", None, 200),
    "createTemplate": ("POST", "/v1/templates", {"name": "N", "message": "M"}, 201),
    "getTemplate": ("GET", "/v1/templates/1001", None, 200),
    "updateTemplate": ("PATCH", "/v1/templates/1001", {"name": "N"}, 200),
    "deleteTemplate": ("DELETE", "/v1/templates/1001", None, 204),
    "listGroups": ("GET", "/v1/groups", None, 200),
    "createGroup": ("POST", "/v1/groups", {"name": "N"}, 201),
    "getGroup": ("GET", "/v1/groups/41", None, 200),
    "renameGroup": ("PATCH", "/v1/groups/41", {"name": "N"}, 200),
    "deleteGroup": ("DELETE", "/v1/groups/44", None, 204),
    "listJobs": ("GET", "/v1/jobs", None, 200),
    "createJob": (
        "POST",
        "/v1/jobs",
        {"name": "N", "phones": ["79161234567"], "message": "M"},
        201,
    ),
    "getJob": ("GET", "/v1/jobs/2001", None, 200),
    "deleteJob": ("DELETE", "/v1/jobs/2001", None, 204),
    "cancelJob": ("POST", "/v1/jobs/2012/cancel", None, 200),
    "listContacts": ("GET", "/v1/contacts", None, 200),
    "createContact": ("POST", "/v1/contacts", {"phones": ["79990001122"]}, 201),
    "getContact": ("GET", "/v1/contacts/79161234567", None, 200),
    "updateContact": ("PATCH", "/v1/contacts/79161234567", {"name": "N"}, 200),
    "deleteContact": ("DELETE", "/v1/contacts/79161234567", None, 204),
    "addContactToGroup": ("PUT", "/v1/contacts/79031112233/groups/42", None, 204),
    "removeContactFromGroup": ("DELETE", "/v1/contacts/79161234567/groups/41", None, 204),
    "listBlacklist": ("GET", "/v1/blacklist", None, 200),
    "addToBlacklist": ("POST", "/v1/blacklist", {"phone": "79990000009"}, 201),
    "getBlacklistEntry": ("GET", "/v1/blacklist/79990000001", None, 200),
    "removeFromBlacklist": ("DELETE", "/v1/blacklist/79990000001", None, 204),
    "listAnswers": ("GET", "/v1/answers", None, 200),
    "listDownloadTasks": ("GET", "/v1/download-tasks", None, 200),
    "getDownloadTask": ("GET", "/v1/download-tasks/71", None, 200),
    "getDownloadTaskFile": ("GET", "/v1/download-tasks/71/file", None, 200),
    "sendMessage": ("POST", "/v1/messages", {"phones": ["79161234567"], "message": "M"}, 201),
    "getMessageCost": (
        "POST",
        "/v1/messages/cost",
        {"phones": ["79161234567"], "message": "M"},
        200,
    ),
    "getMessage": ("GET", "/v1/messages/fx1?phone=79161234567", None, 200),
    "getMessages": ("GET", "/v1/messages?ref=fx1:79161234567", None, 200),
    "getBalance": ("GET", "/v1/balance", None, 200),
}
# Contacts and the blacklist are addressed by phone: tests/rest/test_contacts.py and
# test_blacklist.py cover their malformed and unknown phones. Messages have ids of their own, and
# one SMSC does not know is answered with status NOT_FOUND: tests/rest/test_messages.py.
BY_PHONE = ("/v1/contacts/", "/v1/blacklist/")
OWN_IDS = ("/v1/messages",)
WITH_ID = [
    name
    for name, (_, url, _, _) in ROUTES.items()
    if url.count("/") == 3 and not url.startswith(BY_PHONE + OWN_IDS)
]
WITH_BODY = [name for name, (_, _, body, _) in ROUTES.items() if body is not None]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# A POST that changes nothing: its body is a question.
READS_BY_POST = {"getMessageCost"}


async def send(client: httpx.AsyncClient, name: str, url: str | None = None) -> httpx.Response:
    method, default_url, body, _ = ROUTES[name]
    return await client.request(method, url or default_url, json=body)


def test_the_table_names_every_operation() -> None:
    from facade.rest import RESOURCES

    # purgeCache reaches no SMSC: tests/test_auth.py covers it with its admin scope.
    assert {op.operation_id for r in RESOURCES for op in r.operations} == {*ROUTES, "purgeCache"}


@pytest.mark.parametrize("name", ROUTES)
async def test_each_route_succeeds(client: httpx.AsyncClient, name: str) -> None:
    response = await send(client, name)

    assert response.status_code == ROUTES[name][3], response.text


@pytest.mark.parametrize("name", ROUTES)
async def test_a_spent_budget_is_429_with_retry_after_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(RequestBudget, "try_spend", lambda self, key, limit: 41.2)

    response = await send(client, name)

    assert_problem(response, 429, "RATE_LIMITED", retryAfter=41.2)
    assert response.headers["retry-after"] == "42"
    assert not upstream.emulator.calls


@pytest.mark.parametrize("name", ROUTES)
async def test_a_gateway_failure_is_503_or_502_of_unknown_outcome(
    client: httpx.AsyncClient, upstream: Harness, name: str
) -> None:
    upstream.emulator.add_fault("status", status=503)

    response = await send(client, name)

    if ROUTES[name][0] in WRITES and name not in READS_BY_POST:
        assert_problem(response, 502, "UPSTREAM_UNAVAILABLE", outcomeUnknown=True)
    else:
        body = assert_problem(response, 503, "UPSTREAM_UNAVAILABLE")
        assert "outcomeUnknown" not in body
        assert "upstreamCode" not in body


class TestRejectedCredentials:
    @pytest.fixture
    def upstream(self) -> Harness:
        return harness(credentials=Credentials(login="demo", password="not-the-password"))  # noqa: S106 - a wrong one

    @pytest.mark.parametrize("name", ROUTES)
    async def test_rejected_credentials_are_502_upstream_auth_failed(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        response = await send(client, name)

        assert_problem(response, 502, "UPSTREAM_AUTH_FAILED", upstreamCode=2)
        assert "not-the-password" not in response.text


@pytest.mark.parametrize("name", WITH_ID)
async def test_a_malformed_id_is_400_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, name: str
) -> None:
    url = ROUTES[name][1].rsplit("/", 1)[0] + "/12a"

    response = await send(client, name, url)

    assert_problem(response, 400, "INVALID_INPUT", field="id")
    assert not upstream.emulator.calls


@pytest.mark.parametrize("name", WITH_ID)
async def test_an_unknown_id_is_404(client: httpx.AsyncClient, name: str) -> None:
    url = ROUTES[name][1].rsplit("/", 1)[0] + "/999999"

    response = await send(client, name, url)

    body = assert_problem(response, 404, "NOT_FOUND")
    if ROUTES[name][0] != "GET":
        assert body["upstreamCode"] == 3


@pytest.mark.parametrize("name", WITH_BODY)
@pytest.mark.parametrize(
    ("content", "content_type", "status", "field"),
    [
        pytest.param(b'{"name": ', "application/json", 400, "body", id="malformed-json"),
        pytest.param(b"", "application/json", 400, "body", id="empty-body"),
        pytest.param(b"[1]", "application/json", 400, "body", id="not-an-object"),
        pytest.param({"name": 5}, "application/json", 400, "name", id="wrong-type"),
        pytest.param({"nope": 1}, "application/json", 400, "nope", id="unknown"),
        pytest.param({}, "text/plain", 415, None, id="text-plain"),
        pytest.param({}, None, 415, None, id="no-content-type"),
    ],
)
async def test_a_refused_body_is_a_problem_without_asking_smsc(
    client: httpx.AsyncClient,
    upstream: Harness,
    name: str,
    content: bytes | dict[str, Any],
    content_type: str | None,
    status: int,
    field: str | None,
) -> None:
    method, url, valid, _ = ROUTES[name]
    headers = {} if content_type is None else {"Content-Type": content_type}
    if isinstance(content, dict):  # the valid body with these changes
        content = json.dumps({**valid, **content}).encode()

    response = await client.request(method, url, content=content, headers=headers)

    body = assert_problem(response, status, "INVALID_INPUT")
    assert body.get("field") == field
    assert not upstream.emulator.calls


async def test_a_too_large_body_is_413(client: httpx.AsyncClient, upstream: Harness) -> None:
    response = await client.post("/v1/templates", json={"name": "N", "message": "x" * (1 << 20)})

    assert_problem(response, 413, "INVALID_INPUT")
    assert not upstream.emulator.calls


async def test_a_merge_patch_body_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.patch(
        "/v1/groups/41",
        content=b'{"name": "VIP"}',
        headers={"Content-Type": "application/merge-patch+json"},
    )

    assert response.status_code == 200
    assert response.json()["name"] == "VIP"


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("PUT", "/v1/templates", "GET, POST, HEAD"),
        ("POST", "/v1/templates/1001", "GET, PATCH, DELETE, HEAD"),
        ("DELETE", "/v1/groups", "GET, POST, HEAD"),
    ],
)
async def test_a_wrong_method_is_405_with_allow(
    client: httpx.AsyncClient, method: str, url: str, allow: str
) -> None:
    response = await client.request(method, url)

    assert_problem(response, 405, "INVALID_INPUT")
    assert set(response.headers["allow"].split(", ")) == set(allow.split(", "))


@pytest.mark.parametrize("url", ["/v1/nothing", "/v1/templates/1001/x", "/nowhere"])
async def test_an_unknown_route_is_404(client: httpx.AsyncClient, url: str) -> None:
    assert_problem(await client.get(url), 404, "NOT_FOUND")
