"""The last line of defence: secrets are masked in every log record, from any logger, as it is made.

Errors are built without secrets in the first place (`facade.upstream`); this catches what slips
through anyway: a library that logs a request, a traceback that quotes a body, an `extra=` value.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any

from facade.smsc.secrets import Redactor

__all__ = ["RedactingFilter", "install", "redact_record"]

_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.NOTSET, "", 0, "", (), None))
) | {"message", "asctime"}

# A record's attributes left as they are: the standard ones, but for `message` (a formatted one).
_REDACTED_ANYWAY = _STANDARD_ATTRIBUTES - {"message"}

_Factory = Callable[..., logging.LogRecord]


def redact_record(record: logging.LogRecord, redactor: Redactor) -> None:
    """Mask secrets in `record`, in place.

    The message: its arguments are masked one by one when that masks the whole message (so
    formatters that read `args`, as uvicorn's access log does, still work), else the message is
    formatted, masked and left without arguments. A traceback is formatted and masked into
    `exc_text`, and `exc_info` dropped: no formatter or error tracker gets the live exception,
    whose frames and attributes may hold what its text does not. Then `stack_info` and every
    attribute that `extra=` added.
    """
    _redact_message(record, redactor)
    if record.exc_info:
        text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        record.exc_text = redactor.redact(text)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redactor.redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor.redact(record.stack_info)
    attributes = vars(record)
    for key in attributes.keys() - _REDACTED_ANYWAY:
        setattr(record, key, _redact_value(attributes[key], redactor))


def install(redactor: Redactor) -> Callable[[], None]:
    """Redact every log record as it is made; returns the function that undoes it.

    Wraps the log record factory once: installing again only replaces the redactor. Undoing it
    restores the factory found on the first install, unless something has wrapped the factory
    since, in which case redaction stays on rather than take that wrapper away.
    """
    current = logging.getLogRecordFactory()
    if isinstance(current, _RedactingFactory):
        current.redactor = redactor
        factory = current
    else:
        factory = _RedactingFactory(current, redactor)
        logging.setLogRecordFactory(factory)

    def uninstall() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(factory.inner)

    return uninstall


class RedactingFilter(logging.Filter):
    """`redact_record` as a filter, for handlers set up by `dictConfig` (uvicorn's `log_config`)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self.redactor)
        return True


class _RedactingFactory:
    def __init__(self, inner: _Factory, redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        redact_record(record, self.redactor)
        # `Logger.makeRecord` adds `extra=` after the factory returns, by item assignment.
        record.__dict__ = _ExtraRedactingDict(vars(record), self.redactor)
        return record


class _ExtraRedactingDict(dict[str, Any]):
    """A record's `__dict__` that masks values assigned to it as items, as `extra=` is."""

    __slots__ = ("_redactor",)

    def __init__(self, items: Mapping[str, Any], redactor: Redactor) -> None:
        super().__init__(items)
        self._redactor = redactor

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in _STANDARD_ATTRIBUTES:
            value = _redact_value(value, self._redactor)
        super().__setitem__(key, value)

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        # Copies and pickles are plain dicts: the redactor, which holds the secrets, stays here.
        return dict, (dict(self),)


def _redact_message(record: logging.LogRecord, redactor: Redactor) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed log call must neither fail nor leak its args
        record.msg = redactor.redact(f"{_text(record.msg)} {_text(record.args)}")
        record.args = ()
        return
    redacted = redactor.redact(message)
    if redacted == message:
        return
    if isinstance(record.msg, str) and record.args:
        msg = redactor.redact(record.msg)
        args = _redact_args(record.args, redactor)
        try:
            kept = msg % args == redacted
        except (TypeError, ValueError, KeyError):  # a masked argument no longer fits its format
            kept = False
        if kept:
            record.msg, record.args = msg, args
            return
    record.msg, record.args = redacted, ()


def _redact_args(
    args: tuple[object, ...] | Mapping[str, object], redactor: Redactor
) -> tuple[object, ...] | Mapping[str, object]:
    if isinstance(args, tuple):
        return tuple(_redact_value(arg, redactor) for arg in args)
    return {key: _redact_value(arg, redactor) for key, arg in args.items()}


def _redact_value(value: object, redactor: Redactor) -> object:
    """A string masked; a number as it is; anything else as it is unless its text holds a secret,
    then that text masked."""
    if isinstance(value, str):
        return redactor.redact(value)
    if value is None or isinstance(value, int | float):
        return value
    text = _text(value)
    redacted = redactor.redact(text)
    return value if redacted == text else redacted


def _text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - logging must not fail on an object that cannot print itself
        return object.__repr__(value)
