import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _log_record_factory() -> Iterator[None]:
    """`create_app` installs secret redaction into logging, process-wide; each test starts and
    ends without it, as a new process would."""
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)
