"""The schema: Query and Mutation with the extensions every request goes through."""

import strawberry
from strawberry.tools import merge_types

from facade.graphql.errors import ErrorExtension, FacadeSchema
from facade.graphql.freshness import FreshnessExtension
from facade.graphql.limits import abuse_extensions
from facade.graphql.mutations import Mutation
from facade.graphql.preview import PreviewQuery
from facade.graphql.queries import Query as ReadQuery

Query = merge_types("Query", (ReadQuery, PreviewQuery))


def create_schema(*, production: bool = False) -> strawberry.Schema:
    """`production` hides field suggestions ("Did you mean ...?") from clients."""
    return FacadeSchema(
        query=Query,
        mutation=Mutation,
        extensions=[*abuse_extensions(production=production), ErrorExtension, FreshnessExtension],
    )
