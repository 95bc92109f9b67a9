"""schemathesis against the REST API, in process, the emulator behind it: for every operation of
`/openapi.json`, generated requests (valid and invalid) never get a 5xx, every response is one
the document describes (its status, content type, headers and body schema), and no operation
mostly refuses the data generated from its own schema (schemathesis's "schema validation
mismatch": the document and the validation disagree).

Changes run under idempotency, as served, with a new key for each (`tests/schemathesis_hooks.py`,
which `st run` loads too: `make conformance` runs the whole CLI against a served facade). One
emulator serves the whole run, writes included; the fake clock never moves, so repeated
identical reads meet the identical-request budget and get 429, which every operation documents.
"""

import collections
import pathlib
import tempfile
from collections.abc import Iterator
from typing import Any, Final

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.cli.commands.run.warnings import StatusCodeStatistic
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.idempotent import RestIdempotency
from tests import schemathesis_hooks  # noqa: F401 - registers the hooks
from tests.upstream.lossy import rig

MAX_EXAMPLES: Final = 25
CHECKS: Final = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

_LOSSY: Final = rig(pathlib.Path(tempfile.mkdtemp(prefix="facade-schemathesis-")))
APP: Final = Starlette(
    routes=rest_routes(_LOSSY.client, idempotency=RestIdempotency(_LOSSY.idempotency)),
    exception_handlers=EXCEPTION_HANDLERS,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


class Answers:
    """What one operation answered the requests generated valid by its schema: statuses, and what
    each refusal of the data named."""

    def __init__(self) -> None:
        self.statuses: collections.Counter[int] = collections.Counter()
        self.refusals: collections.Counter[str] = collections.Counter()

    def add(self, case: schemathesis.Case[Any], response: Any) -> None:
        if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
            return
        self.statuses[response.status_code] += 1
        if response.status_code in (400, 422):
            problem = response.json()
            self.refusals[f"{problem.get('field')}: {problem.get('detail', '')[:80]}"] += 1

    def mostly_rejected(self) -> bool:
        """schemathesis's "schema validation mismatch", as its CLI decides it: nothing valid was
        served, and refusals of the data are more than a tenth of the 4xx answers."""
        served = any(status < 400 for status in self.statuses)
        total = self.statuses.total()
        statistic = StatusCodeStatistic(counts=dict(self.statuses), total=total)
        return not served and statistic.should_warn_about_validation_mismatch()


@pytest.fixture
def answers() -> Iterator[Answers]:
    """At the end of an operation's run, its verdict."""
    found = Answers()
    yield found
    assert not found.mostly_rejected(), (dict(found.statuses), found.refusals.most_common())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_answers_as_documented(case: schemathesis.Case[Any], answers: Answers) -> None:
    answers.add(case, case.call_and_validate(checks=CHECKS))
