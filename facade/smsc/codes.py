"""SMSC's error codes: which exception each (endpoint, code) raises, in one table.

A code means different things on different scripts (smsc-api-notes.md §1.6; STYLE.md B4): 3 is
"no records found" on phones.php but "error saving a record" on jobs.php, and 5 is a save error on
phones.php and templates.php but "invalid date format" on jobs.php, and 3 is "no money" on
send.php. Codes no page documents (6, 7, 8 outside send.php, anything new) are rejections.
"""

from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscError,
    SmscMessageDenied,
    SmscNoMoney,
    SmscNotFound,
    SmscRateLimited,
    SmscRecipientRejected,
    SmscRejected,
)
from facade.smsc.wire import Endpoint

__all__ = ["ERROR_CLASSES", "ERROR_OVERRIDES", "error_class", "error_for"]

_T = Endpoint.TEMPLATES
_J = Endpoint.JOBS
_P = Endpoint.PHONES
_G = Endpoint.GET
_D = Endpoint.DOWNLOADS
_S = Endpoint.SEND
_ST = Endpoint.STATUS
_B = Endpoint.BALANCE

# (endpoint, code) → class. Sources: smsc-contacts-responses.txt (phones.php), smsc-jobs.txt via
# smsc-api-notes.md §1.6 (jobs.php), smsc-templates.txt, smsc-answers.txt (get.php: 1, 2, 4, 9),
# docs/smsc-wire.md (3 "record not found" on get.php and downloads.php); smsc-messages-notes.md
# §1.4 (send.php, the cost request included), §2.2 and §3 (status.php, balance.php: 1, 2, 4, 9).
ERROR_CLASSES: dict[tuple[Endpoint, int], type[SmscError]] = {
    (_T, 1): SmscBadRequest,
    (_T, 2): SmscAuthError,
    (_T, 3): SmscNotFound,  # "The record was not found."
    (_T, 4): SmscBlocked,
    (_T, 5): SmscRejected,  # "Save or delete error."
    (_T, 9): SmscRateLimited,
    (_J, 1): SmscBadRequest,
    (_J, 2): SmscAuthError,
    (_J, 3): SmscRejected,  # "error saving a record"; see ERROR_OVERRIDES for unknown ids
    (_J, 4): SmscBlocked,
    (_J, 5): SmscBadRequest,  # "invalid date format" (time, start, end)
    (_J, 9): SmscRateLimited,
    (_P, 1): SmscBadRequest,
    (_P, 2): SmscAuthError,
    (_P, 3): SmscNotFound,  # "record not found" / "no records found"
    (_P, 4): SmscBlocked,
    (_P, 5): SmscRejected,  # "save error": duplicate group number or phone, blank name
    (_P, 9): SmscRateLimited,
    (_G, 1): SmscBadRequest,
    (_G, 2): SmscAuthError,
    (_G, 3): SmscNotFound,
    (_G, 4): SmscBlocked,
    (_G, 9): SmscRateLimited,
    (_D, 1): SmscBadRequest,
    (_D, 2): SmscAuthError,
    (_D, 3): SmscNotFound,  # unknown task, or one not completed yet
    (_D, 4): SmscBlocked,
    (_D, 9): SmscRateLimited,
    (_S, 1): SmscBadRequest,
    (_S, 2): SmscAuthError,
    (_S, 3): SmscNoMoney,
    (_S, 4): SmscBlocked,
    (_S, 5): SmscBadRequest,  # the format of `time`
    (_S, 6): SmscMessageDenied,  # by its text or its sender
    (_S, 7): SmscRecipientRejected,  # invalid number(s)
    (_S, 8): SmscRecipientRejected,  # cannot deliver to the number
    (_S, 9): SmscRateLimited,
    (_ST, 1): SmscBadRequest,
    (_ST, 2): SmscAuthError,
    (_ST, 4): SmscBlocked,
    (_ST, 9): SmscRateLimited,
    (_B, 1): SmscBadRequest,
    (_B, 2): SmscAuthError,
    (_B, 4): SmscBlocked,
    (_B, 9): SmscRateLimited,
}

# (endpoint, command, code) → class, where a command gives a code another meaning. jobs.php's page
# calls 3 "error saving a record", but for `get`, `del` and `cancel` of an unknown id the wire spec
# (docs/smsc-wire.md, an assumption the emulator shares) answers 3 `record not found`: nothing is
# saved by those commands, so 3 can only mean the job is not there.
ERROR_OVERRIDES: dict[tuple[Endpoint, str, int], type[SmscError]] = {
    (_J, "get", 3): SmscNotFound,
    (_J, "del", 3): SmscNotFound,
    (_J, "cancel", 3): SmscNotFound,
}

DEFAULT_ERROR_CLASS: type[SmscError] = SmscRejected


def error_class(endpoint: Endpoint, command: str, code: int) -> type[SmscError]:
    """The class for `code` from `command` on `endpoint`; unknown codes are rejections."""
    override = ERROR_OVERRIDES.get((endpoint, command, code))
    if override is not None:
        return override
    return ERROR_CLASSES.get((endpoint, code), DEFAULT_ERROR_CLASS)


def error_for(
    endpoint: Endpoint,
    command: str,
    code: int,
    description: str,
    *,
    message_id: str | None = None,
) -> SmscError:
    """The exception for SMSC's error envelope `code (description)` from `command`, with the
    message id send.php adds to errors 3, 6, 7 and 8 (smsc-messages-notes.md §1.4)."""
    cls = error_class(endpoint, command, code)
    return cls(code, description, endpoint=f"{endpoint.path}?{command}", message_id=message_id)
