"""`unescaped`: a JSON body holds its non-ASCII text as UTF-8, not as `\\uXXXX` escapes."""

import json
from typing import Any


def unescaped(raw: bytes | str, text: str) -> Any:
    """`raw` is JSON holding `text` as it is, and no `\\uXXXX` escape anywhere; parsed."""
    raw = raw.encode() if isinstance(raw, str) else raw
    assert text.encode() in raw, raw
    assert b"\\u" not in raw, raw
    return json.loads(raw)
