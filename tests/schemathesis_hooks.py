"""schemathesis hooks for runs against the facade (`schemathesis.toml` loads them for `st run`;
`tests/rest/test_schemathesis.py` imports them).

`Idempotency-Key` is "any unique string, new for each change you mean to make"
(`/openapi.json`). Generated keys are short and repeat (hypothesis tries `0` first, in every
operation), and a key that comes back with another request is refused with 422, as it must be:
such a run measures key reuse, not the operations. So a well-formed generated key is made unique,
as a client following the document makes it; a malformed one is sent as generated, to be refused.
"""

import re
import uuid
from typing import Any, Final

import schemathesis

from facade.rest.idempotent import HEADER
from facade.upstream.idempotency import KEY_PATTERN, MAX_KEY_LENGTH

_KEY: Final = re.compile(KEY_PATTERN)


def unique_key(value: str) -> str:
    """`value` made unique, still within the key's rule; a value outside the rule, unchanged."""
    if len(value) > MAX_KEY_LENGTH or not _KEY.fullmatch(value):
        return value
    return f"{value[: MAX_KEY_LENGTH - 37]}-{uuid.uuid4()}"


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case[Any], **kwargs: Any) -> None:
    key = case.headers.get(HEADER)
    if isinstance(key, str):
        case.headers[HEADER] = unique_key(key)
