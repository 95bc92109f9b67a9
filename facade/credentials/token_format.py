"""What a client token looks like: a fixed prefix that secret scanners can match, then 32 random
bytes in URL-safe base64 (43 characters, no padding)."""

import re
from typing import Final

TOKEN_PREFIX: Final = "smscf_"  # noqa: S105 - a public prefix, not a secret
TOKEN_BYTES: Final = 32
TOKEN_LENGTH: Final = len(TOKEN_PREFIX) + 43
# Matches any token, issued here or not: the redaction filter and the URL check use it.
TOKEN_PATTERN: Final = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{43}")


def looks_like_token(text: str) -> bool:
    """True if `text` holds something shaped like a client token (anywhere in it)."""
    return TOKEN_PREFIX in text
