"""The browser files the facade serves (GraphiQL's at /graphql, Swagger UI's at /docs): one
`StaticFiles` for both APIs' pages.

Each file gets its media type from the facade (RFC 9239 for JavaScript), not from the machine's
mime.types; `nosniff`; and the page's cache policy: versioned URLs (unpkg's layout) never change,
a page's own files may with a release.
"""

import os
import pathlib
from typing import Final

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"
_CONTENT_TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


class PageFiles(StaticFiles):
    """A page's files, with their media type, `nosniff` and `cache_control`; `flat`: only those
    directly in `directory` (the page's own, not the installed ones beside them)."""

    def __init__(self, *, directory: pathlib.Path, cache_control: str, flat: bool = False) -> None:
        super().__init__(directory=directory)
        self._cache_control = cache_control
        self._flat = flat

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if self._flat and pathlib.PurePosixPath(path).parent != pathlib.PurePosixPath("."):
            return "", None
        return super().lookup_path(path)

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
        response.headers["Cache-Control"] = self._cache_control
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


__all__ = ["IMMUTABLE", "REVALIDATE", "PageFiles"]
