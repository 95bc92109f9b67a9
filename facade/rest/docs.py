"""`/docs`: Swagger UI over `/openapi.json`, from files the service serves itself (no CDN).

The page is a shell with no API shape in it, so it is served without a token; its script
(`static/docs.js`) fetches `/openapi.json`, first asking for a client token when the service
answers 401 (outside sandbox mode), keeps the token in the tab's sessionStorage, and gives it to
Swagger UI's Authorize, so "Try it out" sends it. Swagger UI's files are `vendored.SWAGGER_UI`
(`make docs-ui-assets`; a wheel carries them); without them the page says how to install them.
Everything is loaded from this origin, under a Content-Security-Policy that allows nothing else.
"""

import html
import logging
import pathlib
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from facade import vendored
from facade.static import IMMUTABLE, REVALIDATE, PageFiles

logger = logging.getLogger(__name__)

DOCS_PATH: Final = "/docs"
ASSETS_PATH: Final = "/docs/assets"
STATIC_DIR: Final = pathlib.Path(__file__).with_name("static")
VENDOR_PATH: Final = f"{ASSETS_PATH}/{vendored.SWAGGER_UI.target.relative_to(STATIC_DIR)}"
# Self only. Swagger UI draws its icons from data: URIs in its CSS, and sets styles through the
# DOM, which `style-src 'self'` allows (only markup's `style` attributes and elements need more).
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_PAGE_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": REVALIDATE,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="%(css)s" integrity="%(css_integrity)s">
<link rel="stylesheet" href="%(assets)s/docs.css">
</head>
<body>
<form id="token-form" class="token-form" hidden>
<label for="token">Client token</label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Show the API</button>
<p id="token-message" class="token-message" role="status"></p>
</form>
<div id="swagger-ui" data-spec="%(spec)s"></div>
<script src="%(js)s" integrity="%(js_integrity)s"></script>
<script src="%(assets)s/docs.js"></script>
</body>
</html>
"""

_MISSING_PAGE: Final = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>%(title)s</title>
<link rel="stylesheet" href="%(assets)s/docs.css"></head>
<body class="missing">
<h1>Swagger UI is not installed</h1>
<p>The REST API is served, and <a href="%(spec)s">%(spec)s</a> describes it (with a client token
outside sandbox mode), but Swagger UI's files were not installed with the service.</p>
<p>In a checkout of the repository, run <code>%(command)s</code> and restart the service.
A wheel built with <code>pip wheel .</code> or <code>python -m build</code> carries them.</p>
</body>
</html>
"""


def render_page(title: str, *, spec_url: str = "/openapi.json") -> str:
    """The page shell: Swagger UI's files and `docs.js`, which loads `spec_url`."""
    css, js = (_asset(path) for path in ("swagger-ui.css", "swagger-ui-bundle.js"))
    return _PAGE % {
        "title": html.escape(title),
        "css": f"{VENDOR_PATH}/{css.key}",
        "css_integrity": css.integrity,
        "js": f"{VENDOR_PATH}/{js.key}",
        "js_integrity": js.integrity,
        "assets": ASSETS_PATH,
        "spec": html.escape(spec_url),
    }


def render_missing_page(title: str, *, spec_url: str = "/openapi.json") -> str:
    """What `/docs` says when Swagger UI's files are missing: how to install them."""
    return _MISSING_PAGE % {
        "title": html.escape(title),
        "assets": ASSETS_PATH,
        "spec": html.escape(spec_url),
        "command": html.escape(vendored.SWAGGER_UI.make_target),
    }


def _asset(path: str) -> vendored.Asset:
    return next(asset for asset in vendored.SWAGGER_UI.assets if asset.path == path)


def docs_routes(title: str, vendor_dir: pathlib.Path | None = None) -> list[BaseRoute]:
    """`/docs` and its files, for everyone: the page holds no API shape. Swagger UI's files
    are served from `vendor_dir` (default: where `vendored.SWAGGER_UI` installs them)."""
    where = vendored.SWAGGER_UI.target if vendor_dir is None else vendor_dir
    missing = vendored.SWAGGER_UI.missing(where)
    if missing:
        logger.warning(
            "Swagger UI's files are not installed in %s (%s): /docs shows how to install them "
            "(`%s`)",
            where,
            ", ".join(missing),
            vendored.SWAGGER_UI.make_target,
        )
    page = render_missing_page(title) if missing else render_page(title)

    async def docs(_: Request) -> Response:
        return HTMLResponse(page, headers=_PAGE_HEADERS)

    routes: list[BaseRoute] = [Route(DOCS_PATH, docs)]
    if not missing:
        vendor = PageFiles(directory=where, cache_control=IMMUTABLE)
        routes.append(Mount(VENDOR_PATH, app=vendor, name="docs-vendor"))
    own = PageFiles(directory=STATIC_DIR, cache_control=REVALIDATE, flat=True)
    routes.append(Mount(ASSETS_PATH, app=own, name="docs-assets"))
    return routes


__all__ = [
    "ASSETS_PATH",
    "CONTENT_SECURITY_POLICY",
    "DOCS_PATH",
    "STATIC_DIR",
    "docs_routes",
    "render_missing_page",
    "render_page",
]
