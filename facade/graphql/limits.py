"""Abuse limits every operation meets before any resolver runs: size, shape, suggestions.

The body size is enforced by the HTTP view (`facade.graphql.http`) before the body is parsed;
everything else here is a strawberry extension, so the GraphQL-over-HTTP view answers the
rejections as request errors (400 without `data`).
"""

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension

__all__ = [
    "MAX_ALIASES",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_DIRECTIVES",
    "MAX_REPEATS",
    "MAX_TOKENS",
    "Shape",
    "abuse_extensions",
    "measure",
    "shape_errors",
]

# The standard introspection query (graphql-js `getIntrospectionQuery`, which GraphiQL sends,
# and graphql-core's) is 15 fields deep: __schema types fields args type, ofType nine times, name.
# Our own types nest three deep at most.
MAX_DEPTH = 15
MAX_ALIASES = 30
# One response key selected this often in one selection set (fragments included) is the
# "field duplication" attack; a fair query repeats a key once per union member (five at most)
# or per fragment that needs it.
MAX_REPEATS = 20
# Directives on one node: an executable location takes @skip, @include, @defer and @stream
# (graphql-core's), none of them repeatable; ten `@aa` is the "directive overloading" attack.
MAX_DIRECTIVES = 4
MAX_TOKENS = 5000
# Decimal kilobytes: a 100 KiB body is already over.
MAX_BODY_BYTES = 100_000

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class Shape(NamedTuple):
    """What `measure` finds in an operation."""

    depth: int
    aliases: int
    repeats: int = 0  # the most often one response key is selected in one selection set
    repeated: str | None = None  # that key


class _Measured(NamedTuple):
    depth: int
    aliases: int
    keys: Counter[str]  # the response keys this selection set selects, fragments included
    worst: tuple[int, str | None]  # (repeats, key) in this selection set or below it


_EMPTY = _Measured(0, 0, Counter(), (0, None))


class _Shape:
    """Depth, aliases and repeated keys of selection sets, each fragment measured once.

    A fragment spread inside itself (which `NoFragmentCyclesRule` reports) and an unknown
    fragment (`KnownFragmentNamesRule`) measure as empty; validation reports them.
    """

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._definitions = fragments
        self._fragments: dict[str, _Measured] = {}

    def of(self, selection_set: SelectionSetNode | None) -> _Measured:
        depth = aliases = 0
        keys: Counter[str] = Counter()
        worst: tuple[int, str | None] = (0, None)
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                inner = self.of(selection.selection_set)
                depth = max(depth, 1 + inner.depth)
                aliases += inner.aliases + (selection.alias is not None)
                keys[(selection.alias or selection.name).value] += 1
            else:
                if isinstance(selection, InlineFragmentNode):
                    inner = self.of(selection.selection_set)
                else:
                    spread = cast("FragmentSpreadNode", selection)
                    inner = self._fragment(spread.name.value)
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                keys.update(inner.keys)
            worst = max(worst, inner.worst, key=_count)
        if keys:
            key, repeats = keys.most_common(1)[0]
            worst = max(worst, (repeats, key), key=_count)
        return _Measured(depth, aliases, keys, worst)

    def _fragment(self, name: str) -> _Measured:
        if name not in self._fragments:
            self._fragments[name] = _EMPTY
            fragment = self._definitions.get(name)
            self._fragments[name] = self.of(fragment.selection_set if fragment else None)
        return self._fragments[name]


def _count(worst: tuple[int, str | None]) -> int:
    return worst[0]


def measure(document: DocumentNode, operation: OperationDefinitionNode) -> Shape:
    """The operation's depth (every field counts, introspection too), aliases and repeats.

    Fragments count where they are spread, as often as they are spread. A document nested past
    the interpreter's recursion limit measures as infinitely deep.
    """
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
    try:
        found = _Shape(fragments).of(operation.selection_set)
    except RecursionError:
        return Shape(MAX_DEPTH + 1, 0)
    return Shape(found.depth, found.aliases, *found.worst)


class _MostDirectives(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.most: Node | None = None
        self.count = 0

    def enter(self, node: Node, *_args: Any) -> None:
        count = len(getattr(node, "directives", None) or ())
        if count > self.count:
            self.most, self.count = node, count


def shape_errors(document: DocumentNode) -> list[GraphQLError]:
    """Every limit the document exceeds, each as one error; empty when it is fair."""
    errors: list[GraphQLError] = []
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        shape = measure(document, node)
        if shape.depth > MAX_DEPTH:
            errors.append(
                GraphQLError(f"Query depth {shape.depth} exceeds the maximum of {MAX_DEPTH}.", node)
            )
        if shape.aliases > MAX_ALIASES:
            errors.append(
                GraphQLError(
                    f"Query uses {shape.aliases} aliases; the maximum is {MAX_ALIASES}.", node
                )
            )
        if shape.repeats > MAX_REPEATS:
            errors.append(
                GraphQLError(
                    f"Query selects `{shape.repeated}` {shape.repeats} times in one selection "
                    f"set; the maximum is {MAX_REPEATS}.",
                    node,
                )
            )
    directives = _MostDirectives()
    visit(document, directives)
    if directives.count > MAX_DIRECTIVES:
        errors.append(
            GraphQLError(
                f"Query puts {directives.count} directives on one node; "
                f"the maximum is {MAX_DIRECTIVES}.",
                directives.most,
            )
        )
    return errors


class QueryShapeLimit(SchemaExtension):
    """Refuses an operation over `MAX_DEPTH`, `MAX_ALIASES`, `MAX_REPEATS` or `MAX_DIRECTIVES`.

    The check runs before graphql-core validates the document and, when it fails, replaces
    validation (strawberry skips its own once `pre_execution_errors` is set): an abusive
    document costs one walk over it, and its answer is the limit alone, not one validation
    error per duplicated directive. Unlike strawberry's `QueryDepthLimiter`, introspection
    fields count: the `__schema { types { fields { type { ofType ... } } } }` attack is deep too.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = shape_errors(context.graphql_document) or None
        yield


class TokenLimit(SchemaExtension):
    """Stops the parser after `MAX_TOKENS` tokens, comments included (graphql-core `parse`)."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield


class HideSuggestions(SchemaExtension):
    """Drops graphql-core's "Did you mean ...?" hints, which let a stranger map the schema.

    Strawberry's `disable_field_suggestions` covers only unknown fields; this covers every
    message (arguments, types, enum values, input fields, variables).
    """

    def on_operation(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or ():
            error.message = _SUGGESTION.sub("", error.message)


def abuse_extensions(*, production: bool) -> list[type[SchemaExtension]]:
    """The extensions `create_schema` adds; suggestions are hidden in production only."""
    extensions: list[type[SchemaExtension]] = [TokenLimit, QueryShapeLimit]
    if production:
        extensions.append(HideSuggestions)
    return extensions
