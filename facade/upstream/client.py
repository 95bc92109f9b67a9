"""`SmscClient`: one per SMSC account; typed calls in, domain objects out, each through the
account's guarded exchange (`exchange.py`: cache, single flight, budget, cap, breaker, gate).
"""

import asyncio
from collections.abc import Sequence

from facade.domain import blacklist
from facade.domain.answers import Answer, AnswerQuery
from facade.domain.blacklist import BlacklistDraft, BlacklistEntry, BlacklistQuery
from facade.domain.contacts import Contact, ContactChanges, ContactDraft, ContactQuery
from facade.domain.downloads import DownloadFile, DownloadTask
from facade.domain.groups import Group, GroupDraft, GroupMove
from facade.domain.jobs import Job, JobCreated, JobQuery, JobSpec
from facade.domain.messages import (
    Balance,
    MessageCost,
    MessageRef,
    MessageSent,
    MessageSpec,
    MessageState,
)
from facade.domain.templates import Template, TemplateChanges, TemplateDraft
from facade.errors import RateLimitedError, UpstreamError, UpstreamOutcomeUnknown
from facade.smsc import commands, messages, phonebook
from facade.smsc.enums import BLOCK_SCOPES
from facade.smsc.messages import MAX_STATUS_BATCH
from facade.upstream import effects, reads
from facade.upstream.exchange import Exchange, Fetched, least_fresh
from facade.upstream.job_marker import marked
from facade.upstream.message_ids import sent_from_state, with_id

__all__ = ["SmscClient"]


class SmscClient(Exchange):
    def __repr__(self) -> str:
        return f"SmscClient(account={self.account!r})"

    # reads

    async def templates(self) -> Fetched[list[Template]]:
        return await self._read(commands.list_templates(), effects.TEMPLATES)

    async def jobs(self, query: JobQuery = JobQuery()) -> Fetched[list[Job]]:  # noqa: B008 - frozen
        return await self._read(commands.list_jobs(query), effects.JOBS)

    async def job(self, id: str) -> Fetched[Job]:
        return await self._read(commands.get_job(id), effects.JOBS)

    async def contacts(self, query: ContactQuery = ContactQuery()) -> Fetched[list[Contact]]:  # noqa: B008 - frozen
        return await self._read(phonebook.list_contacts(query), effects.CONTACTS)

    async def groups(self) -> Fetched[list[Group]]:
        return await self._read(phonebook.list_groups(), effects.GROUPS)

    async def blacklist(self, query: BlacklistQuery | None = None) -> Fetched[list[BlacklistEntry]]:
        """The phones' blacklist, or with `query.emails` the e-mail one (cached apart)."""
        query = query or BlacklistQuery()
        return await self._read(
            phonebook.list_blacklist(query), effects.blacklist_tag(query.emails)
        )

    async def answers(self, query: AnswerQuery = AnswerQuery()) -> Fetched[list[Answer]]:  # noqa: B008 - frozen
        return await self._read(commands.list_answers(query), effects.ANSWERS)

    async def download_tasks(
        self, *, count: int | None = None, after_id: str | None = None
    ) -> Fetched[list[DownloadTask]]:
        command = commands.list_download_tasks(count=count, after_id=after_id)
        return await self._read(command, effects.DOWNLOADS)

    async def download_file(
        self, *, id: str | None = None, name: str | None = None
    ) -> DownloadFile:
        """Files are not cached (they can be large); the identical-request budget still applies."""
        command = commands.get_download_file(id=id, name=name)
        reads.untracked()
        value, _ = await self._flights.run(self._key(command), lambda: self._call(command))
        return value

    # writes

    async def create_template(self, draft: TemplateDraft) -> Template:
        template = effects.new_template(await self._write(commands.add_template(draft)), draft)
        await self._apply(effects.template_created(template))
        return template

    async def update_template(self, id: str, changes: TemplateChanges) -> None:
        await self._write(
            commands.change_template(id, changes), effects.template_changed(id, changes)
        )

    async def delete_template(self, id: str) -> None:
        await self._write(commands.delete_template(id), effects.template_deleted(id))

    async def create_job(self, spec: JobSpec) -> JobCreated:
        """The job is created with its marker in its name (`job_marker.py`)."""
        return await self._write(commands.create_job(marked(spec)), effects.JOBS_CHANGED)

    async def cancel_job(self, id: str) -> None:
        await self._write(commands.cancel_job(id), effects.JOBS_CHANGED)

    async def delete_job(self, id: str) -> None:
        await self._write(commands.delete_job(id), effects.JOBS_CHANGED)

    async def create_contact(self, draft: ContactDraft) -> str:
        return await self._write(phonebook.add_contact(draft), effects.CONTACTS_CHANGED)

    async def update_contact(self, address: str, changes: ContactChanges) -> None:
        await self._write(phonebook.change_contact(address, changes), effects.CONTACTS_CHANGED)

    async def delete_contact(self, address: str) -> None:
        await self._write(phonebook.delete_contact(address), effects.CONTACTS_CHANGED)

    async def move_contact(self, address: str, group_id: str, mode: GroupMove) -> None:
        await self._write(phonebook.move_contact(address, group_id, mode), effects.CONTACTS_CHANGED)

    async def create_group(self, draft: GroupDraft) -> Group:
        id = await self._write(phonebook.add_group(draft))
        await self._apply(effects.group_created(id, draft))
        return Group(id=id, name=draft.name, number=draft.number, contact_count=0)

    async def rename_group(self, id: str, name: str) -> None:
        await self._write(phonebook.rename_group(id, name), effects.group_renamed(id, name))

    async def delete_group(self, id: str) -> None:
        await self._write(phonebook.delete_group(id), effects.group_deleted(id))

    async def add_to_blacklist(self, draft: BlacklistDraft) -> BlacklistEntry:
        """The entry as SMSC will list it."""
        id = await self._write(phonebook.add_to_blacklist(draft))
        entry = blacklist.listed(id, draft, scope_raw=BLOCK_SCOPES.encode(draft.scope))
        await self._apply(effects.blacklisted(entry))
        return entry

    async def remove_from_blacklist(self, address: str) -> None:
        """Off the phones' blacklist, or an e-mail address off the e-mail one."""
        await self._write(phonebook.remove_from_blacklist(address), effects.unblacklisted(address))

    # messages

    async def send_message(self, spec: MessageSpec) -> MessageSent:
        """`spec` sent under its id (`message_ids.with_id`: its own, the idempotent run's, or a new
        one). When the answer is lost after SMSC may have applied it, status.php is asked for that
        id: a message SMSC has is the send's outcome, never a reason to send again."""
        spec = with_id(spec)
        effect = effects.balance_after(None)
        try:
            sent = await self._write(messages.send_message(spec))
        except UpstreamOutcomeUnknown:
            await self._apply(effect)
            found = await self.find_sent(spec)
            if found is None:
                raise
            return found
        await self._apply(effects.balance_after(sent.balance))
        return sent

    async def find_sent(self, spec: MessageSpec) -> MessageSent | None:
        """The send of `spec` (under its id) if SMSC has it, asked fresh; None if SMSC says it
        has no such message (or cannot be asked)."""
        if spec.id is None:
            return None
        ref = MessageRef(spec.id, spec.phones[0])
        try:
            (state,) = await self._call(messages.get_message_statuses([ref]))
        except (UpstreamError, RateLimitedError):
            return None
        return sent_from_state(state)

    async def message_cost(self, spec: MessageSpec) -> Fetched[MessageCost]:
        return await self._read(messages.get_message_cost(spec), effects.COSTS)

    async def message_states(self, refs: Sequence[MessageRef]) -> Fetched[list[MessageState]]:
        """Each message's status, in `refs`' order: `MAX_STATUS_BATCH` to a status.php request,
        the requests made together; as fresh as the least fresh of them."""
        batches = [refs[i : i + MAX_STATUS_BATCH] for i in range(0, len(refs), MAX_STATUS_BATCH)]
        fetched = await asyncio.gather(
            *(
                self._read(messages.get_message_statuses(batch), effects.MESSAGES)
                for batch in batches
            )
        )
        return least_fresh(fetched)

    async def balance(self) -> Fetched[Balance]:
        return await self._read(messages.get_balance(), effects.BALANCE)
