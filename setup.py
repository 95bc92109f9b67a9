"""The wheel carries the browser files the service serves (GraphiQL, Swagger UI: `facade/vendored.py`).

Building it copies each bundle's files into the package from `<npm_dir>/node_modules`, running
`npm ci` there first when they are not installed yet, so a wheel built from a clean clone serves
both pages with no npm at run time. Editable installs skip this: a checkout gets the files from
`make graphiql-assets docs-ui-assets`, and serves the API without them.
"""

import pathlib
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from facade import vendored  # noqa: E402 - from this tree, before any dependency is installed

NPM_CI = ("ci", "--ignore-scripts", "--no-audit", "--no-fund")


def _bundle(bundle: vendored.Bundle) -> None:
    """`bundle`'s files into the package, from node_modules as `npm ci` leaves it."""
    if not bundle.missing():
        return
    npm_dir = ROOT / bundle.npm_dir
    node_modules = npm_dir / "node_modules"
    if not _has_sources(bundle, node_modules):
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit(
                f"building the wheel needs npm to fetch {bundle.name}'s files "
                f"({bundle.npm_dir}/package-lock.json), or run `{bundle.make_target}` first"
            )
        subprocess.run([npm, *NPM_CI, "--prefix", str(npm_dir)], check=True)  # noqa: S603
    vendored.install_bundle(bundle, ROOT)


def _has_sources(bundle: vendored.Bundle, node_modules: pathlib.Path) -> bool:
    return all((node_modules / a.package / a.path).is_file() for a in bundle.assets)


class BuildPy(build_py):
    def run(self) -> None:
        if not self.editable_mode:
            for bundle in vendored.BUNDLES:
                _bundle(bundle)
            # The package data was listed before the files existed (egg_info): list it again.
            self.__dict__.pop("data_files", None)
        super().run()


setup(cmdclass={"build_py": BuildPy})
