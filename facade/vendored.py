"""Browser files the service serves itself (GraphiQL, Swagger UI), from npm packages pinned in the
repository: a `Bundle` names the files its page loads, their SRI hashes and where they go.

`install` copies them out of `npm ci`'s node_modules, each checked against its hash, in unpkg's
layout (`<package>@<version>/<path>`, so a file never changes under its URL). `make
graphiql-assets docs-ui-assets` runs it for a checkout, and building a wheel does (`setup.py`), so
an installed service needs no npm. Only the standard library and `facade.errors`: the build
imports this module before any dependency is installed.
"""

import base64
import dataclasses
import hashlib
import os
import pathlib
import shutil

from facade.errors import ConfigError

PACKAGE_DIR = pathlib.Path(__file__).parent


@dataclasses.dataclass(frozen=True, slots=True)
class Asset:
    """One file a page loads: `key` is `<package>@<version>/<path>`, as on unpkg."""

    key: str
    package: str
    version: str
    path: str
    integrity: str

    @classmethod
    def of(cls, package: str, version: str, path: str, integrity: str) -> "Asset":
        return cls(f"{package}@{version}/{path}", package, version, path, integrity)

    def matches(self, content: bytes) -> bool:
        """Whether `content` has this SRI hash (W3C Subresource Integrity, sha384)."""
        digest = base64.b64encode(hashlib.sha384(content).digest()).decode()
        return self.integrity == f"sha384-{digest}"


@dataclasses.dataclass(frozen=True, slots=True)
class Bundle:
    """A page's files: pinned by `<npm_dir>/package-lock.json` (relative to the repository),
    installed into `target` inside the package by `make_target`."""

    name: str
    npm_dir: str
    target: pathlib.Path
    make_target: str
    assets: tuple[Asset, ...]

    def missing(self, directory: pathlib.Path | None = None) -> list[str]:
        """The keys of the files not installed in `directory` (default `target`)."""
        where = self.target if directory is None else directory
        return [asset.key for asset in self.assets if not (where / asset.key).is_file()]


# strawberry's GraphiQL page loads these from unpkg (`facade.graphql.graphiql.assets()` reads
# them from the page; a test keeps the two equal). graphiql/package.json pins the same versions.
GRAPHIQL = Bundle(
    name="GraphiQL",
    npm_dir="graphiql",
    target=PACKAGE_DIR / "graphql" / "static" / "assets",
    make_target="make graphiql-assets",
    assets=(
        Asset.of(
            "react",
            "18.2.0",
            "umd/react.production.min.js",
            "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
        ),
        Asset.of(
            "react-dom",
            "18.2.0",
            "umd/react-dom.production.min.js",
            "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
        ),
        Asset.of(
            "js-cookie",
            "3.0.5",
            "dist/js.cookie.min.js",
            "sha384-/vxhYfM1LENRhdpZ8dwEsQn/X4VhpbEZSiU4m/FwR+PVpzar4fkEOw8FP9Y+OfQN",
        ),
        Asset.of(
            "graphiql",
            "3.8.3",
            "graphiql.min.css",
            "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
        ),
        Asset.of(
            "@graphiql/plugin-explorer",
            "1.0.2",
            "dist/style.css",
            "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
        ),
        Asset.of(
            "graphiql",
            "3.8.3",
            "graphiql.min.js",
            "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
        ),
        Asset.of(
            "@graphiql/plugin-explorer",
            "1.0.2",
            "dist/index.umd.js",
            "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
        ),
    ),
)

# /docs (`facade.rest.docs`): Swagger UI's bundle, as docs-ui/package.json pins it.
SWAGGER_UI = Bundle(
    name="Swagger UI",
    npm_dir="docs-ui",
    target=PACKAGE_DIR / "rest" / "static" / "vendor",
    make_target="make docs-ui-assets",
    assets=(
        Asset.of(
            "swagger-ui-dist",
            "5.36.0",
            "swagger-ui.css",
            "sha384-z/AtSaOHGn5MJ5auAHXUypohywlIWLBZo1jeGmhdpVIbCnFhxAH92cwdV41oyINc",
        ),
        Asset.of(
            "swagger-ui-dist",
            "5.36.0",
            "swagger-ui-bundle.js",
            "sha384-fUpRgC19yPykTqzdrUbdAg8NTiu16NEKf9U12J+IJWCg8/1mEI8f2+PEIz60Wyd+",
        ),
    ),
)

BUNDLES = (GRAPHIQL, SWAGGER_UI)


def install(
    assets: tuple[Asset, ...],
    node_modules: str | os.PathLike[str],
    target: pathlib.Path,
    *,
    pinned_in: str,
) -> None:
    """Copy `assets` out of `node_modules` into `target`, each checked against its SRI hash
    (a mismatch names `pinned_in`, the package.json to fix). `target` is replaced whole, so no
    stale file survives, and only once every file is in place."""
    staged = target.with_name(f"{target.name}.staged")
    shutil.rmtree(staged, ignore_errors=True)
    for asset in assets:
        source = pathlib.Path(node_modules, asset.package, asset.path)
        content = source.read_bytes()
        if not asset.matches(content):
            shutil.rmtree(staged, ignore_errors=True)
            raise ConfigError(
                [
                    f"{source} is not the file the page loads ({asset.key}, {asset.integrity}): "
                    f"pin {asset.package} {asset.version} in {pinned_in}"
                ]
            )
        copy = staged / asset.key
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(content)
    shutil.rmtree(target, ignore_errors=True)
    staged.rename(target)


def install_bundle(bundle: Bundle, root: pathlib.Path) -> None:
    """`bundle`'s files from `<root>/<npm_dir>/node_modules` (after `npm ci`) into its target."""
    npm_dir = root / bundle.npm_dir
    install(
        bundle.assets,
        npm_dir / "node_modules",
        bundle.target,
        pinned_in=f"{bundle.npm_dir}/package.json",
    )


__all__ = [
    "BUNDLES",
    "GRAPHIQL",
    "PACKAGE_DIR",
    "SWAGGER_UI",
    "Asset",
    "Bundle",
    "install",
    "install_bundle",
]
