"""The schema: Query, Mutation and Subscription with the extensions every operation goes through."""

import functools

import strawberry
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.tools import merge_types

from facade.graphql.answers import RecordOperation
from facade.graphql.documents import CheckedDocuments
from facade.graphql.errors import ErrorExtension, FacadeSchema
from facade.graphql.freshness import FreshnessExtension
from facade.graphql.limits import abuse_extensions
from facade.graphql.messages import MessageMutation, MessageQuery
from facade.graphql.mutations import Mutation as ChangeMutation
from facade.graphql.preview import PreviewQuery
from facade.graphql.queries import Query as ReadQuery
from facade.graphql.subscriptions import ProductionStreamErrors, StreamErrors, Subscription

Query = merge_types("Query", (ReadQuery, PreviewQuery, MessageQuery))
Mutation = merge_types("Mutation", (ChangeMutation, MessageMutation))


@functools.cache
def create_schema(*, production: bool = False, introspection: bool = True) -> strawberry.Schema:
    """`production` hides field suggestions ("Did you mean ...?") from clients.

    Without `introspection`, an operation selecting `__schema` or `__type` is a request error
    (graphql-core's `NoSchemaIntrospectionCustomRule`); `__typename` stays allowed, and the SDL
    (`facade schema`, `as_str()`) is printed from the schema itself, not by introspection.
    One schema per combination, built once: a schema holds no per-request state.
    """
    extensions: list[type[SchemaExtension]] = [
        CheckedDocuments,
        *abuse_extensions(production=production),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return FacadeSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            *extensions,
            ErrorExtension,
            FreshnessExtension,
            RecordOperation,
            ProductionStreamErrors if production else StreamErrors,
        ],
    )
