"""`/v1/download-tasks` end to end: GraphQL's names and values, one task, the file streamed."""

from collections.abc import MutableMapping
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from facade.domain.downloads import DownloadFile
from facade.rest.http import FILE_CHUNK_BYTES
from facade.rest.resources.downloads import content_disposition
from facade.upstream.client import SmscClient
from tests.rest.conftest import GraphQLCall, assert_problem
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

GRAPHQL_FIELDS = "id name status statusCode createdAt startAt fileName"


async def test_the_list_has_graphqls_names_and_values(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.get("/v1/download-tasks")

    assert response.status_code == 200
    data = await graphql(f"{{ downloadTasks {{ {GRAPHQL_FIELDS} }} }}")
    assert response.json() == data["downloadTasks"]
    assert [(t["status"], t["statusCode"]) for t in response.json()] == [
        ("COMPLETED", 2),
        ("COMPLETED", 2),
        ("IN_PROGRESS", 1),
        ("PENDING", 0),
        ("CANCELLED", 3),
        ("FAILED", 4),
    ]
    assert response.headers["cache-control"] == "private, max-age=60"


async def test_one_task_and_conditional_reads(client: httpx.AsyncClient, upstream: Harness) -> None:
    listed = (await client.get("/v1/download-tasks")).json()
    response = await client.get("/v1/download-tasks/71")
    again = await client.get(
        "/v1/download-tasks/71", headers={"If-None-Match": response.headers["etag"]}
    )

    assert response.json() == listed[0]
    assert response.json()["fileName"] == "report_71.csv"
    assert again.status_code == 304
    assert len(upstream.calls("get_list")) == 1


async def test_an_unknown_task_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/download-tasks/70"), 404, "NOT_FOUND")


async def test_the_file_is_streamed_with_its_type_and_name(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    response = await client.get("/v1/download-tasks/71/file")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="report_71.csv"'
    assert "content-length" not in response.headers
    assert response.headers["cache-control"] == "private, max-age=0"
    assert response.headers["x-facade-cache"] == "miss"
    assert response.content == upstream.emulator.account().downloads[71].content.encode()
    assert response.text.startswith("id;phone;message;sent;status\r\n")


async def test_the_file_answers_if_none_match(client: httpx.AsyncClient) -> None:
    etag = (await client.get("/v1/download-tasks/71/file")).headers["etag"]

    response = await client.get("/v1/download-tasks/71/file", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize("id", ["73", "74", "75", "76", "999"])
async def test_a_task_without_a_file_is_404(client: httpx.AsyncClient, id: str) -> None:
    response = await client.get(f"/v1/download-tasks/{id}/file")

    assert_problem(response, 404, "NOT_FOUND", upstreamCode=3)


async def test_a_malformed_id_is_400_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    response = await client.get("/v1/download-tasks/7x/file")

    assert_problem(response, 400, "INVALID_INPUT", field="id")
    assert not upstream.emulator.calls


async def test_a_third_identical_download_in_a_minute_is_429(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    for _ in range(2):
        assert (await client.get("/v1/download-tasks/71/file")).status_code == 200

    response = await client.get("/v1/download-tasks/71/file")

    assert_problem(response, 429, "RATE_LIMITED")
    assert int(response.headers["retry-after"]) > 0
    assert len(upstream.calls("get_file")) == 2


async def test_a_large_file_of_another_type_goes_in_chunks(
    app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = bytes(range(256)) * (FILE_CHUNK_BYTES // 256 * 2 + 1)

    async def download(
        self: SmscClient, *, id: str | None = None, name: str | None = None
    ) -> DownloadFile:
        return DownloadFile(content=content, file_name=None, media_type="application/zip")

    monkeypatch.setattr(SmscClient, "download_file", download)
    sent: list[MutableMapping[str, Any]] = []
    done = anyio.Event()
    requested = anyio.Event()

    async def receive() -> dict[str, Any]:
        if not requested.is_set():
            requested.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    path = "/v1/download-tasks/72/file"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"facade")],
        "server": ("facade", 80),
        "client": ("127.0.0.1", 1),
    }
    await app(scope, receive, send)

    headers = dict(sent[0]["headers"])
    pieces = [m["body"] for m in sent[1:] if m.get("body")]
    assert sent[0]["status"] == 200
    assert headers[b"content-type"] == b"application/zip"
    assert headers[b"content-disposition"] == b'attachment; filename="download-72.csv"'
    assert b"content-length" not in headers
    assert [len(piece) for piece in pieces] == [FILE_CHUNK_BYTES, FILE_CHUNK_BYTES, 256]
    assert b"".join(pieces) == content


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("a.csv", 'attachment; filename="a.csv"'),
        (
            "Отчёт май.csv",
            "attachment; filename=\"_____ ___.csv\"; filename*=UTF-8''"
            "%D0%9E%D1%82%D1%87%D1%91%D1%82%20%D0%BC%D0%B0%D0%B9.csv",
        ),
        (
            'a"b\\c/d\r\n.csv',
            "attachment; filename=\"a_b_c_d__.csv\"; filename*=UTF-8''a_b_c_d__.csv",
        ),
    ],
)
def test_content_disposition(name: str, header: str) -> None:
    assert content_disposition(name) == header


async def test_the_document_lists_the_routes_and_the_file_types(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()

    paths = document["paths"]
    assert paths["/v1/download-tasks"]["get"]["operationId"] == "listDownloadTasks"
    assert paths["/v1/download-tasks/{id}"]["get"]["operationId"] == "getDownloadTask"
    file = paths["/v1/download-tasks/{id}/file"]["get"]
    assert file["operationId"] == "getDownloadTaskFile"
    assert set(file["responses"]["200"]["content"]) == {"text/csv", "*/*"}
    assert "Content-Disposition" in file["responses"]["200"]["headers"]
    assert "404" in file["responses"]
    assert set(document["components"]["schemas"]["DownloadTask"]["properties"]) == set(
        GRAPHQL_FIELDS.split()
    )
