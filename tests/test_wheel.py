"""The wheel, as it would be built from what is about to be committed: it carries GraphiQL's and
Swagger UI's files (setup.py fetches them with `npm ci`), so the installed service serves both
pages with no npm and no source tree; in headless Chromium neither page requests anything off
the machine, and a request made from `/docs` ("Try it out") succeeds.

The source is a copy of the working tree's tracked and new files (`git ls-files`), so neither
node_modules nor the files `make` installed are in it. The fresh venv holds the wheel alone;
the dependencies are the dev venv's, put on its path (a `.pth` file, which imports nothing of
the checkout), so the test needs no package index. It takes a minute: npm ci, then pip.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

import httpx
import pytest

from facade import vendored
from tests.loopback import free_port, running
from tests.offline_browser import (
    LOOPBACK,
    offline_page,
    open_docs,
    run_graphiql_example,
    stays_on_machine,
    try_it_out,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([LOOPBACK])]

ROOT = pathlib.Path(__file__).parents[1]
BUILD_TIMEOUT = 600


def _run(
    args: list[str], *, cwd: pathlib.Path | None = None, env: dict[str, str] | None = None
) -> str:
    result = subprocess.run(  # noqa: S603 - our own tools on our own tree
        args, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False, cwd=cwd, env=env
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _copy_of_the_tree(target: pathlib.Path) -> pathlib.Path:
    """Tracked files and new ones not ignored, as they are in the working tree."""
    listed = _run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    )
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _fresh_venv(where: pathlib.Path, wheel: pathlib.Path) -> pathlib.Path:
    _run([sys.executable, "-m", "venv", "--without-pip", str(where)])
    python = where / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", str(wheel)])
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    dependencies = sysconfig.get_path("purelib")
    pathlib.Path(site.strip(), "dev-dependencies.pth").write_text(dependencies + "\n")
    return python


def test_the_wheel_serves_both_pages_offline(tmp_path: pathlib.Path) -> None:
    if shutil.which("npm") is None:
        pytest.fail("npm is missing: building the wheel needs it (apt-get install npm)")
    source = _copy_of_the_tree(tmp_path / "src")
    for bundle in vendored.BUNDLES:
        assert not (source / bundle.npm_dir / "node_modules").exists()
        assert not (source / bundle.target.relative_to(vendored.PACKAGE_DIR.parent)).exists()

    environ = {**os.environ, "npm_config_prefer_offline": "true", "npm_config_fund": "false"}
    wheels = tmp_path / "wheels"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps"]
    _run([*pip_wheel, "--wheel-dir", str(wheels), str(source)], env=environ)
    (wheel,) = wheels.glob("smsc_facade-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for bundle in vendored.BUNDLES:
        prefix = bundle.target.relative_to(vendored.PACKAGE_DIR.parent).as_posix()
        assert {f"{prefix}/{asset.key}" for asset in bundle.assets} <= names
    assert {"facade/rest/static/docs.js", "facade/rest/static/docs.css"} <= names
    outside = [name for name in names if not name.startswith(("facade/", "smsc_facade-"))]
    assert not outside
    assert not [name for name in names if "node_modules" in name or ".staged" in name]

    python = _fresh_venv(tmp_path / "venv", wheel)
    home = tmp_path / "home"
    home.mkdir()
    where = _run([str(python), "-c", "import facade; print(facade.__file__)"], cwd=home)
    assert where.startswith(str(tmp_path / "venv"))

    port = free_port()
    env = {"FACADE_DATA_DIR": str(home / "data")}
    with (
        running(
            ["serve", "--port", str(port)],
            ready_path="/healthz",
            port=port,
            env=env,
            cwd=home,
            python=str(python),
        ),
        offline_page() as (page, traffic),
    ):
        base = f"http://{LOOPBACK}:{port}"
        result = run_graphiql_example(page, base)
        open_docs(page, base)
        status, body = try_it_out(page)
        rest = httpx.get(f"{base}/v1/templates").json()

    assert result["data"]["templates"]
    assert status == 200
    assert body == rest
    for path in ("/graphql/assets/", "/docs/assets/vendor/", "/openapi.json", "/v1/templates"):
        assert any(url.startswith(f"{base}{path}") for url in traffic.requested), path
    assert all(stays_on_machine(url) for url in traffic.requested)
    assert not traffic.blocked
    assert not traffic.violations
    assert not traffic.errors


def test_the_sdist_carries_what_a_wheel_build_needs(tmp_path: pathlib.Path) -> None:
    """`python -m build` builds the wheel from the sdist: the npm manifests must be in it."""
    source = _copy_of_the_tree(tmp_path / "src")
    build = f"from setuptools import build_meta; print(build_meta.build_sdist({str(tmp_path)!r}))"
    name = _run([sys.executable, "-c", build], cwd=source).split()[-1]
    with tarfile.open(tmp_path / name) as sdist:
        members = {member.split("/", 1)[1] for member in sdist.getnames() if "/" in member}

    assert {
        "setup.py",
        "MANIFEST.in",
        "facade/vendored.py",
        "facade/rest/static/docs.js",
    } <= members
    for bundle in vendored.BUNDLES:
        for manifest in ("package.json", "package-lock.json", ".npmrc"):
            assert f"{bundle.npm_dir}/{manifest}" in members
