"""GraphiQL with no CDN: strawberry's page, its seven unpkg files served by the service itself.

`make graphiql-assets` installs graphiql/package.json (the versions strawberry's page pins) with
`npm ci` and copies the files the page loads into `static/assets/`, in unpkg's own layout
(`<package>@<version>/<path>`), checking each against the page's SRI hash, so the page only swaps
the unpkg origin for `/graphql/assets` and its `integrity` attributes stay valid.
"""

import base64
import dataclasses
import functools
import hashlib
import json
import os
import pathlib
import re
import shutil

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from strawberry.http.ides import get_graphql_ide_html

from facade.errors import ConfigError

ASSETS_PATH = "/graphql/assets"
ASSETS_DIR = pathlib.Path(__file__).with_name("static") / "assets"
MAKE_TARGET = "make graphiql-assets"
# Every URL names an exact package version, so a file never changes under its URL.
CACHE_CONTROL = "public, max-age=31536000, immutable"

SANDBOX_EXAMPLE_QUERY = """\
# Sandbox mode: demo data from the built-in emulator.
# Run this with the play button or Ctrl-Enter.
{
  templates {
    id
    name
    message
    segments {
      encoding
      parts
    }
  }
}
"""

_CDN = "https://unpkg.com/"
_CDN_ASSET = re.compile(
    r'"https://unpkg\.com/(?P<key>(?P<package>(?:@[^/"]+/)?[^/@"]+)@(?P<version>[^/"]+)/(?P<path>[^"]+))"'
    r'\s+integrity="(?P<integrity>sha384-[^"]+)"'
)
_FETCH_URL = re.compile(r'const fetchURL = window\.location\.href\.split\("\?"\)\[0\];')
_EXAMPLE_QUERY = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
# RFC 9239 for JavaScript; set here rather than guessed from the machine's mime.types.
_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclasses.dataclass(frozen=True, slots=True)
class Asset:
    """One file strawberry's page loads: `key` is `<package>@<version>/<path>`, as on unpkg."""

    key: str
    package: str
    version: str
    path: str
    integrity: str

    def matches(self, content: bytes) -> bool:
        """Whether `content` has the page's SRI hash (W3C Subresource Integrity, sha384)."""
        digest = base64.b64encode(hashlib.sha384(content).digest()).decode()
        return self.integrity == f"sha384-{digest}"


def assets() -> tuple[Asset, ...]:
    """The files strawberry's GraphiQL page loads from unpkg, with their SRI hashes."""
    return tuple(
        Asset(m["key"], m["package"], m["version"], m["path"], m["integrity"])
        for m in _CDN_ASSET.finditer(get_graphql_ide_html("graphiql"))
    )


def render_page(*, endpoint: str = "/graphql", example_query: str | None = None) -> str:
    """strawberry's GraphiQL page loading its files from `ASSETS_PATH`, querying `endpoint`."""
    return _render_page(endpoint, example_query)


@functools.lru_cache(maxsize=8)
def _render_page(endpoint: str, example_query: str | None) -> str:
    page = get_graphql_ide_html("graphiql").replace(_CDN, f"{ASSETS_PATH}/")
    fetch_url = f"const fetchURL = new URL({_js_string(endpoint)}, window.location.href).href;"
    page = _replace_once(page, _FETCH_URL, fetch_url)
    if example_query is not None:
        page = _replace_once(
            page, _EXAMPLE_QUERY, f"const EXAMPLE_QUERY = {_js_string(example_query)};"
        )
    return page


def _replace_once(page: str, pattern: re.Pattern[str], replacement: str) -> str:
    replaced, count = pattern.subn(lambda _: replacement, page)
    if count != 1:
        raise RuntimeError(
            f"strawberry's GraphiQL page changed: {pattern.pattern!r} not found once"
        )
    return replaced


def _js_string(value: str) -> str:
    """A JavaScript string literal that cannot close the surrounding <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def asset_routes(assets_dir: pathlib.Path = ASSETS_DIR) -> list[BaseRoute]:
    """The mount serving the page's files; raises `ConfigError` when they were not installed."""
    missing = [asset.key for asset in assets() if not (assets_dir / asset.key).is_file()]
    if missing:
        raise ConfigError(
            [
                f"GraphiQL assets are missing from {assets_dir} ({', '.join(missing)}): "
                f"run `{MAKE_TARGET}`"
            ]
        )
    return [Mount(ASSETS_PATH, app=_AssetFiles(directory=assets_dir), name="graphiql-assets")]


class _AssetFiles(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        suffix = pathlib.PurePath(full_path).suffix
        response.headers["Content-Type"] = _CONTENT_TYPES.get(suffix, response.media_type or "")
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install_assets(
    node_modules: str | os.PathLike[str], assets_dir: pathlib.Path = ASSETS_DIR
) -> None:
    """Copy the page's files out of `npm ci`'s `node_modules`, each checked against its SRI hash.

    What `make graphiql-assets` runs; `assets_dir` is replaced whole, so no stale file survives.
    """
    staged = assets_dir.with_name(f"{assets_dir.name}.staged")
    shutil.rmtree(staged, ignore_errors=True)
    for asset in assets():
        source = pathlib.Path(node_modules, asset.package, asset.path)
        content = source.read_bytes()
        if not asset.matches(content):
            raise ConfigError(
                [
                    f"{source} is not the file strawberry's GraphiQL page loads ({asset.key}, "
                    f"{asset.integrity}): pin {asset.package} {asset.version} in graphiql/package.json"
                ]
            )
        target = staged / asset.key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    shutil.rmtree(assets_dir, ignore_errors=True)
    staged.rename(assets_dir)
