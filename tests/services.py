"""The programs that tests drive for real (redis-server, chromium), where `make test` puts them.

`scripts/test-services` links each into the venv's bin directory, from a registry package or
else Debian's. A missing one fails the test that needs it, naming what to install; never a skip.
"""

import os
import shutil
import sysconfig
from pathlib import Path

import pytest


def service_binary(name: str) -> str:
    """`FACADE_TEST_<NAME>` if set, else the venv's bin/<name>, else <name> on PATH."""
    override = os.environ.get("FACADE_TEST_" + name.upper().replace("-", "_"))
    if override:
        return override
    in_venv = Path(sysconfig.get_path("scripts")) / name
    if os.access(in_venv, os.X_OK):
        return str(in_venv)
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(
            f"{name} is missing: run `make test` (it installs it) or `apt-get install {name}`",
            pytrace=False,
        )
    return on_path
