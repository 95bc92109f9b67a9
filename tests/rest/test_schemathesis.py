"""schemathesis against the REST API, in process, the emulator behind it: for every operation of
`/openapi.json`, generated requests (valid and invalid) never get a 5xx, and every response is
one the document describes: its status, content type, headers and body schema.

One emulator serves the whole run, writes included; the fake clock never moves, so repeated
identical reads meet the identical-request budget and get 429, which every operation documents.
"""

from typing import Any, Final

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from facade.rest import EXCEPTION_HANDLERS, rest_routes
from tests.upstream.harness import harness

MAX_EXAMPLES: Final = 25
CHECKS: Final = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

APP: Final = Starlette(routes=rest_routes(harness().client), exception_handlers=EXCEPTION_HANDLERS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_answers_as_documented(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=CHECKS)
