"""One builder per SMSC command: typed domain arguments in, a `Command` out (endpoint, parameters,
whether it writes, and the parser of its reply). Upstream parameter names live only here, in
`phonebook` (phones.php: contacts, groups, the blacklist), in `messages` (send.php, status.php,
balance.php) and in `job_options`, SMSC's codes of the domain's enums in `enums`; credentials,
`fmt` and `charset` are added by `build_form` alone.

The builders encode; they validate nothing. Their arguments come from the domain's builders and
rules (the vocabulary's input models, `facade.domain.rules`), which both APIs apply before
idempotency, so an argument SMSC could not be told never gets here. One that would still change what a
request means (an id that is none, a separator inside one of several values, a count below 1) is
a `ValueError`, a programming error.
"""

import dataclasses
import hashlib
import urllib.parse
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from facade.domain.answers import MAX_ANSWER_COUNT, Answer, AnswerQuery
from facade.domain.downloads import DownloadFile, DownloadTask
from facade.domain.jobs import Job, JobCreated, JobQuery, JobSpec
from facade.domain.templates import MessageFormat, Template, TemplateChanges, TemplateDraft
from facade.errors import ConfigError
from facade.smsc.enums import MESSAGE_FORMATS
from facade.smsc.envelope import parse_created_id, parse_ok
from facade.smsc.job_options import encode_id, encode_job, format_date, join_values
from facade.smsc.parse.answers import parse_answers
from facade.smsc.parse.downloads import parse_download_file, parse_download_tasks
from facade.smsc.parse.jobs import parse_job, parse_job_created, parse_jobs
from facade.smsc.parse.templates import parse_templates
from facade.smsc.wire import CHARSETS, Endpoint, Fmt, Reply, identical_limit

T = TypeVar("T")
V = TypeVar("V")
Params = tuple[tuple[str, str], ...]

# Added by `build_form` only: a command that carried them would leak them into `Command.key`.
RESERVED_PARAMS = frozenset({"login", "psw", "apikey", "fmt", "charset"})


@dataclasses.dataclass(frozen=True, slots=True)
class Command(Generic[T]):
    """One request to SMSC, without credentials: `params` starts with the command flag, `name`.

    A script with no flag (send.php's send, status.php, balance.php: `facade.smsc.messages`)
    has a `name` of ours that no parameter carries.
    """

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

    @property
    def budget_key(self) -> str:
        """What SMSC counts as the same request: the key, but a send's without its message id
        (SMSC is assumed to count the same recipients and text as one send whatever id it is
        given: docs/smsc-wire.md, "Messages")."""
        if self.endpoint is not Endpoint.SEND:
            return self.key
        counted = sorted(param for param in self.params if param[0] != "id")
        return f"{self.endpoint.path}?{urllib.parse.urlencode(counted)}"

    @property
    def identical_limit(self) -> int:
        """How many such requests SMSC takes a minute (`wire.identical_limit`)."""
        return identical_limit(self.endpoint, self.name)


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


def make_command(
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


def optional(value: V | None, encode: Callable[[V], str]) -> str | None:
    return None if value is None else encode(value)


def encode_count(value: int, high: int | None = None) -> str:
    """`cnt`: at least 1, at most `high`; anything else is a `ValueError`."""
    if value < 1 or (high is not None and value > high):
        raise ValueError(f"{value} is no count of records to list")
    return str(value)


def encode_phone(phone: str) -> str:
    """One phone: not blank, and no separator that would make it several (else `ValueError`)."""
    return join_values((phone,))


# templates.php (smsc-templates.txt)


def add_template(draft: TemplateDraft) -> Command[str]:
    return make_command(
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
    return make_command(
        Endpoint.TEMPLATES,
        "chg",
        parse_ok,
        ("id", encode_id(id)),
        ("name", changes.name),
        ("msg", changes.message),
        ("format", optional(changes.format, _format)),
        ("sender", changes.sender),
        ("fl[1]", optional(changes.auto_sign, lambda on: "1" if on else "0")),
        writes=True,
    )


def delete_template(id: str) -> Command[None]:
    return make_command(Endpoint.TEMPLATES, "del", parse_ok, ("id", encode_id(id)), writes=True)


def list_templates() -> Command[list[Template]]:
    return make_command(Endpoint.TEMPLATES, "get", parse_templates, writes=False)


def _format(value: MessageFormat) -> str:
    """`format`; `UNKNOWN` has no code to send, a `ValueError`."""
    return MESSAGE_FORMATS.encode(value)


# jobs.php (smsc-jobs.txt)


def create_job(spec: JobSpec) -> Command[JobCreated]:
    return make_command(Endpoint.JOBS, "add", parse_job_created, *encode_job(spec), writes=True)


def delete_job(id: str) -> Command[None]:
    return make_command(Endpoint.JOBS, "del", parse_ok, ("id", encode_id(id)), writes=True)


def cancel_job(id: str) -> Command[None]:
    return make_command(Endpoint.JOBS, "cancel", parse_ok, ("id", encode_id(id)), writes=True)


def get_job(id: str) -> Command[Job]:
    return make_command(Endpoint.JOBS, "get", parse_job, ("id", encode_id(id)), writes=False)


def list_jobs(query: JobQuery = JobQuery()) -> Command[list[Job]]:  # noqa: B008 - frozen, so shareable
    """`query` as `facade.domain.rules.job_dates` makes it: `until` is not before `since`."""
    return make_command(
        Endpoint.JOBS,
        "get_all",
        parse_jobs,
        ("start", optional(query.since, format_date)),
        ("end", optional(query.until, format_date)),
        writes=False,
    )


# get.php (smsc-answers.txt)


def list_answers(query: AnswerQuery = AnswerQuery()) -> Command[list[Answer]]:  # noqa: B008 - frozen
    return make_command(
        Endpoint.GET,
        "get_answers",
        parse_answers,
        ("hour", optional(query.hours, str)),
        ("after_id", optional(query.after_id, encode_id)),
        ("to_phone", optional(query.to_phone, encode_phone)),
        ("cnt", optional(query.count, lambda number: encode_count(number, MAX_ANSWER_COUNT))),
        writes=False,
    )


# downloads.php (smsc-downloads.txt)


def list_download_tasks(
    *, count: int | None = None, after_id: str | None = None
) -> Command[list[DownloadTask]]:
    return make_command(
        Endpoint.DOWNLOADS,
        "get_list",
        parse_download_tasks,
        ("cnt", optional(count, encode_count)),
        ("after_id", optional(after_id, encode_id)),
        writes=False,
    )


def get_download_file(*, id: str | None = None, name: str | None = None) -> Command[DownloadFile]:
    """A task's file by its `id` or its file `name`: exactly one, not blank (else `ValueError`)."""
    if (id is None) == (name is None):
        raise ValueError("give exactly one of id or name")
    if name is not None and not name.strip():
        raise ValueError("a file name is not blank")
    return make_command(
        Endpoint.DOWNLOADS,
        "get_file",
        parse_download_file,
        ("id", optional(id, encode_id)),
        ("name", name),
        writes=False,
    )
