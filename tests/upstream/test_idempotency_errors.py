"""Stored errors (`encode_error`/`decode_error`) keep no upstream text, and records stored before
errors had a `diagnostic` still decode, told in the facade's words (issue 14, items 4 and 6)."""

import json

import pytest

from facade import errors as tree
from facade.errors import BodySummary
from facade.upstream.settling import NOT_CREATED
from facade.upstream.stored_errors import INTERRUPTED, decode_error, encode_error

ECHO = "<html>login=canary-login-Q7x&psw=0123456789abcdef0123456789abcdef</html>"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(
            tree.UpstreamProtocolError(
                "expected OK", endpoint="/sys/jobs.php?add", fmt=2, body=ECHO
            ),
            id="protocol",
        ),
        pytest.param(
            tree.SmscRejected(1, f"unknown account {ECHO}", endpoint="/sys/jobs.php?add"),
            id="envelope-echo",
        ),
    ],
)
def test_a_stored_error_holds_no_byte_of_the_body(error: tree.FacadeError) -> None:
    stored = encode_error(error)

    assert b"canary" not in stored
    assert b"0123456789abcdef" not in stored
    again = decode_error(stored)
    assert type(again) is type(error)
    assert vars(again) == vars(error)


def test_a_protocol_error_stored_with_an_excerpt_decodes_without_it() -> None:
    old = {
        "type": "protocol",
        "reason": "not well-formed XML (ParseError)",
        "fmt": 3,
        "endpoint": "/sys/templates.php?get",
        "excerpt": ECHO,
    }

    error = decode_error(json.dumps(old).encode())

    assert isinstance(error, tree.UpstreamProtocolError)
    assert str(error) == "SMSC's answer to `templates.get` could not be read (fmt 3)."
    assert error.body == BodySummary.of(ECHO)
    assert error.reason == old["reason"]
    assert "canary" not in f"{error} {vars(error)!r} {error.diagnostic}"
    assert b"canary" not in encode_error(error)


def test_an_outcome_unknown_stored_with_the_host_in_its_message_is_told_without_it() -> None:
    message = (
        "SMSC /sys/jobs.php: read_timeout via smsc.ru (attempt 1 of 3); "
        "the write may have been applied"
    )
    old = {
        "type": "outcome_unknown",
        "message": message,
        "path": "/sys/jobs.php",
        "host": "smsc.ru",
    }

    error = decode_error(json.dumps(old).encode())

    assert isinstance(error, tree.UpstreamOutcomeUnknown)
    assert str(error) == "SMSC could not be reached; the write may have been applied"
    assert error.diagnostic == message
    assert (error.path, error.host) == ("/sys/jobs.php", "smsc.ru")


def test_an_interrupted_run_stored_before_diagnostics_keeps_its_message() -> None:
    old = {"type": "outcome_unknown", "message": INTERRUPTED, "path": "", "host": ""}

    error = decode_error(json.dumps(old).encode())

    assert (str(error), error.diagnostic) == (INTERRUPTED, INTERRUPTED)


@pytest.mark.parametrize(
    ("message", "told"),
    [
        pytest.param(
            "SMSC /sys/jobs.php: http_503 via smsc.ru (attempt 3 of 3)",
            "SMSC could not be reached",
            id="transport",
        ),
        pytest.param(NOT_CREATED, NOT_CREATED, id="facade-own"),
    ],
)
def test_an_unavailable_stored_before_diagnostics_names_no_host(message: str, told: str) -> None:
    error = decode_error(json.dumps({"type": "unavailable", "message": message}).encode())

    assert type(error) is tree.UpstreamUnavailable
    assert str(error) == told
    assert error.diagnostic == message


def test_an_envelope_stored_with_an_unknown_description_drops_it() -> None:
    old = {
        "type": "SmscBadRequest",
        "code": 1,
        "description": f"echo {ECHO}",
        "endpoint": "/sys/jobs.php?add",
    }

    error = decode_error(json.dumps(old).encode())

    assert isinstance(error, tree.SmscBadRequest)
    assert error.description == ""
    assert str(error) == "SMSC found an error in the request's parameters (SMSC error 1)."
    assert "canary" not in error.diagnostic
