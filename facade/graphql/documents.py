"""Each distinct document parsed and checked once: a bounded cache of documents found valid.

Clients send the same few documents with different variables. Parsing and validating one costs
more than executing it from the cache (validation alone is about half of a small query's
time), so a document that parsed and passed every check (`limits.py`'s shape limits and
graphql-core's validation, with the schema's rules) is kept, per schema, and a repeat of its
text skips both. Documents that failed are not kept: their errors are built anew each time.
Only texts up to `MAX_KEPT_CHARS` are kept, at most `KEPT_DOCUMENTS` of them (LRU).
"""

from collections.abc import Iterator
from typing import Final

import cachetools
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from strawberry.extensions import SchemaExtension

from facade.graphql.limits import MAX_TOKENS

KEPT_DOCUMENTS: Final = 512
MAX_KEPT_CHARS: Final = 10_000

# (schema, document text) -> the parsed document, valid against that schema.
_valid: cachetools.LRUCache[tuple[object, str], DocumentNode] = cachetools.LRUCache(KEPT_DOCUMENTS)


class CheckedDocuments(SchemaExtension):
    """Comes before the other extensions that check documents: a kept document skips them."""

    _kept = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            kept = _valid.get((context.schema, context.query))
            if kept is not None:
                context.graphql_document = kept
                self._kept = True
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self._kept:
            context.pre_execution_errors = []
        yield
        if (
            not self._kept
            and context.pre_execution_errors == []
            and context.graphql_document is not None
            and context.query is not None
            and len(context.query) <= MAX_KEPT_CHARS
        ):
            _valid[(context.schema, context.query)] = context.graphql_document


# Operations per document text, for the texts kept above too.
_operations: cachetools.LRUCache[str, int] = cachetools.LRUCache(KEPT_DOCUMENTS)


def operation_count(document: str) -> int:
    """How many operations `document` defines; 0 when it does not parse (execution says why).

    GraphQL spec, "GetOperation(document, operationName)": without a name, the document must
    define exactly one operation; otherwise it is a request error (GraphQL over HTTP answers
    it 400 under `application/graphql-response+json`).
    """
    known = _operations.get(document)
    if known is not None:
        return known
    try:
        parsed = parse(document, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return 0
    count = sum(isinstance(d, OperationDefinitionNode) for d in parsed.definitions)
    if len(document) <= MAX_KEPT_CHARS:
        _operations[document] = count
    return count


# What metrics call an operation (`OPERATION_KEY`): its type and its first root field, a name the
# schema defines, so that labels stay a bounded set whatever clients send (never `operationName`).
INVALID_OPERATION: Final = "invalid"
_META_FIELDS: Final = frozenset({"__typename", "__schema", "__type"})
_labels: cachetools.LRUCache[tuple[object, str, str | None], str] = cachetools.LRUCache(
    KEPT_DOCUMENTS
)


def operation_label(schema: GraphQLSchema, document: str, operation_name: str | None) -> str:
    """`query templates`, `mutation createJob`: the operation `document` runs, by its type and
    first root field; `invalid` when there is none the schema knows."""
    key = (schema, document, operation_name)
    known = _labels.get(key)
    if known is not None:
        return known
    label = _label(schema, document, operation_name)
    if len(document) <= MAX_KEPT_CHARS:
        _labels[key] = label
    return label


def _label(schema: GraphQLSchema, document: str, operation_name: str | None) -> str:
    try:
        parsed = parse(document, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return INVALID_OPERATION
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return INVALID_OPERATION
    operation = chosen[0]
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name in _META_FIELDS or (root is not None and name in root.fields):
                return f"{operation.operation.value} {name}"
    return INVALID_OPERATION
