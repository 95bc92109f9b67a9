"""Answers kept for repeated identical queries, so a repeat is served without executing again.

Frontends send the same few queries over and over, and the facade already holds the data behind
them. A query's answer is a pure function of its request (document, variables, operation name,
media type), of who asks (account and scopes) and of the SMSC reads it was built from; the HTTP
view (`http.py`) keeps it in a `DerivedCache` under the first four, with those reads, and serves
it while every one of them is still the cached entry it was built from, and fresh
(`facade.upstream.reads`). A write, an invalidation, a refresh or an expiry of any of them ends
the answer with it.

Only clean answers are kept: a query (never a mutation), without errors, whose only extension
is the freshness one, from tracked fresh reads. The freshness extension is written anew on each
serve (`status` "hit", `age` from the entries), so it stays as true as on a full execution.
"""

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from facade.graphql.context import Context
from facade.graphql.media import encode_json
from facade.upstream.exchange import Freshness
from facade.upstream.reads import DerivedCache, Read

# Answers kept per process, by their size (`Answer.size`); one larger than MAX_ANSWER is not kept.
MAX_ANSWERS_BYTES: Final = 32 << 20
MAX_ANSWER_BYTES: Final = 1 << 20
ENTRY_OVERHEAD: Final = 1024

AnswerKey = tuple[str, bytes, str, object]
_HIT: Final = Freshness.HIT.value


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """A query's answer without its extensions (its `data`, encoded), and the reads behind each
    top-level field."""

    data: bytes
    fields: tuple[tuple[str, tuple[Read, ...]], ...]
    key_bytes: int = 0  # the request's own bytes, which its key holds
    operation: str = "none"  # what metrics call it (`documents.operation_label`)

    def size(self) -> int:
        """What keeping it costs: the answer, the request that keys it, and a fixed overhead
        for the objects around them, so that many tiny answers cannot grow memory either."""
        return len(self.data) + self.key_bytes + ENTRY_OVERHEAD

    def body(self) -> bytes:
        """The response body as a full execution would encode it now (`encode_json`)."""
        if not self.fields:
            return b'{"data":' + self.data + b"}"
        # Response keys are GraphQL names ([_A-Za-z][_0-9A-Za-z]*): nothing to escape, and a
        # float's repr is how `json` writes it.
        freshness = ",".join(
            f'"{name}":{{"status":"{_HIT}","age":{round(max(r.age() for r in reads), 3)!r}}}'
            for name, reads in self.fields
        )
        return (
            b'{"data":' + self.data + b',"extensions":{"freshness":{' + freshness.encode() + b"}}}"
        )


def answers_cache() -> DerivedCache[AnswerKey, Answer]:
    return DerivedCache(maxsize=MAX_ANSWERS_BYTES, max_item=MAX_ANSWER_BYTES)


def keepable(result: ExecutionResult, context: object) -> Answer | None:
    """The answer to keep for a query's result, or None when it may not be kept."""
    if (
        not isinstance(context, Context)
        or context.operation is not OperationType.QUERY
        or result.errors
        or result.data is None
        or set(result.extensions or {}) - {"freshness"}
    ):
        return None
    fields = _fields(context.freshness, context.field_reads)
    if fields is None:
        return None
    return Answer(encode_json(result.data), fields)


def _fields(
    freshness: Mapping[str, object], field_reads: Mapping[str, Sequence[Read]]
) -> tuple[tuple[str, tuple[Read, ...]], ...] | None:
    """Each reported field's reads, in the extension's order; None if one has none to age by."""
    fields = []
    for name in freshness:
        behind = tuple(field_reads.get(name, ()))
        if not behind:
            return None
        fields.append((name, behind))
    return tuple(fields)


class RecordOperation(SchemaExtension):
    """Notes the executed operation's type on the context: only queries' answers are kept."""

    def on_execute(self) -> Iterator[None]:
        context: Any = self.execution_context.context
        if isinstance(context, Context):
            context.operation = self.execution_context.operation_type
        yield
