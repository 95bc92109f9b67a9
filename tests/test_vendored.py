"""The browser files the service serves itself: pinned by npm manifests, copied in checked."""

import dataclasses
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

from facade import vendored
from facade.errors import ConfigError

ROOT = pathlib.Path(__file__).parents[1]


@pytest.mark.parametrize("bundle", vendored.BUNDLES, ids=lambda bundle: bundle.npm_dir)
def test_each_file_is_of_a_version_the_lock_pins(bundle: vendored.Bundle) -> None:
    npm_dir = ROOT / bundle.npm_dir
    pinned = json.loads((npm_dir / "package.json").read_text())["dependencies"]
    locked = json.loads((npm_dir / "package-lock.json").read_text())["packages"]
    for asset in bundle.assets:
        assert pinned[asset.package] == asset.version
        assert locked[f"node_modules/{asset.package}"]["version"] == asset.version
        assert asset.key == f"{asset.package}@{asset.version}/{asset.path}"


@pytest.mark.parametrize("bundle", vendored.BUNDLES, ids=lambda bundle: bundle.npm_dir)
def test_the_installed_files_are_the_pinned_ones(bundle: vendored.Bundle) -> None:
    assert bundle.missing() == []
    for asset in bundle.assets:
        assert asset.matches((bundle.target / asset.key).read_bytes())


def test_install_copies_byte_for_byte_and_replaces_the_target(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "vendor"
    bundle = dataclasses.replace(vendored.SWAGGER_UI, target=target)
    node_modules = ROOT / bundle.npm_dir / "node_modules"
    (target / "old@1").mkdir(parents=True)
    (target / "old@1" / "stale.js").write_text("old")

    vendored.install_bundle(bundle, ROOT)

    installed = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert installed == sorted(asset.key for asset in bundle.assets)
    for asset in bundle.assets:
        source = node_modules / asset.package / asset.path
        assert (target / asset.key).read_bytes() == source.read_bytes()
    assert bundle.missing() == []
    assert bundle.missing(tmp_path / "absent") == [asset.key for asset in bundle.assets]


def test_install_refuses_another_file_and_leaves_the_target(tmp_path: pathlib.Path) -> None:
    bundle = vendored.SWAGGER_UI
    node_modules = tmp_path / "node_modules"
    for asset in bundle.assets:
        copy = node_modules / asset.package / asset.path
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / bundle.npm_dir / "node_modules" / asset.package / asset.path, copy)
    tampered = bundle.assets[-1]
    with (node_modules / tampered.package / tampered.path).open("a") as file:
        file.write("\n")
    target = tmp_path / "vendor"
    target.mkdir()
    (target / "kept.txt").write_text("kept")

    with pytest.raises(ConfigError, match=f"pin {tampered.package} {tampered.version} in x.json"):
        vendored.install(bundle.assets, node_modules, target, pinned_in="x.json")

    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".staged")] == []
    assert (target / "kept.txt").read_text() == "kept"


def test_a_wheel_build_imports_it_with_no_dependency_installed() -> None:
    """setup.py imports `facade.vendored` before anything is installed: the standard library,
    and `facade.errors`, only (`-S`: no site-packages)."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from facade import vendored; "
        "print(sorted(m for m in sys.modules if m.startswith('facade')))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter on our own module
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['facade', 'facade.errors', 'facade.vendored']"
