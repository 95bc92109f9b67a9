"""Persisted documents through /graphql: APQ, `documentId`, and the production allow-list."""

import json
import pathlib
import urllib.parse
from typing import Any

import httpx
import pytest

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.errors import ConfigError
from facade.graphql.persisted import sha256_hex
from facade.settings import Settings
from tests.production import production

pytestmark = pytest.mark.anyio

TEMPLATES = "{ templates { id name } }"
GROUPS = "{ groups { id name } }"


def _apq(query_hash: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": query_hash}}


async def test_apq_asks_for_the_text_once_then_runs_by_hash(tmp_path: pathlib.Path) -> None:
    async with production(tmp_path) as service:
        headers = {"Authorization": f"Bearer {service.tokens[Scope.READ]}"}
        digest = sha256_hex(TEMPLATES)
        unknown = await service.client.post(
            "/graphql", json={"extensions": _apq(digest)}, headers=headers
        )
        assert unknown.status_code == 200
        assert unknown.json() == {
            "errors": [
                {
                    "message": "PersistedQueryNotFound",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                }
            ]
        }
        registered = await service.client.post(
            "/graphql", json={"query": TEMPLATES, "extensions": _apq(digest)}, headers=headers
        )
        assert registered.status_code == 200
        by_hash = await service.client.post(
            "/graphql", json={"extensions": _apq(digest)}, headers=headers
        )
        assert by_hash.status_code == 200
        assert by_hash.json()["data"] == registered.json()["data"]


async def test_a_hash_that_is_not_the_querys_is_refused(tmp_path: pathlib.Path) -> None:
    async with production(tmp_path) as service:
        headers = {"Authorization": f"Bearer {service.tokens[Scope.READ]}"}
        response = await service.client.post(
            "/graphql",
            json={"query": TEMPLATES, "extensions": _apq(sha256_hex(GROUPS))},
            headers=headers,
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_no_token_is_refused_before_a_persisted_document_is_looked_up(
    tmp_path: pathlib.Path,
) -> None:
    async with production(tmp_path) as service:
        response = await service.client.post(
            "/graphql", json={"extensions": _apq(sha256_hex(TEMPLATES))}
        )
        assert response.status_code == 401


def _manifest(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(
        json.dumps({"listTemplates": TEMPLATES, f"sha256:{sha256_hex(GROUPS)}": GROUPS})
    )
    return path


async def test_the_allow_list_runs_its_documents_by_id_hash_or_text_and_nothing_else(
    tmp_path: pathlib.Path,
) -> None:
    environ = {"FACADE_PERSISTED_DOCUMENTS": str(_manifest(tmp_path)), "FACADE_PERSISTED_ONLY": "1"}
    async with production(tmp_path, environ=environ) as service:
        headers = {"Authorization": f"Bearer {service.tokens[Scope.READ]}"}

        async def post(body: dict[str, Any]) -> httpx.Response:
            return await service.client.post("/graphql", json=body, headers=headers)

        by_id = await post({"documentId": "listTemplates"})
        by_sha = await post({"documentId": f"sha256:{sha256_hex(GROUPS)}"})
        by_apq = await post({"extensions": _apq(sha256_hex(TEMPLATES))})
        by_text = await post({"query": TEMPLATES})
        for allowed in (by_id, by_sha, by_apq, by_text):
            assert allowed.status_code == 200, allowed.text
            assert "errors" not in allowed.json()
        assert by_id.json()["data"] == by_text.json()["data"]
        other = await post({"query": "{ blacklist { id } }"})
        assert other.status_code == 403
        assert other.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_REQUIRED"
        unknown = await post({"documentId": "nope"})
        assert unknown.status_code == 404
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_document_id_over_get(tmp_path: pathlib.Path) -> None:
    environ = {"FACADE_PERSISTED_DOCUMENTS": str(_manifest(tmp_path)), "FACADE_GRAPHQL_GET": "1"}
    async with production(tmp_path, environ=environ) as service:
        headers = {"Authorization": f"Bearer {service.tokens[Scope.READ]}"}
        query = urllib.parse.urlencode({"documentId": "listTemplates"})
        response = await service.client.get(f"/graphql?{query}", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["templates"]


async def test_a_request_without_query_or_document_is_still_400() -> None:
    app = create_app(Settings.from_env({}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        for body in ({}, {"query": 5}, {"documentId": 5}, {"extensions": {"x": 1}}):
            response = await client.post("/graphql", json=body)
            assert response.status_code == 400, (body, response.text)


def test_the_allow_list_needs_a_manifest_and_a_bad_manifest_is_a_configuration_error(
    tmp_path: pathlib.Path,
) -> None:
    with pytest.raises(ConfigError, match="FACADE_PERSISTED_ONLY"):
        Settings.from_env({"FACADE_PERSISTED_ONLY": "1"})
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="FACADE_PERSISTED_DOCUMENTS"):
        Settings.from_env({"FACADE_PERSISTED_DOCUMENTS": str(bad)})
    with pytest.raises(ConfigError, match="FACADE_PERSISTED_DOCUMENTS"):
        Settings.from_env({"FACADE_PERSISTED_DOCUMENTS": str(tmp_path / "missing.json")})
