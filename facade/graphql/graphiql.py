"""GraphiQL with no CDN: strawberry's page, its seven unpkg files served by the service itself.

`make graphiql-assets` (and building a wheel, `setup.py`) installs graphiql/package.json (the
versions strawberry's page pins) with `npm ci` and copies the files the page loads into
`static/assets/`, in unpkg's own layout (`<package>@<version>/<path>`), checking each against the
page's SRI hash, so the page only swaps the unpkg origin for `/graphql/assets` and its `integrity`
attributes stay valid. Without them (a checkout that never ran it) the API is served all the
same, and the page says how to get them.
"""

import functools
import html
import json
import logging
import os
import pathlib
import re

from starlette.routing import BaseRoute, Mount
from strawberry.http.ides import get_graphql_ide_html

from facade import vendored
from facade.static import IMMUTABLE, PageFiles
from facade.vendored import Asset

logger = logging.getLogger(__name__)

ASSETS_PATH = "/graphql/assets"
ASSETS_DIR = vendored.GRAPHIQL.target
MAKE_TARGET = vendored.GRAPHIQL.make_target

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


_MISSING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphiQL is not installed</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:3em auto;padding:0 1em">
<h1>GraphiQL is not installed</h1>
<p>This service answers GraphQL at <code>/graphql</code> (POST a query, or a WebSocket for
subscriptions), but GraphiQL's files were not installed with it.</p>
<p>In a checkout of the repository, run <code>%(command)s</code> and restart the service.
A wheel built with <code>pip wheel .</code> or <code>python -m build</code> carries them.</p>
</body></html>
"""


def missing_assets(assets_dir: pathlib.Path | None = None) -> list[str]:
    """The page's files not installed in `assets_dir` (default `ASSETS_DIR`)."""
    where = ASSETS_DIR if assets_dir is None else assets_dir
    return [asset.key for asset in assets() if not (where / asset.key).is_file()]


def render_missing_page() -> str:
    """What a browser gets at `/graphql` when the files are missing: how to install them (the
    directory they were looked for in is logged, not shown)."""
    return _MISSING_PAGE % {"command": html.escape(MAKE_TARGET)}


def asset_routes(assets_dir: pathlib.Path | None = None) -> list[BaseRoute]:
    """The mount serving the page's files; none, with a warning, when they are not installed:
    the API does not need them."""
    where = ASSETS_DIR if assets_dir is None else assets_dir
    missing = missing_assets(where)
    if missing:
        logger.warning(
            "GraphiQL's files are not installed in %s (%s): /graphql shows how to install "
            "them (`%s`)",
            where,
            ", ".join(missing),
            MAKE_TARGET,
        )
        return []
    # Every URL names an exact package version, so a file never changes under its URL.
    files = PageFiles(directory=where, cache_control=IMMUTABLE)
    return [Mount(ASSETS_PATH, app=files, name="graphiql-assets")]


def install_assets(
    node_modules: str | os.PathLike[str], assets_dir: pathlib.Path | None = None
) -> None:
    """Copy the page's files out of `npm ci`'s `node_modules`, each checked against its SRI hash.

    What `make graphiql-assets` runs; `assets_dir` is replaced whole, so no stale file survives.
    """
    where = ASSETS_DIR if assets_dir is None else assets_dir
    vendored.install(assets(), node_modules, where, pinned_in="graphiql/package.json")
