"""The public enums, exposed: each is the domain's enum, under its own name and docstring.

Registered before any type is derived (`facade.graphql.derive` imports this module), so a field
of a derived type finds its enum already a strawberry enum.
"""

import enum as std_enum
import inspect
from typing import Final

import strawberry

from facade.domain.blacklist import BlockScope
from facade.domain.downloads import DownloadTaskStatus
from facade.domain.groups import GroupKind
from facade.domain.jobs import Channel, JobStatus, Repeat, Transliteration, Voice
from facade.domain.messages import MessageStatus
from facade.domain.segments import SmsEncoding
from facade.domain.templates import MessageFormat


def description(cls: type) -> str | None:
    """A docstring as one paragraph: the description GraphQL prints."""
    doc = cls.__dict__.get("__doc__")
    return None if not doc else " ".join(inspect.cleandoc(doc).split())


ENUMS: Final[tuple[type[std_enum.Enum], ...]] = (
    BlockScope,
    Channel,
    DownloadTaskStatus,
    GroupKind,
    JobStatus,
    MessageFormat,
    MessageStatus,
    Repeat,
    SmsEncoding,
    Transliteration,
    Voice,
)

for _enum in ENUMS:
    strawberry.enum(_enum, description=description(_enum))

__all__ = [
    "ENUMS",
    "BlockScope",
    "Channel",
    "DownloadTaskStatus",
    "GroupKind",
    "JobStatus",
    "MessageFormat",
    "MessageStatus",
    "Repeat",
    "SmsEncoding",
    "Transliteration",
    "Voice",
    "description",
]
