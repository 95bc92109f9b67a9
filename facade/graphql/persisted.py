"""Persisted GraphQL documents: Apollo's APQ, `documentId` requests and a manifest allow-list.

`PersistedDocuments.resolve` turns a request's `query`, `documentId` and `extensions` into the
document text to execute, or raises `PersistedError(status, code, message)`:

- APQ (https://www.apollographql.com/docs/apollo-server/performance/apq):
  `extensions.persistedQuery` is `{"version": 1, "sha256Hash": <64 lowercase hex>}`. An unknown
  hash without `query` is 200 `PersistedQueryNotFound` (PERSISTED_QUERY_NOT_FOUND), Apollo's
  convention: Apollo Client, urql and graphql-request retry with the full query on that message or
  code, and older Apollo links turned APQ off for good on a 400 or 500. With `query`, the hash
  must be the query's (else 400) and the query is kept in a bounded LRU. An empty `query` counts
  as none, as in Apollo Server.
- Persisted documents (GraphQL over HTTP, Appendix A, https://github.com/graphql/graphql-over-http/blob/persisted-documents/spec/Appendix%20A%20--%20Persisted%20Documents.md):
  `documentId` is a manifest id or `sha256:<hex>`. The appendix only asks for a response with a
  single error when the document is unknown; 404 PERSISTED_QUERY_NOT_FOUND follows Apollo Router
  (https://github.com/apollographql/router/pull/4887), since these clients have no full text to
  retry with. `documentId` with a non-empty `query` is 400.
- Allow-list (`only_allowed`): only manifest documents run. The full text of one is still
  accepted; other text is 403 PERSISTED_DOCUMENT_REQUIRED (understood, refused by policy, RFC 9110
  §15.5.4; Apollo Router's safelist answers the same), and APQ registers nothing new.
- A malformed request (wrong types, APQ version other than 1, a bad hash) is 400 INVALID_INPUT.
"""

import hashlib
import json
import pathlib
import re
from collections.abc import Mapping
from typing import Any, Final

import cachetools

from facade.errors import ErrorCode

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "DEFAULT_MAX_DOCUMENT_BYTES",
    "NOT_FOUND",
    "REQUIRED",
    "PersistedDocuments",
    "PersistedError",
    "sha256_hex",
]

# Documents registered by automatic persisted queries: at most this many, this large (10 MB in
# all); a larger one still runs, sent whole each time.
DEFAULT_CACHE_SIZE: Final = 500
DEFAULT_MAX_DOCUMENT_BYTES: Final = 20_000
NOT_FOUND: Final = "PERSISTED_QUERY_NOT_FOUND"
REQUIRED: Final = "PERSISTED_DOCUMENT_REQUIRED"
_INVALID: Final = ErrorCode.INVALID_INPUT.value
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_SHA256_PREFIX: Final = "sha256:"
_APOLLO_FORMAT: Final = "apollo-persisted-query-manifest"
_OPERATION_TYPES: Final = frozenset({"query", "mutation", "subscription"})


class PersistedError(Exception):
    """The request names no runnable document; answer `status` with one error carrying `code`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"PersistedError({self.status!r}, {self.code!r}, {self.message!r})"


def sha256_hex(text: str) -> str:
    """The lowercase hex SHA-256 of `text` as UTF-8: APQ's `sha256Hash`, Appendix A's payload."""
    return hashlib.sha256(text.encode()).hexdigest()


def _invalid(message: str) -> PersistedError:
    return PersistedError(400, _INVALID, message)


def _id_hash(document_id: str) -> str | None:
    """The SHA-256 a document id claims: `sha256:<hex>` (Appendix A) or a bare 64-hex id (Apollo)."""
    payload = document_id.removeprefix(_SHA256_PREFIX)
    return payload if _HEX64.fullmatch(payload) else None


class PersistedDocuments:
    """Resolves persisted-document requests against a manifest and an APQ store (not thread-safe:
    one event loop). `cache_size` documents of at most `max_document_bytes` are kept by APQ."""

    def __init__(
        self,
        manifest: Mapping[str, str] | None = None,
        *,
        only_allowed: bool = False,
        cache_size: int = DEFAULT_CACHE_SIZE,
        max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    ) -> None:
        if cache_size < 0 or max_document_bytes < 0:
            raise ValueError("cache_size and max_document_bytes must not be negative")
        self._manifest = dict(manifest or {})
        if only_allowed and not self._manifest:
            raise ValueError("only_allowed needs a manifest with at least one document")
        self._hash_of: dict[str, str] = {}
        for document_id, body in self._manifest.items():
            if not document_id or not body.strip():
                raise ValueError(f"persisted document {document_id!r}: an empty id or body")
            digest = self._hash_of.setdefault(body, sha256_hex(body))
            if document_id.startswith(_SHA256_PREFIX) and _id_hash(document_id) is None:
                raise ValueError(f"persisted document {document_id!r}: not sha256:<64 hex>")
            claimed = _id_hash(document_id)
            if claimed is not None and claimed != digest:
                raise ValueError(
                    f"persisted document {document_id!r}: the id is not the SHA-256 of its body"
                    f" ({digest})"
                )
        self._by_hash = {digest: body for body, digest in self._hash_of.items()}
        self._only_allowed = only_allowed
        self._max_document_bytes = max_document_bytes
        self._store: cachetools.LRUCache[str, str] = cachetools.LRUCache(maxsize=cache_size)

    @classmethod
    def from_file(
        cls, path: pathlib.Path, *, only_allowed: bool = False, **kw: Any
    ) -> "PersistedDocuments":
        """Load a manifest: a JSON object of id → document (GraphQL Codegen, Relay), or Apollo's
        `persisted-query-manifest.json`. Any problem is a `ValueError` naming the file."""
        try:
            data = json.loads(path.read_bytes())
        except OSError as exc:
            raise ValueError(f"{path}: cannot read the manifest: {exc.strerror}") from exc
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise ValueError(f"{path}: the manifest is not UTF-8 JSON: {exc}") from exc
        try:
            return cls(_parse_manifest(data), only_allowed=only_allowed, **kw)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    def resolve(
        self, query: str | None, document_id: str | None, extensions: Mapping[str, Any] | None
    ) -> str:
        """The document text to execute; `PersistedError` when there is none to run."""
        persisted_query = None if extensions is None else extensions.get("persistedQuery")
        if document_id is None and persisted_query is None:
            if query is None:
                raise _invalid("The `query` parameter must be a string.")
            if not self._only_allowed or query in self._hash_of:
                return query
            raise PersistedError(403, REQUIRED, "Only persisted documents may run here.")
        if document_id is not None:
            return self._by_document_id(query, document_id)
        return self._by_apq(query, _apq_hash(persisted_query))

    def _by_document_id(self, query: str | None, document_id: object) -> str:
        if not isinstance(document_id, str) or not document_id:
            raise _invalid("The `documentId` parameter must be a non-empty string.")
        if query:
            raise _invalid("Send either `query` or `documentId`, not both.")
        if document_id.startswith(_SHA256_PREFIX) and _id_hash(document_id) is None:
            raise _invalid("A `sha256:` document id needs 64 lowercase hexadecimal characters.")
        body = self._manifest.get(document_id)
        if body is None and (digest := _id_hash(document_id)) is not None:
            body = self._by_hash.get(digest) or self._store.get(digest)
        if body is None:
            raise PersistedError(404, NOT_FOUND, f"Unknown persisted document {document_id!r}.")
        return body

    def _by_apq(self, query: str | None, claimed: str) -> str:
        if not query:
            body = self._by_hash.get(claimed) or self._store.get(claimed)
            if body is None:
                raise PersistedError(200, NOT_FOUND, "PersistedQueryNotFound")
            return body
        if query in (self._by_hash.get(claimed), self._store.get(claimed)):
            return query  # its hash was checked when it was stored
        digest = self._hash_of.get(query)
        if digest is None:
            if self._only_allowed:
                raise PersistedError(
                    403, REQUIRED, "Only persisted documents may run here; none can be registered."
                )
            data = query.encode()
            digest = hashlib.sha256(data).hexdigest()
            if digest == claimed and len(data) <= self._max_document_bytes and self._store.maxsize:
                self._store[digest] = query
        if digest != claimed:
            raise _invalid("The persisted query's sha256Hash does not match the query.")
        return query


def _apq_hash(persisted_query: object) -> str:
    """`extensions.persistedQuery`'s hash, checked as Apollo's APQ protocol defines it."""
    if not isinstance(persisted_query, Mapping):
        raise _invalid("`extensions.persistedQuery` must be an object.")
    version = persisted_query.get("version")
    if isinstance(version, bool) or version != 1:
        raise _invalid("Unsupported persisted query version; only version 1 is supported.")
    digest = persisted_query.get("sha256Hash")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise _invalid("`extensions.persistedQuery.sha256Hash` must be 64 lowercase hex digits.")
    return digest


def _parse_manifest(data: object) -> dict[str, str]:
    """Apollo's manifest (written by `@apollo/generate-persisted-query-manifest` and Apollo
    Kotlin/iOS) or a flat JSON object of id → document text (GraphQL Codegen, Relay)."""
    if not isinstance(data, dict):
        raise ValueError("the manifest must be a JSON object")
    if data.get("format") != _APOLLO_FORMAT:
        bad = next((key for key, body in data.items() if not isinstance(body, str)), None)
        if bad is not None:
            raise ValueError(f"persisted document {bad!r}: the body must be a string")
        return data
    if data.get("version") != 1:
        raise ValueError(f"{_APOLLO_FORMAT}: only version 1 is supported")
    operations = data.get("operations")
    if not isinstance(operations, list):
        raise ValueError(f"{_APOLLO_FORMAT}: `operations` must be a list")
    manifest: dict[str, str] = {}
    for index, operation in enumerate(operations):
        where = f"operations[{index}]"
        if not isinstance(operation, dict):
            raise ValueError(f"{where} must be an object")
        document_id, body = operation.get("id"), operation.get("body")
        if not isinstance(document_id, str) or not isinstance(body, str):
            raise ValueError(f"{where}: `id` and `body` must be strings")
        if operation.get("type", "query") not in _OPERATION_TYPES:
            raise ValueError(f"{where}: `type` must be query, mutation or subscription")
        if manifest.setdefault(document_id, body) != body:
            raise ValueError(f"{where}: the id {document_id!r} is used by another body")
    return manifest
