"""One builder per SMSC command: typed domain arguments in, a `Command` out (endpoint, parameters,
whether it writes, and the parser of its reply). Upstream parameter names live only here and in
`job_options`, SMSC's codes of the domain's enums in `enums`; credentials, `fmt` and `charset` are
added by `build_form` alone.

The builders encode; they validate nothing. Their arguments come from the domain's builders and
rules (`facade.domain.drafts`, `job_request`, `rules`), which both APIs apply before idempotency,
so an argument SMSC could not be told never gets here. One that would still change what a
request means (an id that is none, a separator inside one of several values, a count below 1) is
a `ValueError`, a programming error.
"""

import dataclasses
import hashlib
import urllib.parse
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from facade.domain.answers import MAX_ANSWER_COUNT, Answer, AnswerQuery
from facade.domain.blacklist import BlacklistDraft, BlacklistEntry, BlacklistQuery
from facade.domain.contacts import Contact, ContactChanges, ContactDraft, ContactQuery, is_email
from facade.domain.downloads import DownloadFile, DownloadTask
from facade.domain.groups import Group, GroupDraft, GroupMove
from facade.domain.jobs import Job, JobCreated, JobQuery, JobSpec
from facade.domain.templates import MessageFormat, Template, TemplateChanges, TemplateDraft
from facade.errors import ConfigError
from facade.smsc.enums import BLOCK_SCOPES, GROUP_KINDS, GROUP_MOVES, MESSAGE_FORMATS
from facade.smsc.envelope import parse_created_id, parse_ok
from facade.smsc.job_options import encode_id, encode_job, format_date, join_ids, join_values
from facade.smsc.parse.answers import parse_answers
from facade.smsc.parse.blacklist import parse_blacklist
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.parse.downloads import parse_download_file, parse_download_tasks
from facade.smsc.parse.groups import parse_groups
from facade.smsc.parse.jobs import parse_job, parse_job_created, parse_jobs
from facade.smsc.parse.templates import parse_templates
from facade.smsc.wire import CHARSETS, Endpoint, Fmt, Reply

T = TypeVar("T")
V = TypeVar("V")
Params = tuple[tuple[str, str], ...]

# Added by `build_form` only: a command that carried them would leak them into `Command.key`.
RESERVED_PARAMS = frozenset({"login", "psw", "apikey", "fmt", "charset"})


@dataclasses.dataclass(frozen=True, slots=True)
class Command(Generic[T]):
    """One request to SMSC, without credentials: `params` starts with the command flag."""

    endpoint: Endpoint
    name: str
    params: Params
    writes: bool
    reader: Callable[[Reply], T]

    def __post_init__(self) -> None:
        reserved = RESERVED_PARAMS.intersection(key for key, _ in self.params)
        if reserved:
            raise ValueError(f"a command carries no {', '.join(sorted(reserved))}")

    def parse(self, reply: Reply) -> T:
        return self.reader(reply)

    @property
    def key(self) -> str:
        """`/sys/<endpoint>.php?<sorted params>`: the same for the same request in any order."""
        return f"{self.endpoint.path}?{urllib.parse.urlencode(sorted(self.params))}"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """An SMSC account's credentials: `login` + `password`, or `apikey` (smsc-api-notes §1.3).

    `hash_password` sends `psw` as the lower-case hex MD5 of the password, which SMSC accepts
    in place of the password itself. The repr names which fields are set, never their values.
    """

    login: str | None = None
    password: str | None = None
    apikey: str | None = None
    hash_password: bool = True

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field}={'***' if value else None}"
            for field, value in (
                ("login", self.login),
                ("password", self.password),
                ("apikey", self.apikey),
            )
        )
        return f"Credentials({shown}, hash_password={self.hash_password})"

    __str__ = __repr__

    def _form(self, charset: str) -> list[tuple[str, str]]:
        """`login` + `psw`, or `apikey`; a missing or ambiguous pair is a `ConfigError`."""
        by_password = bool(self.login) or bool(self.password)
        if by_password and self.apikey:
            raise ConfigError(["SMSC credentials: give login and password, or apikey, not both"])
        if self.apikey:
            return [("apikey", self.apikey)]
        if not (self.login and self.password):
            raise ConfigError(["SMSC credentials: give both login and password, or apikey"])
        password = self.password
        if self.hash_password:
            try:
                encoded = password.encode(charset)
            except UnicodeEncodeError as exc:
                raise ConfigError([f"SMSC password: not representable in {charset}"]) from exc
            password = hashlib.md5(encoded, usedforsecurity=False).hexdigest()
        return [("login", self.login), ("psw", password)]


def build_form(
    command: Command[Any], *, credentials: Credentials, fmt: Fmt, charset: str
) -> list[tuple[str, str]]:
    """The whole form body of `command`: its parameters, credentials, `fmt` and `charset`.

    The MD5 of a hashed password is taken over the password encoded in `charset`, the encoding
    SMSC decodes the request by (docs/smsc-wire.md, "Requests").
    """
    if charset not in CHARSETS:
        raise ConfigError([f"SMSC charset: must be one of {', '.join(CHARSETS)}"])
    return [
        *command.params,
        *credentials._form(charset),
        ("fmt", str(int(fmt))),
        ("charset", charset),
    ]


def reply_for(
    command: Command[Any],
    body: bytes,
    *,
    fmt: Fmt,
    charset: str,
    content_type: str | None = None,
    content_disposition: str | None = None,
) -> Reply:
    """The `Reply` to `command` whose body is `body`, for `command.parse`."""
    return Reply(
        body=body,
        endpoint=command.endpoint,
        command=command.name,
        fmt=fmt,
        charset=charset,
        content_type=content_type,
        content_disposition=content_disposition,
    )


def _command(
    endpoint: Endpoint,
    flag: str,
    reader: Callable[[Reply], T],
    *args: tuple[str, str | None],
    value: str = "1",
    writes: bool,
) -> Command[T]:
    """A command with flag `flag=value`; arguments whose value is `None` are left out."""
    params = ((flag, value), *((key, arg) for key, arg in args if arg is not None))
    return Command(endpoint=endpoint, name=flag, params=params, writes=writes, reader=reader)


def _optional(value: V | None, encode: Callable[[V], str]) -> str | None:
    return None if value is None else encode(value)


def _count(value: int, high: int | None = None) -> str:
    """`cnt`: at least 1, at most `high`; anything else is a `ValueError`."""
    if value < 1 or (high is not None and value > high):
        raise ValueError(f"{value} is no count of records to list")
    return str(value)


# templates.php (smsc-templates.txt)


def add_template(draft: TemplateDraft) -> Command[str]:
    return _command(
        Endpoint.TEMPLATES,
        "add",
        parse_created_id,
        ("name", draft.name),
        ("msg", draft.message),
        ("format", None if draft.format is MessageFormat.UNSPECIFIED else _format(draft.format)),
        ("sender", draft.sender),
        ("fl[1]", "1" if draft.auto_sign else None),
        writes=True,
    )


def change_template(id: str, changes: TemplateChanges) -> Command[None]:
    return _command(
        Endpoint.TEMPLATES,
        "chg",
        parse_ok,
        ("id", encode_id(id)),
        ("name", changes.name),
        ("msg", changes.message),
        ("format", _optional(changes.format, _format)),
        ("sender", changes.sender),
        ("fl[1]", _optional(changes.auto_sign, lambda on: "1" if on else "0")),
        writes=True,
    )


def delete_template(id: str) -> Command[None]:
    return _command(Endpoint.TEMPLATES, "del", parse_ok, ("id", encode_id(id)), writes=True)


def list_templates() -> Command[list[Template]]:
    return _command(Endpoint.TEMPLATES, "get", parse_templates, writes=False)


def _format(value: MessageFormat) -> str:
    """`format`; `UNKNOWN` has no code to send, a `ValueError`."""
    return MESSAGE_FORMATS.encode(value)


# jobs.php (smsc-jobs.txt)


def create_job(spec: JobSpec) -> Command[JobCreated]:
    return _command(Endpoint.JOBS, "add", parse_job_created, *encode_job(spec), writes=True)


def delete_job(id: str) -> Command[None]:
    return _command(Endpoint.JOBS, "del", parse_ok, ("id", encode_id(id)), writes=True)


def cancel_job(id: str) -> Command[None]:
    return _command(Endpoint.JOBS, "cancel", parse_ok, ("id", encode_id(id)), writes=True)


def get_job(id: str) -> Command[Job]:
    return _command(Endpoint.JOBS, "get", parse_job, ("id", encode_id(id)), writes=False)


def list_jobs(query: JobQuery = JobQuery()) -> Command[list[Job]]:  # noqa: B008 - frozen, so shareable
    """`query` as `facade.domain.rules.job_dates` makes it: `until` is not before `since`."""
    return _command(
        Endpoint.JOBS,
        "get_all",
        parse_jobs,
        ("start", _optional(query.since, format_date)),
        ("end", _optional(query.until, format_date)),
        writes=False,
    )


# phones.php: contacts (smsc-api-notes §2, smsc-contacts-responses.txt). An e-mail contact is
# sent `mail`, `new_mail` and `mail_other` where a phone contact is sent `phone`, `new_phone` and
# `pho`; `mail=` (one address) finds it for `chg`, `del` and `move_group`, as `phone=` finds a
# phone contact (`_address`). `mail` and `new_mail` are SMSC's (smsc-api-notes §2.2); the rest
# are assumptions (docs/smsc-wire.md, "phones.php get=1").


def add_contact(draft: ContactDraft) -> Command[str]:
    """`mail` for a draft with `emails`, else `phone`; a draft holding both sends both."""
    return _command(
        Endpoint.PHONES,
        "add",
        parse_created_id,
        ("phone", join_values(draft.phones) if draft.phones or not draft.emails else None),
        ("mail", join_values(draft.emails) if draft.emails else None),
        ("name", draft.name),
        ("grp", join_ids(draft.group_ids) if draft.group_ids else None),
        *_contact_fields(draft, draft.tags or None),
        ("pho", _optional(draft.other_phones or None, join_values)),
        ("mail_other", _optional(draft.other_emails or None, join_values)),
        writes=True,
    )


def change_contact(address: str, changes: ContactChanges) -> Command[None]:
    """`chg=1` of the contact `address` finds (a phone, or an e-mail address): a tuple field
    given empty clears it; a field left `None` stays as it is."""
    return _command(
        Endpoint.PHONES,
        "chg",
        parse_ok,
        _address(address),
        ("new_phone", _optional(changes.new_phones, join_values)),
        ("new_mail", _optional(changes.new_emails, join_values)),
        ("name", changes.name),
        ("grp", _optional(changes.group_ids, join_ids)),
        *_contact_fields(changes, changes.tags),
        ("pho", _optional(changes.other_phones, join_values)),
        ("mail_other", _optional(changes.other_emails, join_values)),
        writes=True,
    )


def _contact_fields(
    contact: ContactDraft | ContactChanges, tags: tuple[str, ...] | None
) -> tuple[tuple[str, str | None], ...]:
    return (
        ("fnm", contact.first_name),
        ("lnm", contact.last_name),
        ("mnm", contact.middle_name),
        ("bd", _optional(contact.birthday, format_date)),
        ("myid", contact.client_id),
        ("cmt", contact.comment),
        ("tags", _optional(tags, join_values)),
    )


def delete_contact(address: str) -> Command[None]:
    return _command(Endpoint.PHONES, "del", parse_ok, _address(address), writes=True)


def list_contacts(query: ContactQuery = ContactQuery()) -> Command[list[Contact]]:  # noqa: B008 - frozen
    return _command(
        Endpoint.PHONES,
        "get",
        parse_contacts,
        ("search", query.search),
        ("grp", _optional(query.group_id, encode_id)),
        ("after_id", _optional(query.after_id, encode_id)),
        ("cnt", _optional(query.count, _count)),
        writes=False,
    )


def _phone(phone: str) -> str:
    """One phone: not blank, and no separator that would make it several (else `ValueError`)."""
    return join_values((phone,))


def _address(address: str) -> tuple[str, str]:
    """What finds a contact or a blacklist entry: `mail=` an e-mail address (`is_email`), else
    `phone=` a phone; one value either way."""
    return ("mail" if is_email(address) else "phone", _phone(address))


# phones.php: groups


def add_group(draft: GroupDraft) -> Command[str]:
    return _command(
        Endpoint.PHONES,
        "add_group",
        parse_created_id,
        ("name", draft.name),
        ("num", _optional(draft.number, str)),
        ("type", str(GROUP_KINDS.encode(draft.kind))),
        writes=True,
    )


def rename_group(id: str, name: str) -> Command[None]:
    return _command(
        Endpoint.PHONES,
        "chg_group",
        parse_ok,
        ("grp", encode_id(id)),
        ("name", name),
        writes=True,
    )


def delete_group(id: str) -> Command[None]:
    return _command(Endpoint.PHONES, "del_group", parse_ok, ("grp", encode_id(id)), writes=True)


def list_groups() -> Command[list[Group]]:
    return _command(Endpoint.PHONES, "get_group", parse_groups, writes=False)


def move_contact(address: str, group_id: str, mode: GroupMove) -> Command[None]:
    """`move_group=1` replaces the contact's groups, `2` adds one, `3` removes one."""
    return _command(
        Endpoint.PHONES,
        "move_group",
        parse_ok,
        _address(address),
        ("grp", encode_id(group_id)),
        value=str(GROUP_MOVES.encode(mode)),
        writes=True,
    )


# phones.php: blacklist (`get_black` is an assumption: docs/smsc-wire.md). An e-mail address
# goes on the e-mail blacklist with `mail=` in place of `phone=` (`_address`), which
# `get_black=1&mail=1` lists (assumptions too).


def add_to_blacklist(draft: BlacklistDraft) -> Command[str]:
    """`type`: `BlockScope.UNKNOWN` has no code to send, a `ValueError`."""
    return _command(
        Endpoint.PHONES,
        "add_black",
        parse_created_id,
        _address(draft.phone),
        ("type", str(BLOCK_SCOPES.encode(draft.scope))),
        ("cmt", draft.comment),
        writes=True,
    )


def remove_from_blacklist(address: str) -> Command[None]:
    return _command(Endpoint.PHONES, "del_black", parse_ok, _address(address), writes=True)


def list_blacklist(query: BlacklistQuery = BlacklistQuery()) -> Command[list[BlacklistEntry]]:  # noqa: B008 - frozen
    return _command(
        Endpoint.PHONES,
        "get_black",
        parse_blacklist,
        ("mail", "1" if query.emails else None),
        writes=False,
    )


# get.php (smsc-answers.txt)


def list_answers(query: AnswerQuery = AnswerQuery()) -> Command[list[Answer]]:  # noqa: B008 - frozen
    return _command(
        Endpoint.GET,
        "get_answers",
        parse_answers,
        ("hour", _optional(query.hours, str)),
        ("after_id", _optional(query.after_id, encode_id)),
        ("to_phone", _optional(query.to_phone, _phone)),
        ("cnt", _optional(query.count, lambda count: _count(count, MAX_ANSWER_COUNT))),
        writes=False,
    )


# downloads.php (smsc-downloads.txt)


def list_download_tasks(
    *, count: int | None = None, after_id: str | None = None
) -> Command[list[DownloadTask]]:
    return _command(
        Endpoint.DOWNLOADS,
        "get_list",
        parse_download_tasks,
        ("cnt", _optional(count, _count)),
        ("after_id", _optional(after_id, encode_id)),
        writes=False,
    )


def get_download_file(*, id: str | None = None, name: str | None = None) -> Command[DownloadFile]:
    """A task's file by its `id` or its file `name`: exactly one, not blank (else `ValueError`)."""
    if (id is None) == (name is None):
        raise ValueError("give exactly one of id or name")
    if name is not None and not name.strip():
        raise ValueError("a file name is not blank")
    return _command(
        Endpoint.DOWNLOADS,
        "get_file",
        parse_download_file,
        ("id", _optional(id, encode_id)),
        ("name", name),
        writes=False,
    )
