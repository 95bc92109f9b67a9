"""The Query type: every SMSC area, read through the account's `SmscClient`.

Each resolver checks its arguments first (an `InputError` naming the public argument, before any
upstream call), reads through `Context.unwrap` (which records the read's freshness under the
top-level field) and converts with `<Type>.from_domain`.
"""

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from facade.domain.answers import MAX_ANSWER_HOURS, AnswerQuery
from facade.domain.blacklist import BlacklistQuery
from facade.domain.contacts import ContactQuery
from facade.domain.rules import (
    job_dates,
    require_id,
    require_int,
    require_listed_phone,
    search_text,
)
from facade.errors import SmscNotFound
from facade.graphql.connections import (
    AnswerConnection,
    ContactConnection,
    answer_connection,
    answers_page,
    contact_connection,
    contacts_page,
)
from facade.graphql.context import Context
from facade.graphql.types import (
    BlacklistEntry,
    DownloadTask,
    Group,
    Job,
    Template,
)
from facade.vocabulary.paging import DEFAULT_PAGE_SIZE


@strawberry.type
class Query:
    @strawberry.field(description="Every message template of the account.")
    async def templates(self, info: Info[Context, None]) -> list[Template]:
        found = info.context.unwrap(info, await info.context.smsc.templates())
        return [Template.from_domain(template) for template in found]

    @strawberry.field(description="One template; null when the account has none with that id.")
    async def template(self, info: Info[Context, None], id: strawberry.ID) -> Template | None:
        wanted = require_id(id, "id")
        found = info.context.unwrap(info, await info.context.smsc.templates())
        return next((Template.from_domain(t) for t in found if t.id == wanted), None)

    @strawberry.field(
        description="Jobs created between two days, inclusive (Moscow time), days of the years "
        "2000-2099 spanning at most 366 (`until` defaults to today). Without `since`, SMSC gives "
        "the last 10 of the last two months."
    )
    async def jobs(
        self, info: Info[Context, None], since: dt.date | None = None, until: dt.date | None = None
    ) -> list[Job]:
        query = job_dates(since, until)
        found = info.context.unwrap(info, await info.context.smsc.jobs(query))
        return [Job.from_domain(job) for job in found]

    @strawberry.field(description="One job; null when SMSC does not know the id.")
    async def job(self, info: Info[Context, None], id: strawberry.ID) -> Job | None:
        wanted = require_id(id, "id")
        try:
            found = info.context.unwrap(info, await info.context.smsc.job(wanted))
        except SmscNotFound:
            return None
        return Job.from_domain(found)

    @strawberry.field(
        description="Contacts, optionally those matching `search`, a page at a time "
        "(`first` 1-100, default 20)."
    )
    async def contacts(
        self,
        info: Info[Context, None],
        search: str | None = None,
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> ContactConnection:
        query = ContactQuery(search=search_text(search))
        request = contacts_page(first, after)
        found = info.context.unwrap(info, await info.context.smsc.contacts(query))
        return contact_connection(found, request)

    @strawberry.field(description="Every contact group of the account.")
    async def groups(self, info: Info[Context, None]) -> list[Group]:
        found = info.context.unwrap(info, await info.context.smsc.groups())
        return [Group.from_domain(group) for group in found]

    @strawberry.field(description="One contact group; null when the account has none with that id.")
    async def group(self, info: Info[Context, None], id: strawberry.ID) -> Group | None:
        wanted = require_id(id, "id")
        found = info.context.unwrap(info, await info.context.smsc.groups())
        return next((Group.from_domain(g) for g in found if g.id == wanted), None)

    @strawberry.field(description="Phones that get no messages, or no mass messages.")
    async def blacklist(
        self,
        info: Info[Context, None],
        emails: Annotated[
            bool,
            strawberry.argument(
                description="The e-mail blacklist (blocked e-mail addresses) instead."
            ),
        ] = False,
    ) -> list[BlacklistEntry]:
        query = BlacklistQuery(emails=emails)
        found = info.context.unwrap(info, await info.context.smsc.blacklist(query))
        return [BlacklistEntry.from_domain(entry) for entry in found]

    @strawberry.field(
        description="Incoming messages of the last `sinceHours` (1-168; SMSC's default is 24), "
        "optionally only those sent to `toPhone`, oldest first, a page at a time."
    )
    async def answers(
        self,
        info: Info[Context, None],
        since_hours: int | None = None,
        to_phone: str | None = None,
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> AnswerConnection:
        if since_hours is not None:
            require_int(since_hours, "sinceHours", 1, MAX_ANSWER_HOURS)
        phone = None if to_phone is None else require_listed_phone(to_phone, "toPhone")
        request = answers_page(first, after)
        query = AnswerQuery(hours=since_hours, to_phone=phone)
        found = info.context.unwrap(info, await info.context.smsc.answers(query))
        return answer_connection(found, request)

    @strawberry.field(description="The account's download (export) tasks.")
    async def download_tasks(self, info: Info[Context, None]) -> list[DownloadTask]:
        found = info.context.unwrap(info, await info.context.smsc.download_tasks())
        return [DownloadTask.from_domain(task) for task in found]
