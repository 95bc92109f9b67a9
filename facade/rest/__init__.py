"""The REST API (`/v1/...`), described by `/openapi.json` and `/docs`, thin over `SmscClient`.

Layout:
    operations.py   declarations: Resource, Operation, Call, Reply, the `Params` base
    http.py         declarations → Starlette routes: validation, ETag/304, cache headers
    openapi.py      declarations → the OpenAPI 3.1 document (`/openapi.json`)
    docs.py         `/docs`: Swagger UI over it, from local files (static/)
    errors.py       the one table exception class → status; problem+json (RFC 9457)
    pagination.py   `limit`/`cursor` pages (`facade.vocabulary.paging`), with a `next` link
    links.py        the URLs answers carry: under FACADE_PUBLIC_URL, else relative; never Host
    inputs.py       path parameters every resource shares (`IdPath`)
    resources/      one module per resource; routes.py lists them in RESOURCES

Bodies and answers are the public vocabulary's models (`facade.vocabulary`), the same models
GraphQL's types are made of: a resource declares none of its own.

Adding a resource (say `/v1/blacklist`):
1. The answer and the body in `facade/vocabulary/blacklist.py` (`class BlacklistEntry(Output)`
   with `from_domain`, `class AddToBlacklist(Input)` with `to_domain()` applying
   `facade.domain`'s rules), each field once with its description; GraphQL exposes them too.
2. Path and query models derive from `Params` (`IdPath` exists; `pagination.PageQuery` gives
   `limit` and `cursor`).
3. `resources/blacklist.py`: a `Resource` and one decorated handler per operation. The
   handler's `call: Call[PathModel, QueryModel, BodyModel | None]` annotation declares what is
   validated and documented; the decorator declares the rest::

       resource = Resource("/v1/blacklist", tag="Blacklist", description="...")

       @resource.get("", "listBlacklist", "Blocked phones.",
                     response=list[BlacklistEntry], cache="phones.get_black")
       async def list_blacklist(call: Call[NoParams, NoParams, None]) -> Reply:
           fetched = await call.smsc.blacklist()
           return Reply.read([BlacklistEntry.from_domain(e) for e in fetched.value], fetched)

       @resource.post("", "addToBlacklist", "Stop sending to a phone.",
                      response=BlacklistEntry, status=201)
       async def add(call: Call[NoParams, NoParams, AddToBlacklist]) -> Reply:
           ...
           return Reply.created(body, f"/v1/blacklist/{id}")

   `cache=` (the SmscClient TTL key, as in `facade.settings.CACHE_TTLS`) makes a GET
   conditional and cache-described: return `Reply.read(body, fetched)`. `errors=` adds codes
   beyond `operations.COMMON_ERRORS` (usually `ErrorCode.NOT_FOUND`); `empty=(204,)` documents
   a bodiless success next to `status`. Raise facade errors; never build error responses.
4. Add `blacklist.resource` to `routes.RESOURCES`. Routes and `/openapi.json` follow; the tests
   in tests/rest/test_openapi.py check both.
"""

from facade.rest.errors import EXCEPTION_HANDLERS
from facade.rest.routes import RESOURCES, rest_routes

__all__ = ["EXCEPTION_HANDLERS", "RESOURCES", "rest_routes"]
