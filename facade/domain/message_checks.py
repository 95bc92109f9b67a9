"""What a `MessageSpec` must be as a whole before send.php can be told it.

`check_message` is the last step of `facade.vocabulary.messages.SendMessage.to_domain`, after each
field's own rule. The options a message shares with a job are held to the job's rules, by the same
code (`job_checks.check_send_options`); each refusal is an `InputError` naming the public field.
"""

from facade.domain.bounds import MAX_MESSAGE_PARTS, MAX_MESSAGE_RECIPIENTS
from facade.domain.job_checks import (
    CHANNELS_WITHOUT_MESSAGE,
    VALUE_SEPARATORS,
    check_message_text,
    check_send_options,
    check_values,
)
from facade.domain.messages import MessageSpec
from facade.errors import InputError

__all__ = ["check_message"]


def check_message(spec: MessageSpec) -> MessageSpec:
    """`spec`, if SMSC can be told it; else the `InputError` of the first fault."""
    if not spec.phones:
        raise InputError("phones", "give at least one recipient")
    if len(spec.phones) > MAX_MESSAGE_RECIPIENTS:
        raise InputError(
            "phones", f"give at most {MAX_MESSAGE_RECIPIENTS} recipients; more is a job"
        )
    check_values(spec.phones, "phones", VALUE_SEPARATORS)
    if len(set(spec.phones)) != len(spec.phones):
        raise InputError("phones", "each recipient once")
    if spec.message is not None:
        check_message_text(spec.message, "message")
    elif spec.channel not in CHANNELS_WITHOUT_MESSAGE:
        raise InputError("message", "give a message")
    if spec.max_parts is not None and not 1 <= spec.max_parts <= MAX_MESSAGE_PARTS:
        raise InputError("maxParts", f"must be between 1 and {MAX_MESSAGE_PARTS}")
    check_send_options(spec)
    return spec
