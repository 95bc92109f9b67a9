"""The exception tree's texts: what clients are told is the facade's own, what the logs get holds
no byte of an upstream body (issue 14, items 4 and 6)."""

import hashlib

import pytest

from facade import errors as tree
from facade.errors import BodySummary

ECHO = b"login=canary-login-Q7x&psw=0123456789abcdef0123456789abcdef&fmt=3"


def texts(error: tree.FacadeError) -> str:
    return f"{error!s} {error!r} {vars(error)!r} {error.diagnostic}"


def test_a_facade_error_is_logged_as_it_is_told_unless_given_a_diagnostic() -> None:
    assert tree.NotFoundError("no such job").diagnostic == "no such job"
    error = tree.UpstreamUnavailable("SMSC could not be reached", diagnostic="via smsc.ru")
    assert (str(error), error.message, error.diagnostic) == (
        "SMSC could not be reached",
        "SMSC could not be reached",
        "via smsc.ru",
    )


@pytest.mark.parametrize(
    ("endpoint", "told"),
    [
        pytest.param(
            "/sys/jobs.php?add",
            "SMSC's answer to `jobs.add` could not be read (fmt 3).",
            id="named",
        ),
        pytest.param(
            "/sys/phones.php?add_group",
            "SMSC's answer to `phones.add_group` could not be read (fmt 3).",
            id="underscore",
        ),
        pytest.param(
            "jobs.php", "SMSC's answer to a command could not be read (fmt 3).", id="bare"
        ),
        pytest.param(
            "/sys/jobs.php?get&login=x",
            "SMSC's answer to a command could not be read (fmt 3).",
            id="not-a-command-name",
        ),
    ],
)
def test_a_protocol_error_tells_clients_the_command_and_fmt_only(endpoint: str, told: str) -> None:
    error = tree.UpstreamProtocolError("expected OK", endpoint=endpoint, fmt=3, body=ECHO)

    assert str(error) == error.message == told
    assert error.diagnostic.startswith(f"unreadable {endpoint} response (fmt=3): expected OK; ")
    assert str(error.body) in error.diagnostic
    for piece in (b"canary", b"login=", b"0123456789abcdef"):
        assert piece.decode() not in texts(error).replace(endpoint, "")


def test_a_protocol_error_keeps_no_byte_of_the_body() -> None:
    error = tree.UpstreamProtocolError("r", endpoint="e", fmt=0, body=ECHO.decode())

    assert not hasattr(error, "excerpt")
    assert error.body == BodySummary.of(ECHO)
    assert "canary" not in texts(error)


@pytest.mark.parametrize(
    ("body", "shape"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b" \r\n\t", "empty", id="whitespace"),
        pytest.param(b'\n {"error": 1}', "JSON object", id="json-object"),
        pytest.param(b"[1, 2]", "JSON array", id="json-array"),
        pytest.param(b"<!DOCTYPE html><html>", "HTML", id="doctype"),
        pytest.param(b"<HTML><body>", "HTML", id="html-upper-case"),
        pytest.param(b"<?xml version='1.0'?><list/>", "XML", id="xml"),
        pytest.param(b"ERROR = 1 (parameters error)", "text", id="text"),
        pytest.param("Привет".encode() * 20, "text", id="utf8-cut-inside-a-character"),
        pytest.param("Привет".encode("cp1251"), "not UTF-8", id="cp1251"),
        pytest.param(b"\x1f\x8b\x08\x00", "not UTF-8", id="gzip"),
        pytest.param(b"a\x00b", "not UTF-8", id="nul"),
    ],
)
def test_a_body_summary_names_the_shape_of_the_body(body: bytes, shape: str) -> None:
    summary = BodySummary.of(body)

    assert summary.shape == shape
    assert shape in BodySummary.SHAPES
    assert summary.length == len(body)


def test_a_body_summary_digest_tells_bodies_apart_and_is_keyed() -> None:
    one, same, other = BodySummary.of(ECHO), BodySummary.of(ECHO), BodySummary.of(ECHO + b"&")

    assert one.digest == same.digest != other.digest
    assert len(one.digest) == 16
    # Keyed by a secret of the process: not a digest anyone can compute from a guessed body.
    for name in ("sha256", "md5", "sha1", "blake2b"):
        assert one.digest not in hashlib.new(name, ECHO).hexdigest()
    assert str(one) == f"{len(ECHO)} bytes, text, keyed digest {one.digest}"


@pytest.mark.parametrize(
    ("error", "told"),
    [
        pytest.param(
            tree.SmscBadRequest(1, "parameters error", endpoint="/sys/jobs.php?add"),
            "SMSC found an error in the request's parameters (SMSC error 1).",
            id="1",
        ),
        pytest.param(
            tree.SmscBadRequest(5, "invalid date format", endpoint="/sys/jobs.php?add"),
            "SMSC refused a date or time of the request as badly formatted (SMSC error 5).",
            id="5-jobs",
        ),
        pytest.param(
            tree.SmscAuthError(2, "authorise error", endpoint="/sys/get.php?get_answers"),
            "SMSC refused the account's login or password, or the facade's address is not "
            "allowed (SMSC error 2).",
            id="2",
        ),
        pytest.param(
            tree.SmscNotFound(3, "record not found", endpoint="/sys/phones.php?get"),
            "SMSC has no such record (SMSC error 3).",
            id="3-not-found",
        ),
        pytest.param(
            tree.SmscRejected(3, "error saving a record", endpoint="/sys/jobs.php?add"),
            "SMSC could not save the record (SMSC error 3).",
            id="3-jobs",
        ),
        pytest.param(
            tree.SmscBlocked(4, "ip is temporarily blocked", endpoint="/sys/jobs.php?get"),
            "SMSC blocks the facade's address for a while after repeated errors (SMSC error 4).",
            id="4",
        ),
        pytest.param(
            tree.SmscRejected(5, "save error", endpoint="/sys/phones.php?add_group"),
            "SMSC could not save or delete the record (SMSC error 5).",
            id="5-save",
        ),
        pytest.param(
            tree.SmscRejected(7, "invalid number", endpoint="/sys/jobs.php?add"),
            "SMSC refused a phone number as invalid (SMSC error 7).",
            id="7",
        ),
        pytest.param(
            tree.SmscRateLimited(9, "duplicate request, wait a minute", endpoint="/sys/get.php"),
            "SMSC refused too many identical or simultaneous requests; wait a minute "
            "(SMSC error 9).",
            id="9",
        ),
        pytest.param(
            tree.SmscRejected(15, "unknown error", endpoint="/sys/jobs.php?add"),
            "SMSC rejected the request (SMSC error 15).",
            id="unknown-code",
        ),
    ],
)
def test_an_envelope_is_told_by_its_code_and_logged_with_a_known_description(
    error: tree.SmscError, told: str
) -> None:
    assert str(error) == error.message == told
    assert error.diagnostic == (
        f"SMSC {error.endpoint} error {error.upstream_code}: {error.description}"
    )
    assert error.description in tree.SMSC_DESCRIPTIONS


@pytest.mark.parametrize(
    "description",
    [
        pytest.param("unknown account canary-login-Q7x", id="login"),
        pytest.param("CANARY-LOGIN-Q7X", id="upper-case"),
        pytest.param("bG9naW49Y2FuYXJ5LWxvZ2lu", id="base64"),
        pytest.param("&#99;&#97;&#110;&#97;&#114;&#121;", id="html-entities"),
    ],
)
def test_a_description_smsc_is_not_known_to_send_is_kept_nowhere(description: str) -> None:
    error = tree.SmscRejected(1, description, endpoint="/sys/jobs.php?add")

    assert error.description == ""
    assert error.diagnostic == (
        f"SMSC /sys/jobs.php?add error 1; an unknown description ({BodySummary.of(description)})"
    )
    assert description not in texts(error)


def test_a_known_description_is_logged_in_its_known_form() -> None:
    error = tree.SmscNotFound(3, " Record Not Found ", endpoint="/sys/phones.php?get")

    assert error.description == "record not found"
    assert error.diagnostic == "SMSC /sys/phones.php?get error 3: record not found"


def test_an_envelope_without_description_is_logged_without_one() -> None:
    error = tree.SmscBadRequest(1, "", endpoint="/sys/jobs.php?get")

    assert error.diagnostic == "SMSC /sys/jobs.php?get error 1"


def test_an_envelope_made_anew_keeps_its_diagnostic() -> None:
    first = tree.SmscRejected(1, "echo of login=x", endpoint="/sys/jobs.php?add")
    again = tree.SmscRejected(
        1, first.description, endpoint=first.endpoint, diagnostic=first.diagnostic
    )

    assert vars(again) == vars(first)
