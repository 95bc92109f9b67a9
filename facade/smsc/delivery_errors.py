"""SMSC's delivery error codes (`err` of status.php, of a refused recipient, of a status
callback) and what each means: smsc-messages-notes.md §2.4.

Codes 0-220 are SMSC's own page (the SMPP one, assumed equal to the HTTP one); 239-255 come from a
transcription of SMSC's tables; 237 and 238 only from export tables of two peer projects. A code
not listed has no meaning the facade can name: `delivery_error` gives None and the code is kept.
"""

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["DELIVERY_ERRORS", "delivery_error"]

DELIVERY_ERRORS: Mapping[int, str] = MappingProxyType(
    {
        0: "No error (subscriber exists and is reachable)",
        1: "Subscriber does not exist",
        6: "Subscriber offline or out of coverage",
        11: "Service not provided (no SMS service, roaming without SMS, landline)",
        12: "Error in the handset or SIM",
        13: "Subscriber blocked",
        21: "Service not supported by the device",
        200: "Virtual sending (test mode)",
        219: "SIM card replaced",
        220: "Operator-side queue for this subscriber overflowed",
        237: "Subscriber did not answer",
        238: "No template (sending allowed only by a registered template)",
        239: "Forbidden sender IP address",
        240: "Subscriber busy",
        241: "Conversion error, or not all parts delivered",
        242: "Answering machine detected",
        243: "No contract",
        244: "Mailing prohibited",
        245: "Status not received",
        246: "Time restriction",
        247: "Message limit exceeded",
        248: "No route to this number",
        249: "Wrong number format",
        250: "Number prohibited by the account settings",
        251: "Per-number daily limit exceeded",
        252: "Number prohibited",
        253: "Prohibited by the spam filter",
        254: "Unregistered sender ID",
        255: "Rejected by the operator without a precise code",
    }
)


def delivery_error(code: int | None) -> str | None:
    """What delivery error `code` means; None for no code or one SMSC has not documented."""
    return None if code is None else DELIVERY_ERRORS.get(code)
