"""The log record factory and filter: no form of a secret survives in any record of any logger."""

import copy
import logging
import pickle
from collections.abc import Iterator

import pytest
from uvicorn.logging import AccessFormatter

from facade.credentials.redaction import RedactingFilter, install, redact_record
from facade.credentials.token_format import TOKEN_PATTERN
from facade.smsc.commands import Credentials
from facade.smsc.secrets import DEFAULT_MASK, Redactor, pair_forms, secret_forms

LOGIN = "canary-login-Логин"
PASSWORD = "canary-Секрет 42/+&=~?"  # noqa: S105 - a canary to look for, not a credential
TOKEN = "smscf_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0_-Z"
FORMS = sorted(
    secret_forms(LOGIN) | secret_forms(PASSWORD) | pair_forms(LOGIN, PASSWORD) | {TOKEN}, key=len
)
FORMAT = "%(name)s %(levelname)s %(message)s"


class Capture(logging.Handler):
    """Keeps each record and its formatted text."""

    def __init__(self, formatter: logging.Formatter | None = None) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(formatter or logging.Formatter(FORMAT))
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def everything(self) -> str:
        """The formatted lines and every attribute of every record, as text."""
        return self.text + "".join(repr(vars(record)) for record in self.records)


def assert_clean(text: str) -> None:
    assert "canary" not in text
    for form in FORMS:
        assert form not in text


@pytest.fixture
def redactor() -> Redactor:
    credentials = Credentials(login=LOGIN, password=PASSWORD)
    return Redactor.for_credentials(credentials, patterns=[TOKEN_PATTERN])


@pytest.fixture
def installed(redactor: Redactor) -> Iterator[None]:
    uninstall = install(redactor)
    try:
        yield
    finally:
        uninstall()


def capture(name: str, formatter: logging.Formatter | None = None) -> Iterator[Capture]:
    logger = logging.getLogger(name)
    handler = Capture(formatter)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.fixture
def httpx_log() -> Iterator[Capture]:
    yield from capture("httpx")


@pytest.fixture
def access_log() -> Iterator[Capture]:
    yield from capture(
        "uvicorn.access",
        AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False),
    )


@pytest.fixture
def strawberry_log() -> Iterator[Capture]:
    yield from capture("strawberry.execution")


@pytest.fixture
def our_log() -> Iterator[Capture]:
    yield from capture("facade.test")


def _fail_with_secret() -> None:
    raise ValueError(f"bad password {PASSWORD!r} for {LOGIN}")


# --- the factory ------------------------------------------------------------------------------


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize("form", FORMS)
def test_httpx_messages_lose_every_form(httpx_log: Capture, form: str) -> None:
    logging.getLogger("httpx").info("HTTP Request: POST %s %r", f"https://smsc.ru/?psw={form}", 200)

    assert_clean(httpx_log.everything())
    assert f"?psw={DEFAULT_MASK} 200" in httpx_log.text


@pytest.mark.usefixtures("installed")
def test_uvicorn_access_lines_keep_their_args_for_the_access_formatter(
    access_log: Capture,
) -> None:
    logger = logging.getLogger("uvicorn.access")

    logger.info(
        '%s - "%s %s HTTP/%s" %d',
        "10.0.0.7:51000",
        "GET",
        f"/graphql?token={TOKEN}&q=1",
        "1.1",
        200,
    )

    [record] = access_log.records
    assert record.args == (
        "10.0.0.7:51000",
        "GET",
        f"/graphql?token={DEFAULT_MASK}&q=1",
        "1.1",
        200,
    )
    assert (
        access_log.text
        == f'10.0.0.7:51000 - "GET /graphql?token={DEFAULT_MASK}&q=1 HTTP/1.1" 200 OK'
    )
    assert_clean(access_log.everything())


@pytest.mark.usefixtures("installed")
def test_strawberry_exceptions_lose_the_secret_in_message_and_traceback(
    strawberry_log: Capture,
) -> None:
    logger = logging.getLogger("strawberry.execution")

    try:
        _fail_with_secret()
    except ValueError:
        logger.exception("resolver failed for %s", LOGIN)

    [record] = strawberry_log.records
    assert record.exc_info is None
    assert record.exc_text is not None
    assert "Traceback" in record.exc_text
    assert "_fail_with_secret" in record.exc_text
    assert f"bad password '{DEFAULT_MASK}' for {DEFAULT_MASK}" in record.exc_text
    assert strawberry_log.text.startswith(
        f"strawberry.execution ERROR resolver failed for {DEFAULT_MASK}\n"
    )
    assert_clean(strawberry_log.everything())


@pytest.mark.usefixtures("installed")
def test_an_exception_object_as_exc_info_is_formatted_and_dropped(strawberry_log: Capture) -> None:
    try:
        _fail_with_secret()
    except ValueError as exc:
        error = exc
    logging.getLogger("strawberry.execution").error(error, exc_info=error)

    [record] = strawberry_log.records
    assert record.exc_info is None
    assert record.msg == f"bad password '{DEFAULT_MASK}' for {DEFAULT_MASK}"
    assert_clean(strawberry_log.everything())


@pytest.mark.usefixtures("installed")
def test_extra_values_are_masked(our_log: Capture) -> None:
    class Leaky:
        def __str__(self) -> str:
            return f"Leaky({PASSWORD})"

    harmless = object()

    logging.getLogger("facade.test").warning(
        "with extras",
        extra={"detail": f"login={LOGIN}", "obj": Leaky(), "count": 3, "other": harmless},
    )

    [record] = our_log.records
    assert vars(record)["detail"] == f"login={DEFAULT_MASK}"
    assert vars(record)["obj"] == f"Leaky({DEFAULT_MASK})"
    assert vars(record)["count"] == 3
    assert vars(record)["other"] is harmless
    assert_clean(our_log.everything())


@pytest.mark.usefixtures("installed")
def test_stack_info_is_masked(our_log: Capture) -> None:
    logging.getLogger("facade.test").info("here", stack_info=True)  # canary-Секрет 42/+&=~?

    [record] = our_log.records
    assert record.stack_info is not None
    assert "Stack (most recent call last)" in record.stack_info
    assert f"# {DEFAULT_MASK}" in record.stack_info
    assert_clean(our_log.everything())


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize(
    ("msg", "args"),
    [
        pytest.param("%d items", (PASSWORD,), id="wrong-type"),
        pytest.param("%s and %s", (PASSWORD,), id="too-few"),
        pytest.param("%(missing)s", ({"login": LOGIN},), id="missing-key"),
    ],
)
def test_a_malformed_call_neither_fails_nor_leaks(
    our_log: Capture, msg: str, args: tuple[object, ...]
) -> None:
    logging.getLogger("facade.test").info(msg, *args)

    [record] = our_log.records
    assert record.args == ()
    assert DEFAULT_MASK in record.getMessage()
    assert_clean(our_log.everything())


@pytest.mark.usefixtures("installed")
def test_mapping_args_and_a_secret_across_args_are_masked(our_log: Capture) -> None:
    logger = logging.getLogger("facade.test")
    half = len(PASSWORD) // 2

    logger.info("login %(login)s", {"login": LOGIN})
    logger.info("psw=%s%s", PASSWORD[:half], PASSWORD[half:])

    assert our_log.lines == [
        f"facade.test INFO login {DEFAULT_MASK}",
        f"facade.test INFO psw={DEFAULT_MASK}",
    ]
    assert our_log.records[0].args == {"login": DEFAULT_MASK}
    assert our_log.records[1].args == ()
    assert_clean(our_log.everything())


@pytest.mark.usefixtures("installed")
def test_an_argument_that_no_longer_fits_its_format_once_masked(our_log: Capture) -> None:
    class Number:
        def __int__(self) -> int:
            return 7

        def __str__(self) -> str:
            return PASSWORD

    logging.getLogger("facade.test").info("%s has %d", PASSWORD, Number())

    [record] = our_log.records
    assert (record.msg, record.args) == (f"{DEFAULT_MASK} has 7", ())


@pytest.mark.usefixtures("installed")
def test_an_extra_that_cannot_print_itself_is_kept(our_log: Capture) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    value = Unprintable()
    logging.getLogger("facade.test").info("x", extra={"odd": value})

    [record] = our_log.records
    assert vars(record)["odd"] is value


@pytest.mark.usefixtures("installed")
def test_clean_records_keep_their_args_untouched(our_log: Capture) -> None:
    value = object()
    logging.getLogger("facade.test").info("nothing secret: %s %d", value, 7)

    [record] = our_log.records
    assert record.msg == "nothing secret: %s %d"
    assert record.args == (value, 7)


@pytest.mark.usefixtures("installed")
def test_records_still_copy_and_pickle(our_log: Capture) -> None:
    logging.getLogger("facade.test").info("x", extra={"detail": PASSWORD})
    [record] = our_log.records

    pickled = pickle.dumps(record)
    assert b"canary" not in pickled  # the redactor, which holds the secrets, stays behind

    for clone in (copy.copy(record), copy.deepcopy(record), pickle.loads(pickled)):  # noqa: S301 - made here
        assert type(vars(clone)) is dict
        assert vars(clone)["detail"] == DEFAULT_MASK
        assert clone.getMessage() == "x"


def test_install_again_replaces_the_redactor_and_uninstall_restores(our_log: Capture) -> None:
    original = logging.getLogRecordFactory()
    logger = logging.getLogger("facade.test")

    uninstall = install(Redactor(["first-secret"]))
    factory = logging.getLogRecordFactory()
    install(Redactor(["second-secret"]))
    logger.info("first-secret second-secret")

    assert logging.getLogRecordFactory() is factory
    uninstall()
    assert logging.getLogRecordFactory() is original
    logger.info("second-secret")
    assert our_log.lines == [
        f"facade.test INFO first-secret {DEFAULT_MASK}",
        "facade.test INFO second-secret",
    ]


def test_uninstall_leaves_a_factory_installed_on_top_alone() -> None:
    original = logging.getLogRecordFactory()
    uninstall = install(Redactor(["first-secret"]))
    ours = logging.getLogRecordFactory()

    def on_top(*args: object, **kwargs: object) -> logging.LogRecord:
        return ours(*args, **kwargs)

    logging.setLogRecordFactory(on_top)
    try:
        uninstall()
        assert logging.getLogRecordFactory() is on_top
        record = logging.getLogger("facade.test").makeRecord(
            "facade.test", logging.INFO, __file__, 1, "first-secret", (), None
        )
        assert record.getMessage() == DEFAULT_MASK
    finally:
        logging.setLogRecordFactory(original)


# --- the filter -------------------------------------------------------------------------------


def test_the_filter_masks_records_made_without_the_factory(
    redactor: Redactor, our_log: Capture
) -> None:
    our_log.addFilter(RedactingFilter(redactor))
    logger = logging.getLogger("facade.test")

    try:
        _fail_with_secret()
    except ValueError:
        logger.exception("failed: %s", f"/graphql?token={TOKEN}", extra={"detail": PASSWORD})

    [record] = our_log.records
    assert record.getMessage() == f"failed: /graphql?token={DEFAULT_MASK}"
    assert vars(record)["detail"] == DEFAULT_MASK
    assert record.exc_info is None
    assert "ValueError" in our_log.text
    assert_clean(our_log.everything())


def test_redact_record_masks_a_traceback_already_formatted(redactor: Redactor) -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), None)
    record.exc_text = f"Traceback ...\nValueError: {PASSWORD}"

    redact_record(record, redactor)

    assert record.exc_text == f"Traceback ...\nValueError: {DEFAULT_MASK}"


def test_redact_record_masks_an_already_formatted_record(redactor: Redactor) -> None:
    try:
        _fail_with_secret()
    except ValueError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, PASSWORD, (), (type(exc), exc, None)
        )
    logging.Formatter().format(record)  # caches `message` and `exc_text`
    assert record.exc_text is not None
    assert PASSWORD in record.exc_text

    redact_record(record, redactor)

    assert record.exc_info is None
    assert vars(record)["message"] == DEFAULT_MASK
    assert_clean(repr(vars(record)))
