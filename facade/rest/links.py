"""Where the URLs the REST API writes point (`next`, `Link`, `Location`): under the configured
public URL (`FACADE_PUBLIC_URL`), else relative.

Never at the request's `Host` or `X-Forwarded-Host`: whoever sends the request chooses those,
and a kept body (`kept.py`) would hand such a link to every other client of the account. A
relative reference (RFC 3986 §4.2: an absolute path and a query) resolves against the URL the
client asked, whatever host that was.
"""

import dataclasses
from urllib.parse import quote, urlsplit


@dataclasses.dataclass(frozen=True, slots=True)
class Links:
    """`public_url` is `http(s)://host[:port][/prefix]`, without a query, a fragment or
    credentials (`facade.settings` checks it); a trailing slash is dropped."""

    public_url: str | None = None

    def __post_init__(self) -> None:
        if self.public_url is None:
            return
        parts = urlsplit(self.public_url)
        if (
            parts.scheme not in {"http", "https"}
            or not parts.hostname
            or parts.username is not None
            or parts.password is not None
            or parts.query
            or parts.fragment
        ):
            raise ValueError("public_url: expected http(s)://host[:port][/prefix]")
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))

    def url(self, path: str, query: str = "") -> str:
        """The URL of `path` (the service's own, from `/`) and an encoded `query`."""
        if not path.startswith("/") or path.startswith("//"):
            # `//host/...` would be a network-path reference: another host.
            raise ValueError(f"{path!r} is not an absolute path")
        target = f"{path}?{query}" if query else path
        return target if self.public_url is None else self.public_url + target


def segment(value: str) -> str:
    """`value` (a phone, an e-mail address, an id) as one path segment: percent-encoded UTF-8,
    "@" as it is (RFC 3986 allows it in a segment), so a header carries ASCII alone."""
    return quote(value, safe="@")


__all__ = ["Links", "segment"]
