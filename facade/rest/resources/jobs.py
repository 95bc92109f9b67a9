"""`/v1/jobs`: mailings (jobs.php), the same calls as GraphQL's jobs, job, createJob, cancelJob
and deleteJob.

A job cannot be changed once SMSC has it (jobs.php has no change command): there is no PATCH;
cancel a waiting job (`POST /v1/jobs/{id}/cancel`), or delete it and create another.
"""

from pydantic import Field

from facade.domain import jobs
from facade.domain.rules import job_dates
from facade.errors import ErrorCode, RateLimitedError, UpstreamError
from facade.rest.inputs import IdPath
from facade.rest.operations import Call, NoParams, Params, Reply, Resource
from facade.upstream.exchange import Freshness
from facade.upstream.settling import JobSettling
from facade.vocabulary.fields import Day
from facade.vocabulary.jobs import CreatedJob, CreateJob, Job

PREFIX = "/v1/jobs"

resource = Resource(
    PREFIX,
    tag="Jobs",
    description="Mailings. A job cannot be changed once created (SMSC has no such command): "
    "cancel it while it waits, or delete it.",
    examples={"id": "2013"},
)


class JobsQuery(Params):
    since: Day | None = Field(
        default=None, description="Jobs created on or after this day (Moscow time)."
    )
    until: Day | None = Field(
        default=None, description="Jobs created on or before this day (Moscow time)."
    )


@resource.get(
    "",
    "listJobs",
    "Jobs created between two days, inclusive.",
    response=list[Job],
    cache="jobs.get_all",
    description="Days of the years 2000-2099, spanning at most 366 (`until` defaults to today). "
    "Without `since`, SMSC gives the last 10 of the last two months.",
)
async def list_jobs(call: Call[NoParams, JobsQuery, None]) -> Reply:
    fetched = await call.smsc.jobs(job_dates(call.query.since, call.query.until))
    return Reply.read([Job.from_domain(job) for job in fetched.value], fetched)


def created_reply(created: jobs.JobCreated) -> Reply:
    return Reply.created(CreatedJob.from_domain(created), f"{PREFIX}/{created.id}")


@resource.post(
    "",
    "createJob",
    "Create a mailing: send now, later, or again and again.",
    response=CreatedJob,
    status=201,
    description="Answers the new job's id (and its cost when `withCost` asked for it); "
    "`Location` is the job, as SMSC reports it. Under an `Idempotency-Key`, a creation whose "
    "answer from SMSC was lost is settled when repeated: the job found in SMSC's list (its "
    "cost then null), or a 422 saying it was not created.",
    settling=lambda call: JobSettling(call.smsc, created_reply),
)
async def create_job(call: Call[NoParams, NoParams, CreateJob]) -> Reply:
    return created_reply(await call.smsc.create_job(call.body.to_domain()))


@resource.get(
    "/{id}",
    "getJob",
    "One job, as SMSC reports it.",
    response=Job,
    cache="jobs.get",
    errors=(ErrorCode.NOT_FOUND,),
)
async def get_job(call: Call[IdPath, NoParams, None]) -> Reply:
    fetched = await call.smsc.job(call.path.id)
    return Reply.read(Job.from_domain(fetched.value), fetched)


@resource.delete(
    "/{id}",
    "deleteJob",
    "Delete a job, whatever its status.",
    status=204,
    errors=(ErrorCode.NOT_FOUND,),
)
async def delete_job(call: Call[IdPath, NoParams, None]) -> Reply:
    await call.smsc.delete_job(call.path.id)
    return Reply.no_content()


@resource.post(
    "/{id}/cancel",
    "cancelJob",
    "Cancel a job that is waiting to be sent.",
    response=Job,
    empty=(204,),
    errors=(ErrorCode.NOT_FOUND,),
    description="Answers the job as SMSC now reports it, or 204 when the job was cancelled but "
    "cannot be read fresh now. SMSC refuses to cancel a job that is not waiting with its "
    "error 3, which is answered 404 (`upstreamCode` 3).",
)
async def cancel_job(call: Call[IdPath, NoParams, None]) -> Reply:
    await call.smsc.cancel_job(call.path.id)
    try:
        fetched = await call.smsc.job(call.path.id)
    except (RateLimitedError, UpstreamError):
        return Reply.no_content()
    if fetched.freshness is Freshness.STALE:
        return Reply.no_content()
    return Reply(Job.from_domain(fetched.value))
