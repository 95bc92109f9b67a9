"""Abuse limits every operation meets before any resolver runs: size, depth, aliases, suggestions.

The body size is enforced by the HTTP view (`facade.graphql.http`) before the body is parsed;
everything else here is a strawberry extension, so the GraphQL-over-HTTP view answers the
rejections as request errors (400 without `data`).
"""

import re
from collections.abc import Iterator
from typing import Any, cast

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from graphql.language.visitor import SKIP, VisitorAction
from strawberry.extensions import AddValidationRules, SchemaExtension

__all__ = [
    "MAX_ALIASES",
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_TOKENS",
    "abuse_extensions",
    "measure",
]

# The standard introspection query (graphql-js `getIntrospectionQuery`, which GraphiQL sends,
# and graphql-core's) is 15 fields deep: __schema types fields args type, ofType nine times, name.
# Our own types nest three deep at most.
MAX_DEPTH = 15
MAX_ALIASES = 30
MAX_TOKENS = 5000
# Decimal kilobytes: a 100 KiB body is already over.
MAX_BODY_BYTES = 100_000

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class _Shape:
    """Depth and alias count of selection sets, each fragment measured once.

    A fragment spread inside itself (which `NoFragmentCyclesRule` reports) measures as empty.
    """

    def __init__(self, context: ValidationContext) -> None:
        self._context = context
        self._fragments: dict[str, tuple[int, int]] = {}

    def of(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                inner_depth, inner_aliases = self.of(selection.selection_set)
                depth = max(depth, 1 + inner_depth)
                aliases += inner_aliases + (selection.alias is not None)
            else:
                if isinstance(selection, InlineFragmentNode):
                    inner_depth, inner_aliases = self.of(selection.selection_set)
                else:
                    spread = cast("FragmentSpreadNode", selection)
                    inner_depth, inner_aliases = self._fragment(spread.name.value)
                depth = max(depth, inner_depth)
                aliases += inner_aliases
        return depth, aliases

    def _fragment(self, name: str) -> tuple[int, int]:
        if name not in self._fragments:
            self._fragments[name] = (0, 0)
            fragment = self._context.get_fragment(name)
            self._fragments[name] = self.of(fragment.selection_set if fragment else None)
        return self._fragments[name]


def measure(context: ValidationContext, operation: OperationDefinitionNode) -> tuple[int, int]:
    """The operation's depth (every field counts, introspection too) and its number of aliases.

    Fragments count where they are spread, as often as they are spread. A document nested past
    the interpreter's recursion limit measures as infinitely deep.
    """
    try:
        return _Shape(context).of(operation.selection_set)
    except RecursionError:
        return (MAX_DEPTH + 1, 0)


class _QueryShapeRule(ValidationRule):
    def enter_operation_definition(
        self, node: OperationDefinitionNode, *_args: Any
    ) -> VisitorAction:
        depth, aliases = measure(self.context, node)
        if depth > MAX_DEPTH:
            self.report_error(
                GraphQLError(f"Query depth {depth} exceeds the maximum of {MAX_DEPTH}.", node)
            )
        if aliases > MAX_ALIASES:
            self.report_error(
                GraphQLError(f"Query uses {aliases} aliases; the maximum is {MAX_ALIASES}.", node)
            )
        return SKIP


class QueryShapeLimit(AddValidationRules):
    """Rejects an operation deeper than `MAX_DEPTH` or with more than `MAX_ALIASES` aliases.

    Unlike strawberry's `QueryDepthLimiter`, introspection fields count: the
    `__schema { types { fields { type { ofType { ofType ... } } } } }` attack is deep too.
    """

    def __init__(self) -> None:
        super().__init__([_QueryShapeRule])


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
