"""graphql-cop's checks, ported to httpx: the same probes, the same verdicts.

graphql-cop (https://github.com/dolevf/graphql-cop, 1.13) runs one function a check from
`lib/tests/*.py`; `lib/utils.py` sends the requests. Each port below names its source file and
keeps its probe byte for byte (`operationName: "cop"` on JSON POSTs, the `User-Agent`) and its
verdict: what in the response makes graphql-cop report the finding. Where graphql-cop swallows
every exception (`except: pass`), a response it cannot read is "not vulnerable" here too; where
it tests `if response and ...`, the `requests` response is truthy for a status below 400.
"""

import dataclasses
import enum
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import httpx

__all__ = [
    "CHECKS",
    "USER_AGENT",
    "Check",
    "Finding",
    "Severity",
    "is_graphql",
    "scan",
]

USER_AGENT: Final = "graphql-cop/1.13"  # config.py: HEADERS = {'User-Agent': ...}


class Severity(enum.StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    INFO = "INFO"


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """One check's result: graphql-cop's `title` and `severity`, its `result`, and what we saw."""

    name: str
    severity: Severity
    vulnerable: bool
    detail: str


Check = Callable[[httpx.AsyncClient, str, Mapping[str, str]], Awaitable[Finding]]

# graphql-cop's `except: pass` around each verdict, minus the bare except.
_UNREADABLE = (LookupError, TypeError, ValueError, AttributeError)


def _headers(headers: Mapping[str, str], **extra: str) -> dict[str, str]:
    return {"User-Agent": USER_AGENT, **headers, **extra}


async def _graph_query(
    client: httpx.AsyncClient,
    url: str,
    headers: Mapping[str, str],
    payload: str,
    *,
    batch: bool = False,
) -> httpx.Response:
    """lib/utils.py `graph_query`: a JSON POST; a batch is ten copies without operationName."""
    data: object = (
        [{"query": payload} for _ in range(10)]
        if batch
        else {"query": payload, "operationName": "cop"}
    )
    return await client.post(url, json=data, headers=_headers(headers), follow_redirects=True)


async def _request(
    client: httpx.AsyncClient,
    url: str,
    headers: Mapping[str, str],
    *,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    verb: str = "GET",
) -> httpx.Response:
    """lib/utils.py `request`: `data` is sent form-encoded, as `requests` does."""
    return await client.request(
        verb,
        url,
        params=params,
        data=data,
        headers=_headers(headers),
        follow_redirects=True,
    )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _ok(response: httpx.Response) -> bool:
    """`bool(requests.Response)`: `response.ok`, a status below 400."""
    return response.status_code < 400


def _saw(response: httpx.Response) -> str:
    text = response.text
    return f"{response.request.method} -> {response.status_code}: {text[:200]}"


def _finding(
    name: str, severity: Severity, verdict: Callable[[], object], response: httpx.Response
) -> Finding:
    try:
        vulnerable = bool(verdict())
    except _UNREADABLE:
        vulnerable = False
    return Finding(name, severity, vulnerable, _saw(response))


async def field_suggestions(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/info_field_suggestions.py: `Did you mean` in the first error's message."""
    response = await _graph_query(client, url, headers, "query cop { __schema { directive } }")
    body = _json(response)
    return _finding(
        "Field Suggestions",
        Severity.LOW,
        lambda: "Did you mean" in body["errors"][0]["message"],
        response,
    )


async def introspection(client: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> Finding:
    """lib/tests/info_introspect.py: `data.__schema.types` is not empty."""
    query = "query cop { __schema { types { name fields { name } } } }"
    response = await _graph_query(client, url, headers, query)
    body = _json(response)
    return _finding(
        "Introspection", Severity.HIGH, lambda: body["data"]["__schema"]["types"], response
    )


IDE_HEURISTICS: Final = ("graphiql.min.css", "GraphQL Playground", "GraphiQL", "graphql-playground")


async def detect_graphiql(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/info_graphiql.py: a GET for `text/html` whose page names an IDE."""
    response = await _request(client, url, {**headers, "Accept": "text/html"})
    text = response.text
    return _finding(
        "GraphQL IDE",
        Severity.LOW,
        lambda: _ok(response) and any(word in text for word in IDE_HEURISTICS),
        response,
    )


async def get_method_support(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/info_get_method_support.py: a query over GET (no preflight) answers data."""
    response = await _request(client, url, headers, params={"query": "query cop {__typename}"})
    body = _json(response)
    return _finding(
        "GET Method Query Support",
        Severity.MEDIUM,
        lambda: _ok(response) and body["data"]["__typename"],
        response,
    )


async def alias_overloading(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/dos_alias_overloading.py: 101 aliases of `__typename`, `alias100` answered."""
    aliases = "".join(f"alias{i}:__typename \n" for i in range(101))
    response = await _graph_query(client, url, headers, "query cop { " + aliases + " }")
    body = _json(response)
    return _finding("Alias Overloading", Severity.HIGH, lambda: body["data"]["alias100"], response)


async def batch_query(client: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> Finding:
    """lib/tests/dos_batch.py: a JSON array of ten queries, answered by ten (or more) items."""
    response = await _graph_query(client, url, headers, "query cop { __typename }", batch=True)
    body = _json(response)
    return _finding("Array-based Query Batching", Severity.HIGH, lambda: len(body) >= 10, response)


async def field_duplication(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/dos_field_duplication.py: `__typename` 500 times, answered."""
    query = "query cop { " + "__typename \n" * 500 + "} "
    response = await _graph_query(client, url, headers, query)
    body = _json(response)
    return _finding(
        "Field Duplication", Severity.HIGH, lambda: body["data"]["__typename"], response
    )


def _first_error_extension(body: Any, name: str) -> object:
    try:
        return body["errors"][0]["extensions"][name]
    except _UNREADABLE:
        return None


def _python_repr_has(body: Any, needle: str) -> bool:
    """graphql-cop's `needle in str(response.json()).lower()`: a search of the Python repr."""
    return needle in str(body).lower()


async def trace_mode(client: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> Finding:
    """lib/tests/info_trace_mode.py: Apollo tracing in the first error or anywhere in the body.

    graphql-cop reaches its second test (the repr search) only when the first lookup does not
    raise, so it misses tracing on an answer without errors; here both tests always run, so the
    port finds at least what graphql-cop finds.
    """
    response = await _graph_query(client, url, headers, "query cop { __typename }")
    body = _json(response)
    return _finding(
        "Trace Mode",
        Severity.INFO,
        lambda: (
            _first_error_extension(body, "tracing")
            or _python_repr_has(body, "'extensions': {'tracing':")
        ),
        response,
    )


async def directive_overloading(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/dos_directive_overloading.py: ten `@aa` on one field, one error for each."""
    query = "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }"
    response = await _graph_query(client, url, headers, query)
    body = _json(response)
    return _finding(
        "Directive Overloading", Severity.HIGH, lambda: len(body["errors"]) == 10, response
    )


async def circular_query_introspection(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/dos_circular_introspection.py: `types { fields { type { fields ...` answered."""
    query = (
        "query cop { __schema { types { fields { type { fields { type { fields { type "
        "{ fields { type { name } } } } } } } } } } }"
    )
    response = await _graph_query(client, url, headers, query)
    body = _json(response)
    return _finding(
        "Introspection-based Circular Query",
        Severity.HIGH,
        lambda: len(body["data"]["__schema"]["types"]) > 25,
        response,
    )


async def get_based_mutation(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/info_get_based_mutation.py: a mutation over GET answers data."""
    response = await _request(client, url, headers, params={"query": "mutation cop {__typename}"})
    body = _json(response)
    return _finding(
        "Mutation is allowed over GET (possible CSRF)",
        Severity.MEDIUM,
        lambda: _ok(response) and body["data"]["__typename"],
        response,
    )


async def post_based_csrf(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/info_post_based_csrf.py: a form-encoded POST (no preflight) answers data."""
    response = await _request(
        client, url, headers, data={"query": "query cop {__typename}"}, verb="POST"
    )
    body = _json(response)
    return _finding(
        "POST based url-encoded query (possible CSRF)",
        Severity.MEDIUM,
        lambda: _ok(response) and body["data"]["__typename"],
        response,
    )


async def unhandled_error_detection(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/info_unhandled_error.py: a syntax error answered with `extensions.exception`.

    Both of graphql-cop's tests always run, as in `trace_mode`.
    """
    response = await _graph_query(client, url, headers, "qwerty cop { abc }")
    body = _json(response)
    return _finding(
        "Unhandled Errors Detection",
        Severity.INFO,
        lambda: (
            _first_error_extension(body, "exception")
            or _python_repr_has(body, "'extensions': {'exception':")
        ),
        response,
    )


async def circular_fragment(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str]
) -> Finding:
    """lib/tests/dos_circular_fragment.py: fragments spreading each other, answered sans errors.

    In graphql-cop's tree but not in its run list; ported because a server that skips
    validation fails it.
    """
    query = (
        "query { __schema { ...A } } "
        "fragment A on __Schema { __typename ...B } "
        "fragment B on __Schema { ...A }"
    )
    response = await _graph_query(client, url, headers, query)
    body = _json(response)
    return _finding(
        "Circular Fragment",
        Severity.HIGH,
        lambda: "errors" not in body,  # a JSON `null` raises, so it is not vulnerable
        response,
    )


# graphql-cop.py's `tests` list, in its order, then the check it ships but does not run.
CHECKS: Final[tuple[Check, ...]] = (
    field_suggestions,
    introspection,
    detect_graphiql,
    get_method_support,
    alias_overloading,
    batch_query,
    field_duplication,
    trace_mode,
    directive_overloading,
    circular_query_introspection,
    get_based_mutation,
    post_based_csrf,
    unhandled_error_detection,
    circular_fragment,
)


async def scan(client: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> list[Finding]:
    """Every check, one after the other, as graphql-cop runs them against one endpoint."""
    return [await check(client, url, headers) for check in CHECKS]


async def is_graphql(client: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> bool:
    """lib/utils.py `is_graphql`: graphql-cop scans an endpoint only if this holds.

    graphql-cop's `any('extensions' in i for i in response.json())` iterates the body's keys;
    it is ported as written.
    """
    query = "\n    query cop {\n      __typename\n    }\n  "
    response = await _graph_query(client, url, headers, query)
    body = _json(response)
    if not isinstance(body, dict):
        return False
    if "data" in body and body["data"] is not None:
        typename = body["data"].get("__typename")
        return typename in ("Query", "QueryRoot", "query_root", "Root")
    errors = body.get("errors")
    if errors and (
        any("locations" in error for error in errors) or any("extensions" in key for key in body)
    ):
        return True
    return bool(body.get("data"))
