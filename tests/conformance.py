"""`make conformance`: schemathesis's CLI over every operation of a served facade, as issue 17
measured it: 25 examples an operation, every phase (examples, coverage, fuzzing, stateful), the
response checks below, and `schemathesis.toml` (its hooks; a warning that an operation mostly
rejected the data generated from its own schema fails the run). The sandbox service runs on a
free loopback port with a fresh data directory. About five minutes; not part of `make test`,
whose `tests/rest/test_schemathesis.py` runs the same checks in process.
"""

import pathlib
import subprocess
import sys
import tempfile
from typing import Final

from tests.loopback import free_port, running

ROOT: Final = pathlib.Path(__file__).resolve().parents[1]
MAX_EXAMPLES: Final = 25
CHECKS: Final = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


def main() -> int:
    port = free_port()
    st = pathlib.Path(sys.executable).with_name("st")
    with (
        tempfile.TemporaryDirectory(prefix="facade-conformance-") as data,
        open(pathlib.Path(data) / "facade.log", "w") as log,
        running(
            ["serve", "--host", "127.0.0.1", "--port", str(port)],
            ready_path="/readyz",
            port=port,
            env={"FACADE_DATA_DIR": data},
            log=log,
        ),
    ):
        command = [
            str(st),
            "run",
            f"http://127.0.0.1:{port}/openapi.json",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--checks",
            ",".join(CHECKS),
            *sys.argv[1:],
        ]
        return subprocess.call(command, cwd=ROOT)  # noqa: S603 - schemathesis from our venv


if __name__ == "__main__":
    sys.exit(main())
