"""jobs.php: a created job's id (and cost), one job (`get`) and the job list (`get_all`).

`add` (smsc-jobs.txt; smsc-api-notes.md §3.3): fmt 0 `OK, ID - 7` (`, COST - 1.40` with `cost=1`),
fmt 1 `7` or `7,1.40`, fmt 2 `<result><id>7</id><cost>1.40</cost></result>`, fmt 3
`{"id": 7, "cost": "1.40"}` (cost a string). `get`/`get_all` records are an assumption the
emulator shares (docs/smsc-wire.md): `id, name, status, created, time, cnt, message`, status 0-4
known and any other kept as `JobStatus.UNKNOWN` with its raw number; `get` answers one record.
A name ending in the facade's marker (` [fx:<10 base32>]`, `facade.domain.jobs.marked_name`) is
read without it, and the marker is kept beside it.
"""

import decimal
import re
from typing import TYPE_CHECKING

from facade.domain.jobs import Job, JobCreated, split_marked_name
from facade.smsc.enums import JOB_STATUSES
from facade.smsc.envelope import json_id, raise_for_envelope, xml_child_text
from facade.smsc.parse.documents import load_json, load_xml
from facade.smsc.parse.fields import CODE, ID, INT, MOMENT, TEXT, Field, Record
from facade.smsc.parse.records import RecordSpec, read_list, read_one

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["parse_job", "parse_job_created", "parse_jobs"]

_COST = r"[0-9]+(?:\.[0-9]+)?"
_CREATED_TEXT = re.compile(
    rf"(?:(?:OK\s*,\s*)?ID\s*-\s*(?P<id>[0-9]+)(?:\s*,\s*COST\s*-\s*(?P<cost>{_COST}))?)"
    rf"|(?:(?P<bare_id>[0-9]+)(?:,(?P<bare_cost>{_COST}))?)"
)
_COST_TEXT = re.compile(_COST)

SPEC = RecordSpec(
    fields=(
        Field("id", ID),
        Field("name", TEXT, optional=True),
        Field("status", CODE),
        Field("created", MOMENT, optional=True, omissible=True),
        Field("time", MOMENT, optional=True, omissible=True),
        Field("cnt", INT, optional=True, omissible=True),
        Field("message", TEXT, optional=True),
    ),
    xml_item="job",
)


def parse_job_created(reply: "Reply") -> JobCreated:
    """The id of the job `add` created, with its cost when `cost=1` asked for it."""
    raise_for_envelope(reply)
    text = reply.text().strip()
    if text.startswith("<"):
        root = load_xml(reply, text)
        if root.tag == "result":
            id_ = xml_child_text(reply, root, "id")
            if id_ is not None:
                return JobCreated(
                    id=json_id(reply, id_.strip()),
                    cost=_cost(reply, xml_child_text(reply, root, "cost")),
                )
    elif text.startswith("{"):
        document = load_json(reply, text)
        if isinstance(document, dict) and "id" in document:
            return JobCreated(
                id=json_id(reply, document["id"]), cost=_cost(reply, document.get("cost"))
            )
    else:
        match = _CREATED_TEXT.fullmatch(text)
        if match is not None:
            return JobCreated(
                id=match["id"] or match["bare_id"],
                cost=_cost(reply, match["cost"] or match["bare_cost"]),
            )
    raise reply.protocol_error("expected the id of the created job")


def parse_job(reply: "Reply") -> Job:
    """The job of a `get` reply (a list holding exactly one is accepted too); error 3 is
    SmscNotFound here (`facade.smsc.codes.ERROR_OVERRIDES`)."""
    return read_one(reply, SPEC, _job)


def parse_jobs(reply: "Reply") -> list[Job]:
    """The jobs of a `get_all` reply; error 3 or an empty list read as `[]`."""
    return read_list(reply, SPEC, _job)


def _cost(reply: "Reply", value: object) -> decimal.Decimal | None:
    """A cost written as a string (`"1.40"`), a JSON number, or absent."""
    if value is None:
        return None
    if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _COST_TEXT.fullmatch(value.strip()):
        return decimal.Decimal(value.strip())
    raise reply.protocol_error("the cost is not a decimal number")


def _job(record: Record) -> Job:
    status_raw = record.integer("status")
    name, marker = split_marked_name(record.text("name"))
    return Job(
        id=record.text("id"),
        name=name,
        marker=marker,
        status=JOB_STATUSES.decode(status_raw),
        status_raw=status_raw,
        created_at=record.moment("created"),
        send_at=record.moment("time"),
        recipient_count=record.optional_integer("cnt"),
        message=record.text("message"),
    )
