"""Persisted documents: APQ, `documentId`, manifests in both formats, the allow-list."""

import json
import pathlib
from typing import Any, cast

import pytest

from facade.graphql.persisted import (
    NOT_FOUND,
    REQUIRED,
    PersistedDocuments,
    PersistedError,
    sha256_hex,
)

HELLO = "{ hello }"
JOBS = "query Jobs { jobs { id } }"
SEND = "mutation Send($to: String!) { send(to: $to) { id } }"
OTHER = "{ other }"


def apq(text: str | None = None, *, digest: str | None = None) -> dict[str, Any]:
    """`extensions` as Apollo Client sends them."""
    hashed = digest if digest is not None else sha256_hex(cast("str", text))
    return {"persistedQuery": {"version": 1, "sha256Hash": hashed}}


def refusal(documents: PersistedDocuments, *args: Any) -> PersistedError:
    with pytest.raises(PersistedError) as caught:
        documents.resolve(*args)
    return caught.value


def write(tmp_path: pathlib.Path, data: object) -> pathlib.Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "query ($id: ID!) {\n  user(id: $id) {\n    name\n  }\n}",
            "7dba4bd717b41f10434822356a93c32b1fb4907b983e854300ad839f84cdcd6e",
            id="appendix-a-pretty",
        ),
        pytest.param(
            "query($id:ID!){user(id:$id){name}}",
            "71f7dc5758652baac68e4a10c50be732b741c892ade2883a99358f52b555286b",
            id="appendix-a-compact",
        ),
    ],
)
def test_sha256_hex_matches_the_graphql_over_http_examples(text: str, expected: str) -> None:
    assert sha256_hex(text) == expected


# Plain requests


@pytest.mark.parametrize(
    "extensions",
    [
        pytest.param(None, id="no-extensions"),
        pytest.param({}, id="empty-extensions"),
        pytest.param({"tracing": True}, id="other-extensions"),
        pytest.param({"persistedQuery": None}, id="null-persisted-query"),
    ],
)
def test_a_plain_request_runs_its_query(extensions: dict[str, Any] | None) -> None:
    assert PersistedDocuments().resolve(HELLO, None, extensions) == HELLO


def test_a_plain_request_without_query_is_invalid() -> None:
    error = refusal(PersistedDocuments(), None, None, None)
    assert (error.status, error.code) == (400, "INVALID_INPUT")
    assert error.message == "The `query` parameter must be a string."
    assert str(error) == error.message
    assert repr(error).startswith("PersistedError(400, 'INVALID_INPUT'")


# Automatic persisted queries


@pytest.mark.parametrize("query", [pytest.param(None, id="no-query"), pytest.param("", id="empty")])
def test_apq_unknown_hash_asks_for_the_query_as_apollo_clients_expect(query: str | None) -> None:
    error = refusal(PersistedDocuments(), query, None, apq(HELLO))
    assert (error.status, error.code, error.message) == (200, NOT_FOUND, "PersistedQueryNotFound")


def test_apq_registers_a_query_then_serves_it_by_hash() -> None:
    documents = PersistedDocuments()
    assert documents.resolve(HELLO, None, apq(HELLO)) == HELLO
    assert documents.resolve(None, None, apq(HELLO)) == HELLO
    assert documents.resolve(HELLO, None, apq(HELLO)) == HELLO


def test_apq_refuses_a_hash_that_is_not_the_querys() -> None:
    documents = PersistedDocuments()
    error = refusal(documents, HELLO, None, apq(OTHER))
    assert (error.status, error.code) == (400, "INVALID_INPUT")
    assert "does not match" in error.message
    assert refusal(documents, None, None, apq(OTHER)).code == NOT_FOUND


def test_apq_refuses_a_wrong_hash_for_a_manifest_document() -> None:
    error = refusal(PersistedDocuments({"hello": HELLO}), HELLO, None, apq(OTHER))
    assert (error.status, error.code) == (400, "INVALID_INPUT")


@pytest.mark.parametrize(
    ("persisted_query", "fragment"),
    [
        pytest.param([], "must be an object", id="not-an-object"),
        pytest.param("abc", "must be an object", id="a-string"),
        pytest.param({"sha256Hash": sha256_hex(HELLO)}, "version", id="no-version"),
        pytest.param({"version": 2, "sha256Hash": sha256_hex(HELLO)}, "version", id="version-2"),
        pytest.param({"version": "1", "sha256Hash": sha256_hex(HELLO)}, "version", id="str-1"),
        pytest.param({"version": True, "sha256Hash": sha256_hex(HELLO)}, "version", id="true"),
        pytest.param({"version": 1}, "sha256Hash", id="no-hash"),
        pytest.param({"version": 1, "sha256Hash": 12}, "sha256Hash", id="hash-not-a-string"),
        pytest.param({"version": 1, "sha256Hash": "abc"}, "sha256Hash", id="hash-too-short"),
        pytest.param(
            {"version": 1, "sha256Hash": sha256_hex(HELLO).upper()}, "sha256Hash", id="uppercase"
        ),
    ],
)
def test_apq_refuses_a_malformed_persisted_query(persisted_query: object, fragment: str) -> None:
    extensions = {"persistedQuery": persisted_query}
    for query in (None, HELLO):
        error = refusal(PersistedDocuments(), query, None, extensions)
        assert (error.status, error.code) == (400, "INVALID_INPUT")
        assert fragment in error.message


def test_apq_store_evicts_the_least_recently_used_document() -> None:
    documents = PersistedDocuments(cache_size=2)
    documents.resolve(HELLO, None, apq(HELLO))
    documents.resolve(JOBS, None, apq(JOBS))
    assert documents.resolve(None, None, apq(HELLO)) == HELLO
    documents.resolve(OTHER, None, apq(OTHER))
    assert refusal(documents, None, None, apq(JOBS)).code == NOT_FOUND
    assert documents.resolve(None, None, apq(HELLO)) == HELLO
    assert documents.resolve(None, None, apq(OTHER)) == OTHER


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        pytest.param("{ a_____ }", True, id="at-the-limit"),
        pytest.param("{ a______ }", False, id="one-byte-over"),
        pytest.param("{ a\u00e9____ }", False, id="utf8-bytes-not-characters"),
    ],
)
def test_apq_stores_no_document_over_the_size_limit(text: str, stored: bool) -> None:
    documents = PersistedDocuments(max_document_bytes=10)
    assert documents.resolve(text, None, apq(text)) == text
    if stored:
        assert documents.resolve(None, None, apq(text)) == text
    else:
        assert refusal(documents, None, None, apq(text)).code == NOT_FOUND


def test_apq_with_a_zero_cache_checks_but_stores_nothing() -> None:
    documents = PersistedDocuments(cache_size=0)
    assert documents.resolve(HELLO, None, apq(HELLO)) == HELLO
    assert refusal(documents, None, None, apq(HELLO)).code == NOT_FOUND
    assert refusal(documents, HELLO, None, apq(OTHER)).status == 400


# Persisted documents by id


def test_document_id_resolves_a_manifest_id() -> None:
    documents = PersistedDocuments({"jobs-v1": JOBS, "x-app:send": SEND})
    assert documents.resolve(None, "jobs-v1", None) == JOBS
    assert documents.resolve(None, "x-app:send", None) == SEND


@pytest.mark.parametrize(
    "document_id",
    [
        pytest.param(f"sha256:{sha256_hex(JOBS)}", id="prefixed"),
        pytest.param(sha256_hex(JOBS), id="bare-hex"),
    ],
)
def test_document_id_reaches_a_manifest_document_by_its_hash(document_id: str) -> None:
    assert PersistedDocuments({"jobs-v1": JOBS}).resolve(None, document_id, None) == JOBS


def test_document_id_reaches_an_apq_document_by_its_hash() -> None:
    documents = PersistedDocuments()
    documents.resolve(HELLO, None, apq(HELLO))
    assert documents.resolve(None, f"sha256:{sha256_hex(HELLO)}", None) == HELLO


def test_document_id_wins_over_extensions() -> None:
    documents = PersistedDocuments({"jobs-v1": JOBS})
    assert documents.resolve(None, "jobs-v1", apq(digest="0" * 64)) == JOBS


def test_document_id_takes_an_empty_query_for_none() -> None:
    assert PersistedDocuments({"jobs-v1": JOBS}).resolve("", "jobs-v1", None) == JOBS


@pytest.mark.parametrize(
    "document_id",
    [
        pytest.param("jobs-v2", id="unknown-id"),
        pytest.param(f"sha256:{sha256_hex(OTHER)}", id="unknown-hash"),
    ],
)
def test_document_id_unknown_is_not_found(document_id: str) -> None:
    error = refusal(PersistedDocuments({"jobs-v1": JOBS}), None, document_id, None)
    assert (error.status, error.code) == (404, NOT_FOUND)
    assert document_id in error.message


@pytest.mark.parametrize(
    ("query", "document_id", "fragment"),
    [
        pytest.param(None, "", "non-empty string", id="empty"),
        pytest.param(None, 42, "non-empty string", id="not-a-string"),
        pytest.param(None, "sha256:ABC", "64 lowercase", id="malformed-sha256"),
        pytest.param(JOBS, "jobs-v1", "not both", id="with-query"),
    ],
)
def test_document_id_refuses_a_malformed_request(
    query: str | None, document_id: object, fragment: str
) -> None:
    documents = PersistedDocuments({"jobs-v1": JOBS})
    error = refusal(documents, query, document_id, None)
    assert (error.status, error.code) == (400, "INVALID_INPUT")
    assert fragment in error.message


# Allow-list mode


@pytest.fixture
def allowed() -> PersistedDocuments:
    return PersistedDocuments({"jobs-v1": JOBS, sha256_hex(SEND): SEND}, only_allowed=True)


def test_allow_list_runs_the_full_text_of_an_allowed_document(allowed: PersistedDocuments) -> None:
    assert allowed.resolve(JOBS, None, None) == JOBS
    assert allowed.resolve(SEND, None, {}) == SEND


def test_allow_list_refuses_any_other_text(allowed: PersistedDocuments) -> None:
    error = refusal(allowed, OTHER, None, None)
    assert (error.status, error.code) == (403, REQUIRED)
    assert refusal(allowed, None, None, None).code == "INVALID_INPUT"


def test_allow_list_runs_manifest_documents_by_id_and_hash(allowed: PersistedDocuments) -> None:
    assert allowed.resolve(None, "jobs-v1", None) == JOBS
    assert allowed.resolve(None, f"sha256:{sha256_hex(SEND)}", None) == SEND
    assert allowed.resolve(None, None, apq(JOBS)) == JOBS
    assert allowed.resolve(JOBS, None, apq(JOBS)) == JOBS
    assert refusal(allowed, None, "jobs-v2", None).status == 404


def test_allow_list_refuses_apq_registration(allowed: PersistedDocuments) -> None:
    assert refusal(allowed, None, None, apq(OTHER)).status == 200
    error = refusal(allowed, OTHER, None, apq(OTHER))
    assert (error.status, error.code) == (403, REQUIRED)
    assert "registered" in error.message
    assert refusal(allowed, None, None, apq(OTHER)).code == NOT_FOUND
    assert refusal(allowed, None, f"sha256:{sha256_hex(OTHER)}", None).status == 404


def test_allow_list_checks_the_hash_of_an_allowed_document(allowed: PersistedDocuments) -> None:
    error = refusal(allowed, JOBS, None, apq(SEND))
    assert (error.status, error.code) == (400, "INVALID_INPUT")


def test_allow_list_needs_a_manifest() -> None:
    with pytest.raises(ValueError, match="at least one document"):
        PersistedDocuments(only_allowed=True)


# Manifests


def test_flat_manifest_loads_ids_and_hashes(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, {f"sha256:{sha256_hex(JOBS)}": JOBS, "d41d8cd9": SEND})
    documents = PersistedDocuments.from_file(path, only_allowed=True)
    assert documents.resolve(None, f"sha256:{sha256_hex(JOBS)}", None) == JOBS
    assert documents.resolve(None, "d41d8cd9", None) == SEND
    assert documents.resolve(None, None, apq(SEND)) == SEND
    assert documents.resolve(SEND, None, None) == SEND


def test_apollo_manifest_loads_operations(tmp_path: pathlib.Path) -> None:
    operations = [
        {"id": sha256_hex(JOBS), "name": "Jobs", "type": "query", "body": JOBS},
        {"id": sha256_hex(SEND), "name": "Send", "type": "mutation", "body": SEND},
    ]
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
    documents = PersistedDocuments.from_file(write(tmp_path, manifest), cache_size=1)
    assert documents.resolve(None, sha256_hex(SEND), None) == SEND
    assert documents.resolve(None, None, apq(JOBS)) == JOBS
    assert documents.resolve(None, f"sha256:{sha256_hex(SEND)}", None) == SEND


def apollo(*operations: object, version: object = 1) -> dict[str, object]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": version,
        "operations": list(operations),
    }


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param([JOBS], "must be a JSON object", id="a-list"),
        pytest.param({"jobs": 1}, "'jobs': the body must be a string", id="body-not-a-string"),
        pytest.param({"jobs": "  "}, "'jobs': an empty id or body", id="empty-body"),
        pytest.param({"": JOBS}, "an empty id or body", id="empty-id"),
        pytest.param(
            {sha256_hex(SEND): JOBS}, "not the SHA-256 of its body", id="bare-hash-mismatch"
        ),
        pytest.param(
            {f"sha256:{sha256_hex(SEND)}": JOBS}, "not the SHA-256", id="prefixed-hash-mismatch"
        ),
        pytest.param({"sha256:abc": JOBS}, "not sha256:<64 hex>", id="malformed-sha256-id"),
        pytest.param(apollo(version=2), "only version 1", id="apollo-version-2"),
        pytest.param(
            {"format": "apollo-persisted-query-manifest", "version": 1},
            "`operations` must be a list",
            id="apollo-no-operations",
        ),
        pytest.param(apollo("jobs"), r"operations\[0\] must be an object", id="apollo-op-string"),
        pytest.param(
            apollo({"id": "a", "body": JOBS}, {"id": "b"}),
            r"operations\[1\]: `id` and `body` must be strings",
            id="apollo-no-body",
        ),
        pytest.param(
            apollo({"id": "a", "type": "fragment", "body": JOBS}),
            "`type` must be query, mutation or subscription",
            id="apollo-bad-type",
        ),
        pytest.param(
            apollo({"id": "a", "body": JOBS}, {"id": "a", "body": SEND}),
            r"operations\[1\]: the id 'a' is used by another body",
            id="apollo-duplicate-id",
        ),
        pytest.param(
            apollo({"id": sha256_hex(SEND), "type": "query", "body": JOBS}),
            "not the SHA-256",
            id="apollo-hash-mismatch",
        ),
    ],
)
def test_manifest_errors_name_the_file_and_the_problem(
    tmp_path: pathlib.Path, data: object, fragment: str
) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ValueError, match=fragment) as caught:
        PersistedDocuments.from_file(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_manifest_file_missing(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="cannot read the manifest: No such file"):
        PersistedDocuments.from_file(tmp_path / "absent.json")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"jobs": ', id="truncated"),
        pytest.param(b'{"jobs": "\xff"}', id="not-utf8"),
    ],
)
def test_manifest_file_not_json(tmp_path: pathlib.Path, content: bytes) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="the manifest is not UTF-8 JSON"):
        PersistedDocuments.from_file(path)


def test_manifest_empty_file_in_allow_list_mode(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="at least one document"):
        PersistedDocuments.from_file(write(tmp_path, {}), only_allowed=True)


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        PersistedDocuments(cache_size=-1)
    with pytest.raises(ValueError, match="must not be negative"):
        PersistedDocuments(max_document_bytes=-1)
