"""The REST API's routes: every resource's operations, `/openapi.json` and `/docs`."""

import functools
from collections.abc import Sequence
from typing import Any, Final

from starlette.routing import BaseRoute

from facade.rest.events import LiveGetter, build_stream_routes
from facade.rest.http import ClientGetter, build_routes, fixed_client
from facade.rest.idempotent import RestIdempotency
from facade.rest.kept import KeptBodies
from facade.rest.links import Links
from facade.rest.openapi import document_routes, openapi_document
from facade.rest.operations import Resource
from facade.rest.resources import (
    answers,
    blacklist,
    cache,
    contacts,
    downloads,
    groups,
    jobs,
    messages,
    templates,
)
from facade.upstream.client import SmscClient

TITLE: Final = "smsc-facade REST API"
VERSION: Final = "1"
DESCRIPTION: Final = (
    "The SMSC gateway as JSON resources. Field names and enum values are the GraphQL schema's; "
    "errors are RFC 9457 problems (`application/problem+json`) with a `code`."
)

# Every resource of the API, in the order of the documentation.
RESOURCES: Final[tuple[Resource, ...]] = (
    templates.resource,
    jobs.resource,
    messages.resource,
    contacts.resource,
    groups.resource,
    blacklist.resource,
    answers.resource,
    downloads.resource,
    cache.resource,
)


@functools.cache
def _document(resources: tuple[Resource, ...], *, streams: bool) -> dict[str, Any]:
    """The OpenAPI document of `resources`, built once per process (declarations never change):
    tests and replicas build many apps from the same declarations."""
    return openapi_document(
        resources, title=TITLE, version=VERSION, description=DESCRIPTION, streams=streams
    )


def rest_routes(
    smsc: SmscClient | ClientGetter,
    resources: Sequence[Resource] = RESOURCES,
    *,
    idempotency: RestIdempotency | None = None,
    live: LiveGetter | None = None,
    kept: KeptBodies | None = None,
    links: Links | None = None,
) -> list[BaseRoute]:
    """Routes for `resources`; `smsc` is the client, or a callable picking one per request
    (it authenticates: `AuthError` → 401, `ForbiddenError` → 403; `/openapi.json` and `/docs`
    too, with the `read` scope). `idempotency` serves `Idempotency-Key`; without it (tests) a
    request carrying one is refused. `live` gives an account's pollers; without it the event
    streams are neither served nor documented. `links` writes the URLs of answers: under
    `FACADE_PUBLIC_URL`, else relative (`links.py`)."""
    client_for = fixed_client(smsc) if isinstance(smsc, SmscClient) else smsc
    operations = [op for resource in resources for op in resource.operations]
    streams = [s for resource in resources for s in resource.streams] if live else []
    document = _document(tuple(resources), streams=bool(streams))
    return [
        *build_routes(operations, client_for, idempotency, kept, links),
        *(build_stream_routes(streams, client_for, live) if live else []),
        *document_routes(document, client_for),
    ]


__all__ = ["RESOURCES", "rest_routes"]
