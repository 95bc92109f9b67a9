"""The `jobPreview` query: what createJob would send for the same input, without asking SMSC.

schema.py merges `PreviewQuery` into the Query type.
"""

from typing import Annotated

import strawberry

from facade.domain import jobs
from facade.graphql.errors import InvalidInputError
from facade.graphql.inputs import CreateJob
from facade.graphql.types import MessageSegments


@strawberry.type(description="One recipient list of a job and what its text takes as SMS.")
class MessagePreview:
    recipients: list[str] = strawberry.field(description="Group numbers appear as G<number>.")
    message: str | None = strawberry.field(
        description="Null when a template gives the text or the channel sends none."
    )
    segments: MessageSegments | None = strawberry.field(
        description="Of the text as given, before any transliteration."
    )


@strawberry.type(description="What createJob would send for the same input; SMSC is not asked.")
class JobPreview:
    messages: list[MessagePreview]
    sms_count: int | None = strawberry.field(
        description="SMS parts over all recipients, for the SMS and FLASH channels; null when "
        "a template or group numbers hide the text or the recipients."
    )

    @classmethod
    def of(cls, spec: jobs.JobSpec) -> "JobPreview":
        lines: list[tuple[tuple[str, ...], str | None]] = [
            (line.phones, line.message) for line in spec.messages
        ] or [(spec.phones, spec.message)]
        previews = [
            MessagePreview(
                recipients=list(phones),
                message=text,
                segments=None if text is None else MessageSegments.of(text),
            )
            for phones, text in lines
        ]
        return cls(messages=previews, sms_count=_sms_count(spec.channel, previews))


def _sms_count(channel: jobs.Channel, previews: list[MessagePreview]) -> int | None:
    if channel not in _SMS_CHANNELS:
        return None
    total = 0
    for preview in previews:
        if preview.segments is None or _has_group(preview.recipients):
            return None
        total += len(preview.recipients) * preview.segments.parts
    return total


_SMS_CHANNELS = frozenset({jobs.Channel.SMS, jobs.Channel.FLASH})


def _has_group(recipients: list[str]) -> bool:
    return any(recipient.startswith("G") for recipient in recipients)


JobPreviewResult = Annotated[JobPreview | InvalidInputError, strawberry.union("JobPreviewResult")]


@strawberry.type
class PreviewQuery:
    @strawberry.field(
        description="What createJob would send for this input: validated, and its SMS parts "
        "counted, without asking SMSC.",
    )
    def job_preview(self, input: CreateJob) -> JobPreviewResult:
        return JobPreview.of(input.to_domain())


__all__ = ["JobPreview", "PreviewQuery"]
