import pytest

from facade.errors import (
    ErrorCode,
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscMessageDenied,
    SmscNoMoney,
    SmscNotFound,
    SmscRateLimited,
    SmscRecipientRejected,
    SmscRejected,
)
from facade.smsc.codes import ERROR_CLASSES, ERROR_OVERRIDES, error_class, error_for
from facade.smsc.wire import Endpoint

T, J, P, G, D, S, ST, B = (
    Endpoint.TEMPLATES,
    Endpoint.JOBS,
    Endpoint.PHONES,
    Endpoint.GET,
    Endpoint.DOWNLOADS,
    Endpoint.SEND,
    Endpoint.STATUS,
    Endpoint.BALANCE,
)


@pytest.mark.parametrize(
    ("endpoint", "command", "code", "expected"),
    [
        *(
            pytest.param(endpoint, "get", 1, SmscBadRequest, id=f"{endpoint}-1-params")
            for endpoint in Endpoint
        ),
        *(
            pytest.param(endpoint, "get", 2, SmscAuthError, id=f"{endpoint}-2-auth")
            for endpoint in Endpoint
        ),
        *(
            pytest.param(endpoint, "get", 4, SmscBlocked, id=f"{endpoint}-4-blocked")
            for endpoint in Endpoint
        ),
        *(
            pytest.param(endpoint, "get", 9, SmscRateLimited, id=f"{endpoint}-9-duplicate")
            for endpoint in Endpoint
        ),
        pytest.param(P, "chg", 3, SmscNotFound, id="phones-3-not-found"),
        pytest.param(P, "add_group", 5, SmscRejected, id="phones-5-save-error"),
        pytest.param(T, "chg", 3, SmscNotFound, id="templates-3-not-found"),
        pytest.param(T, "add", 5, SmscRejected, id="templates-5-save-error"),
        pytest.param(G, "get_answers", 3, SmscNotFound, id="get-3-not-found"),
        pytest.param(D, "get_file", 3, SmscNotFound, id="downloads-3-not-found"),
        pytest.param(J, "add", 3, SmscRejected, id="jobs-add-3-save-error"),
        pytest.param(J, "get_all", 3, SmscRejected, id="jobs-get-all-3-save-error"),
        pytest.param(J, "add", 5, SmscBadRequest, id="jobs-5-invalid-date"),
        pytest.param(J, "get", 3, SmscNotFound, id="jobs-get-3-override"),
        pytest.param(J, "del", 3, SmscNotFound, id="jobs-del-3-override"),
        pytest.param(J, "cancel", 3, SmscNotFound, id="jobs-cancel-3-override"),
        pytest.param(J, "get", 5, SmscBadRequest, id="jobs-get-5-no-override"),
        pytest.param(P, "add", 6, SmscRejected, id="phones-6-denied"),
        pytest.param(T, "add", 7, SmscRejected, id="templates-7"),
        pytest.param(J, "add", 8, SmscRejected, id="jobs-8"),
        pytest.param(G, "get_answers", 5, SmscRejected, id="get-5-undocumented"),
        pytest.param(D, "get_list", 15, SmscRejected, id="downloads-unknown-code"),
        pytest.param(P, "get", 0, SmscRejected, id="phones-code-0"),
        *(
            pytest.param(S, command, code, cls, id=f"send-{command}-{code}")
            for command in ("send", "cost")
            for code, cls in [
                (1, SmscBadRequest),
                (2, SmscAuthError),
                (3, SmscNoMoney),
                (4, SmscBlocked),
                (5, SmscBadRequest),
                (6, SmscMessageDenied),
                (7, SmscRecipientRejected),
                (8, SmscRecipientRejected),
                (9, SmscRateLimited),
                (10, SmscRejected),
            ]
        ),
        pytest.param(ST, "get", 3, SmscRejected, id="status-3-undocumented"),
        pytest.param(ST, "get", 7, SmscRejected, id="status-7-undocumented"),
        pytest.param(B, "get", 3, SmscRejected, id="balance-3-undocumented"),
    ],
)
def test_error_class(endpoint, command, code, expected):
    assert error_class(endpoint, command, code) is expected


def test_error_for_carries_code_description_and_endpoint():
    error = error_for(Endpoint.PHONES, "del_group", 3, "record not found")
    assert type(error) is SmscNotFound
    assert error.upstream_code == 3
    assert error.description == "record not found"
    assert error.endpoint == "/sys/phones.php?del_group"
    assert error.code is ErrorCode.NOT_FOUND
    assert str(error) == "SMSC has no such record (SMSC error 3)."
    assert error.diagnostic == "SMSC /sys/phones.php?del_group error 3: record not found"


def test_tables_cover_every_endpoint_and_overrides_only_jobs():
    assert {endpoint for endpoint, _ in ERROR_CLASSES} == set(Endpoint)
    assert all((endpoint, code) in ERROR_CLASSES for endpoint, _, code in ERROR_OVERRIDES)
    assert {command for _, command, _ in ERROR_OVERRIDES} == {"get", "del", "cancel"}


def test_error_for_keeps_the_message_id():
    error = error_for(S, "send", 6, "message is denied", message_id="fx2")
    assert type(error) is SmscMessageDenied
    assert error.message_id == "fx2"
    assert error.code is ErrorCode.MESSAGE_DENIED
    assert str(error) == "SMSC denied the message for its text or its sender (SMSC error 6)."
    assert error_for(S, "cost", 3, "no money").message_id is None
