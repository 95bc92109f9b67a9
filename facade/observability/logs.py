"""Logs: `text` for people, `json` (one object a line) for machines, a request id on every line.

Each HTTP request gets an id (a sane incoming `X-Request-ID`, else a new one), answered in the
`X-Request-ID` header and carried by a context variable into every log record made while the
request is served, the upstream layer's included: `RequestIdFilter` copies it onto the record, so
the modules that log need to know nothing about it. The redaction of secrets happens earlier,
when the record is made (`facade.credentials.redaction`).
"""

import contextvars
import datetime
import json
import logging
import re
import sys
from typing import Any, Final

REQUEST_ID: Final[contextvars.ContextVar[str | None]] = contextvars.ContextVar(
    "facade_request_id", default=None
)
REQUEST_ID_HEADER: Final = "x-request-id"
_SANE_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STANDARD: Final = frozenset(vars(logging.LogRecord("", logging.NOTSET, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def accepted_request_id(value: str | None) -> str | None:
    """An incoming id worth keeping (a proxy's), or None: ids land in logs, so only a safe shape."""
    return value if value is not None and _SANE_ID.fullmatch(value) else None


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id, the
    record's `extra=` fields, and the traceback as text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def fields_shown() -> bool:
    """Whether the configured format shows records' `extra=` fields (JSON does, text does not):
    without a reader, the access log spares itself building them, once a request."""
    return _fields_shown


_fields_shown = True


def configure(level: str, log_format: str) -> logging.Handler:
    """Route every logger (ours, httpx, uvicorn, strawberry) through one stderr handler."""
    global _fields_shown  # the process's logging setup is global, as logging's own
    _fields_shown = log_format == "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    # No format here shows a record's source line, thread or process: not looking them up makes
    # every record cheaper, the access log's one a request included (Logging HOWTO,
    # "Optimization": https://docs.python.org/3/howto/logging.html#optimization).
    logging._srcfile = None  # the documented switch for the caller lookup
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)
        uvicorn_logger.disabled = False
    return handler
