import pytest

from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscNotFound,
    SmscRateLimited,
    SmscRejected,
    UpstreamProtocolError,
)
from facade.smsc.envelope import find_envelope, parse_created_id, parse_ok, raise_for_envelope
from facade.smsc.wire import Endpoint, Fmt, Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)

# (endpoint, sample case, command it answered, class, code, description in fmt 0/2/3)
ERRORS = [
    ("templates", "error-params", "get", SmscBadRequest, 1, "parameters error"),
    ("templates", "error-auth", "add", SmscAuthError, 2, "authorise error"),
    ("templates", "error-not-found", "chg", SmscNotFound, 3, "record not found"),
    ("templates", "error-blocked", "del", SmscBlocked, 4, "ip is temporarily blocked"),
    ("templates", "error-save", "add", SmscRejected, 5, "save error"),
    ("templates", "error-duplicate", "get", SmscRateLimited, 9, "duplicate request, wait a minute"),
    ("jobs", "error-params", "add", SmscBadRequest, 1, "parameters error"),
    ("jobs", "error-auth", "get_all", SmscAuthError, 2, "authorise error"),
    ("jobs", "error-not-found", "cancel", SmscNotFound, 3, "record not found"),
    ("jobs", "error-save", "add", SmscRejected, 3, "error saving a record"),
    ("jobs", "error-blocked", "del", SmscBlocked, 4, "ip is temporarily blocked"),
    ("jobs", "error-date", "add", SmscBadRequest, 5, "invalid date format"),
    ("jobs", "error-duplicate", "add", SmscRateLimited, 9, "duplicate request, wait a minute"),
    ("phones", "error-params", "add", SmscBadRequest, 1, "parameters error"),
    ("phones", "error-auth", "get", SmscAuthError, 2, "authorise error"),
    ("phones", "error-not-found", "chg_group", SmscNotFound, 3, "record not found"),
    ("phones", "error-no-records", "get_group", SmscNotFound, 3, "no records found"),
    ("phones", "error-blocked", "move_group", SmscBlocked, 4, "ip is temporarily blocked"),
    ("phones", "error-save", "add_group", SmscRejected, 5, "save error"),
    (
        "phones",
        "error-duplicate",
        "del_black",
        SmscRateLimited,
        9,
        "duplicate request, wait a minute",
    ),
    ("phones", "error-concurrent", "add_black", SmscRateLimited, 9, "too many concurrent requests"),
    ("get", "error-params", "get_answers", SmscBadRequest, 1, "parameters error"),
    ("get", "error-auth", "get_answers", SmscAuthError, 2, "authorise error"),
    ("get", "error-not-found", "get_answers", SmscNotFound, 3, "record not found"),
    ("get", "error-blocked", "get_answers", SmscBlocked, 4, "ip is temporarily blocked"),
    (
        "get",
        "error-duplicate",
        "get_answers",
        SmscRateLimited,
        9,
        "duplicate request, wait a minute",
    ),
    ("get", "error-unknown-code", "get_answers", SmscRejected, 15, "unknown error"),
    ("downloads", "error-params", "get_list", SmscBadRequest, 1, "parameters error"),
    ("downloads", "error-auth", "get_file", SmscAuthError, 2, "authorise error"),
    ("downloads", "error-not-found", "get_file", SmscNotFound, 3, "record not found"),
    ("downloads", "error-blocked", "get_list", SmscBlocked, 4, "ip is temporarily blocked"),
    (
        "downloads",
        "error-duplicate",
        "get_file",
        SmscRateLimited,
        9,
        "duplicate request, wait a minute",
    ),
]


def inline(
    body: bytes, fmt: int, *, endpoint: Endpoint = Endpoint.TEMPLATES, command: str = "get"
) -> Reply:
    return Reply(body=body, endpoint=endpoint, command=command, fmt=Fmt(fmt))


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        pytest.param(
            reply(f"{endpoint}/{case}.fmt{fmt}.txt", command),
            (cls, code, "" if fmt == 1 else description),
            id=f"fmt{fmt}-{endpoint}-{command}-{case}",
        )
        for endpoint, case, command, cls, code, description in ERRORS
        for fmt in FMTS
    ]
    + [
        pytest.param(
            reply("templates/error-as-fmt0.fmt3.txt", "get"),
            (SmscBadRequest, 1, "parameters error"),
            id="fmt3-asked-fmt0-envelope-answered",
        ),
        pytest.param(
            reply("templates/error-code-string.fmt3.txt", "chg"),
            (SmscNotFound, 3, "record not found"),
            id="fmt3-error-code-string",
        ),
        pytest.param(
            inline(b"  ERROR = 2 (authorise error)\r\n", 0),
            (SmscAuthError, 2, "authorise error"),
            id="fmt0-whitespace",
        ),
        pytest.param(
            inline(b"ERROR = 7 (invalid number), ID - 1234", 0),
            (SmscRejected, 7, "invalid number"),
            id="fmt0-send-style-id-suffix",
        ),
        pytest.param(inline(b"ERROR = 9", 0), (SmscRateLimited, 9, ""), id="fmt0-no-description"),
        pytest.param(inline(b"0,-4\n", 1), (SmscBlocked, 4, ""), id="fmt1-trailing-newline"),
        pytest.param(
            inline(b"<result><error_code> 2 </error_code></result>", 2),
            (SmscAuthError, 2, ""),
            id="fmt2-code-only",
        ),
        pytest.param(
            inline(b'{"error_code": 9}', 3), (SmscRateLimited, 9, ""), id="fmt3-code-only"
        ),
        pytest.param(
            inline(b"ERROR = 1 (parameters error)", 2),
            (SmscBadRequest, 1, "parameters error"),
            id="fmt2-asked-fmt0-envelope-answered",
        ),
    ],
)
def test_raise_for_envelope(sample, expected):
    cls, code, description = expected
    with pytest.raises(cls) as caught:
        raise_for_envelope(sample)
    assert type(caught.value) is cls
    assert caught.value.upstream_code == code
    assert caught.value.description == description
    assert caught.value.endpoint == f"{sample.endpoint.path}?{sample.command}"


@pytest.mark.parametrize(
    "sample",
    [
        *(
            pytest.param(reply(f"templates/list.fmt{fmt}.txt", "get"), id=f"fmt{fmt}-list")
            for fmt in FMTS
        ),
        pytest.param(reply("templates/list-empty.fmt0.txt", "get"), id="fmt0-empty"),
        pytest.param(reply("templates/ok.fmt2.txt", "chg"), id="fmt2-ok"),
        pytest.param(reply("templates/ok-bare.fmt3.txt", "chg"), id="fmt3-bare-ok"),
        pytest.param(reply("jobs/add-cost.fmt1.txt", "add"), id="fmt1-id-and-cost"),
        pytest.param(reply("jobs/add-cost.fmt2.txt", "add"), id="fmt2-result-without-error"),
        pytest.param(reply("jobs/add-cost.fmt3.txt", "add"), id="fmt3-object-without-error"),
        pytest.param(reply("phones/add.fmt1.txt", "add"), id="fmt1-bare-id"),
        pytest.param(inline(b"1,-3", 1), id="fmt1-not-an-error-without-leading-0"),
    ],
)
def test_no_envelope(sample):
    assert find_envelope(sample) is None
    raise_for_envelope(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(reply("templates/error-malformed.fmt0.txt", "get"), id="fmt0-no-code"),
        pytest.param(reply("templates/error-malformed.fmt2.txt", "get"), id="fmt2-word-code"),
        pytest.param(reply("templates/error-malformed.fmt3.txt", "get"), id="fmt3-bool-code"),
        pytest.param(inline(b"ERROR: 3", 0), id="fmt0-colon"),
        pytest.param(inline(b'{"error": "x"}', 3), id="fmt3-no-code"),
        pytest.param(inline(b'{"error": 5, "error_code": 3}', 3), id="fmt3-description-number"),
        pytest.param(inline(b'{"error": "x", "error_code": -3}', 3), id="fmt3-negative-code"),
        pytest.param(inline(b'{"error": "x", "error_code": "3a"}', 3), id="fmt3-code-not-digits"),
        pytest.param(inline(b"<result><error>x</error></result>", 2), id="fmt2-no-code"),
        pytest.param(
            inline(b"<result><error_code>1</error_code><error_code>2</error_code></result>", 2),
            id="fmt2-code-repeated",
        ),
        pytest.param(
            inline(b"<result><error_code><b>1</b></error_code></result>", 2),
            id="fmt2-code-not-a-leaf",
        ),
        pytest.param(inline(b"<result><error>", 2), id="fmt2-truncated"),
        pytest.param(inline(b'{"error": "x", "error_co', 3), id="fmt3-truncated"),
        pytest.param(
            Reply(
                body=b"ERROR = 1 (\xff\xfe)",
                endpoint=Endpoint.GET,
                command="get_answers",
                fmt=Fmt.TEXT,
                charset="utf-8",
            ),
            id="fmt0-not-utf-8",
        ),
    ],
)
def test_malformed_envelope_is_a_protocol_error(sample):
    with pytest.raises(UpstreamProtocolError):
        raise_for_envelope(sample)


OK_COMMANDS = {
    "templates": ("chg", "del"),
    "jobs": ("del", "cancel"),
    "phones": ("chg", "del", "chg_group", "del_group", "move_group", "del_black"),
}
OK_SAMPLES = {
    "templates": ("ok.fmt0", "ok.fmt1", "ok.fmt2", "ok.fmt3", "ok-bare.fmt3", "ok-spaced.fmt2"),
    "jobs": ("ok.fmt0", "ok.fmt1", "ok.fmt2", "ok-bare.fmt3", "ok-json.fmt3"),
    "phones": (
        "ok.fmt0",
        "ok.fmt1",
        "ok.fmt2",
        "ok-bare.fmt3",
        "ok-json.fmt3",
        "ok-padded.fmt3",
    ),
}


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(reply(f"{endpoint}/{case}.txt", command), id=f"{endpoint}-{command}-{case}")
        for endpoint, commands in OK_COMMANDS.items()
        for command in commands
        for case in OK_SAMPLES[endpoint]
    ],
)
def test_parse_ok(sample):
    parse_ok(sample)


# (endpoint, command, sample case, class): every change answered with an error, in every fmt.
CHANGE_ERRORS = [
    ("templates", "chg", "error-not-found", SmscNotFound),
    ("templates", "del", "error-save", SmscRejected),
    ("jobs", "del", "error-not-found", SmscNotFound),
    ("jobs", "cancel", "error-not-found", SmscNotFound),
    ("jobs", "cancel", "error-duplicate", SmscRateLimited),
    ("phones", "chg", "error-save", SmscRejected),
    ("phones", "del", "error-not-found", SmscNotFound),
    ("phones", "chg_group", "error-params", SmscBadRequest),
    ("phones", "del_group", "error-not-found", SmscNotFound),
    ("phones", "move_group", "error-auth", SmscAuthError),
    ("phones", "del_black", "error-blocked", SmscBlocked),
]


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        pytest.param(
            reply(f"{endpoint}/{case}.fmt{fmt}.txt", command),
            cls,
            id=f"fmt{fmt}-{endpoint}-{command}-{case}",
        )
        for endpoint, command, case, cls in CHANGE_ERRORS
        for fmt in FMTS
    ],
)
def test_parse_ok_raises_the_envelope(sample, expected):
    with pytest.raises(expected):
        parse_ok(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(reply("phones/not-ok.fmt0.txt", "chg"), id="fmt0-done"),
        pytest.param(reply("phones/not-ok.fmt2.txt", "chg"), id="fmt2-failed"),
        pytest.param(reply("phones/not-ok.fmt3.txt", "chg"), id="fmt3-failed"),
        pytest.param(reply("phones/add.fmt0.txt", "chg"), id="fmt0-an-id"),
        pytest.param(reply("templates/list.fmt3.txt", "chg"), id="fmt3-a-list"),
        pytest.param(reply("templates/add.fmt2.txt", "chg"), id="fmt2-other-root"),
        pytest.param(inline(b"<result>OK<x/></result>", 2), id="fmt2-ok-with-child"),
        pytest.param(inline(b'{"result": 1}', 3), id="fmt3-result-number"),
        pytest.param(inline(b"", 0), id="fmt0-empty"),
        pytest.param(inline(b"<result>OK", 2), id="fmt2-truncated"),
    ],
)
def test_parse_ok_rejects_anything_else(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_ok(sample)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(reply(f"templates/add.fmt{fmt}.txt", "add"), "12", id=f"fmt{fmt}-template")
            for fmt in FMTS
        ),
        *(
            pytest.param(
                reply(f"phones/add.fmt{fmt}.txt", "add"), "5135577", id=f"fmt{fmt}-contact"
            )
            for fmt in FMTS
        ),
        *(
            pytest.param(
                reply(f"phones/add-group.fmt{fmt}.txt", "add_group"), "6003", id=f"fmt{fmt}-group"
            )
            for fmt in FMTS
        ),
        *(
            pytest.param(
                reply(f"phones/add-black.fmt{fmt}.txt", "add_black"), "901", id=f"fmt{fmt}-black"
            )
            for fmt in FMTS
        ),
        pytest.param(reply("templates/add-string-id.fmt3.txt", "add"), "12", id="fmt3-string-id"),
        pytest.param(
            reply("templates/add-equals.fmt0.txt", "add"), "12", id="fmt0-template-equals"
        ),
        pytest.param(
            reply("phones/add-string-id.fmt3.txt", "add"), "5135577", id="fmt3-contact-string-id"
        ),
        pytest.param(reply("phones/add-dash.fmt0.txt", "add"), "5135577", id="fmt0-contact-dash"),
        pytest.param(
            reply("phones/add-result-root.fmt2.txt", "add"), "5135577", id="fmt2-result-root"
        ),
    ],
)
def test_parse_created_id(sample, expected):
    assert parse_created_id(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(
                reply(f"templates/error-save.fmt{fmt}.txt", "add"),
                SmscRejected,
                id=f"fmt{fmt}-template-save-error",
            )
            for fmt in FMTS
        ),
        *(
            pytest.param(
                reply(f"phones/error-save.fmt{fmt}.txt", "add"),
                SmscRejected,
                id=f"fmt{fmt}-contact-save-error",
            )
            for fmt in FMTS
        ),
        *(
            pytest.param(
                reply(f"phones/error-save.fmt{fmt}.txt", "add_group"),
                SmscRejected,
                id=f"fmt{fmt}-group-duplicate-number",
            )
            for fmt in FMTS
        ),
        *(
            pytest.param(
                reply(f"phones/error-params.fmt{fmt}.txt", "add_black"),
                SmscBadRequest,
                id=f"fmt{fmt}-black-params",
            )
            for fmt in FMTS
        ),
    ],
)
def test_parse_created_id_raises_the_envelope(sample, expected):
    with pytest.raises(expected):
        parse_created_id(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(reply("phones/add-bad-id.fmt3.txt", "add"), id="fmt3-word-id"),
        pytest.param(reply("phones/add-negative-id.fmt3.txt", "add"), id="fmt3-negative-id"),
        pytest.param(reply("phones/add-bad-id.fmt2.txt", "add"), id="fmt2-word-id"),
        pytest.param(reply("phones/add-repeated-id.fmt2.txt", "add"), id="fmt2-repeated-id"),
        pytest.param(reply("phones/add-wrong-root.fmt2.txt", "add"), id="fmt2-wrong-root"),
        pytest.param(reply("phones/add-no-id.fmt3.txt", "add"), id="fmt3-no-id"),
        pytest.param(reply("phones/ok.fmt0.txt", "add"), id="fmt0-ok-is-no-id"),
        pytest.param(reply("templates/list.fmt3.txt", "add"), id="fmt3-a-list"),
        pytest.param(inline(b'{"id": true}', 3, command="add"), id="fmt3-bool-id"),
        pytest.param(inline(b"ID - 1.5", 0, command="add"), id="fmt0-decimal-id"),
    ],
)
def test_parse_created_id_rejects_anything_else(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_created_id(sample)
