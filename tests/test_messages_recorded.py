"""Messages through both APIs against SMSC's recorded answers (smsc-messages-notes.md: the 2016
cassettes of send.php, status.php and balance.php, and a peer's cost fixture), served by an
`httpx.MockTransport`: what a real SMSC said is what the clients are told."""

import pathlib
from collections.abc import AsyncIterator
from typing import Final

import httpx
import pytest

from facade.credentials.scopes import Scope
from tests.production import Production, production

pytestmark = pytest.mark.anyio

SAMPLES: Final = pathlib.Path(__file__).parent / "samples"
RECORDED: Final = {
    "/sys/send.php": "send/sent-recorded.fmt3.txt",
    "/sys/status.php": "status/statuses-recorded.fmt3.txt",
    "/sys/balance.php": "balance/balance-recorded.fmt3.txt",
}
COST: Final = "send/cost.fmt3.txt"
PHONE: Final = "79990003344"  # the recorded status's recipient
JSON_1251: Final = {"content-type": "application/json; charset=windows-1251"}


def recorded(request: httpx.Request) -> httpx.Response:
    form = dict(httpx.QueryParams(request.content.decode()))
    name = COST if form.get("cost") == "1" else RECORDED[request.url.path]
    return httpx.Response(200, content=(SAMPLES / name).read_bytes(), headers=JSON_1251)


@pytest.fixture
async def service(tmp_path: pathlib.Path) -> AsyncIterator[Production]:
    async with production(tmp_path, upstream=httpx.MockTransport(recorded)) as found:
        yield found


async def test_rest_tells_what_smsc_recorded(service: Production) -> None:
    write, read = service.auth(Scope.WRITE), service.auth(Scope.READ)
    client = service.client
    body = {"phones": [PHONE], "message": "Hi"}
    sent = await client.post("/v1/messages", json=body, headers=write)
    assert sent.status_code == 201, sent.text
    assert (sent.json()["id"], sent.json()["parts"]) == ("33", 1)
    status = (await client.get(f"/v1/messages/33?phone={PHONE}", headers=read)).json()
    assert (status["status"], status["statusCode"], status["errorCode"]) == ("DELIVERED", 1, 0)
    assert status["changedAt"] == "2016-10-18T15:34:12+03:00"
    assert (await client.get("/v1/balance", headers=read)).json()["amount"] == "1871.62"
    cost = (await client.post("/v1/messages/cost", json=body, headers=read)).json()
    assert (cost["cost"], cost["parts"]) == ("2.80", 2)


async def test_graphql_tells_what_smsc_recorded(service: Production) -> None:
    client, write = service.client, service.auth(Scope.WRITE)
    mutation = (
        "mutation($i: SendMessageInput!) { sendMessage(input: $i) "
        "{ __typename ... on SendMessageSuccess { id parts } } }"
    )
    input = {"phones": [PHONE], "message": "Hi"}
    sent = await client.post(
        "/graphql", json={"query": mutation, "variables": {"i": input}}, headers=write
    )
    assert sent.json()["data"]["sendMessage"] == {
        "__typename": "SendMessageSuccess",
        "id": "33",
        "parts": 1,
    }
    query = (
        "query($i: SendMessageInput!) { balance { amount } "
        f'message(id: "33", phone: "{PHONE}") {{ status changedAt }} '
        "messageCost(input: $i) { cost parts } }"
    )
    read = await client.post(
        "/graphql", json={"query": query, "variables": {"i": input}}, headers=write
    )
    assert read.json()["data"] == {
        "balance": {"amount": "1871.62"},
        "message": {"status": "DELIVERED", "changedAt": "2016-10-18T15:34:12+03:00"},
        "messageCost": {"cost": "2.80", "parts": 2},
    }
