"""Issue 17: the same bad input gets the same `code` and `field` from GraphQL and REST.

One table, `CASES`: each row is one bad input to one operation, sent through GraphQL (`/graphql`
over HTTP; a subscription over graphql-transport-ws, in process) and through REST. GraphQL must
answer the `InvalidInputError` member (a query or a subscription: an error with
`extensions.code` INVALID_INPUT and `extensions.field`), REST a 400 problem with code
INVALID_INPUT, both naming the same field, and SMSC must never be asked.

A row's arguments are in GraphQL's names; `Operation` turns them into REST's request: path
parameters by name, the rest as the JSON body or the query. The one difference allowed is the
protocols' own (STYLE.md B9): a connection's `first` and `after` are a page's `limit` and
`cursor` in REST, and a fault of the whole input is GraphQL's `input` and REST's `body`
(`PROTOCOL_NAMES`). Values GraphQL's type system refuses before the facade
sees them (a string for an Int, an enum value the schema lacks, a second `@oneOf` form) are not
comparable and are left out; an enum's UNKNOWN, which both take and the facade refuses, is in.

Operations one API lacks are compared with the other's nearest form (`Operation.nearest`), or,
with none, checked on their own (`getDownloadTask` and its `/file`, and `getMessages`, which
GraphQL does with aliases of `message`: REST only).
`test_the_table_covers_every_operation_that_takes_input` fails when an operation of
`/openapi.json` with path or query parameters or a body, or a GraphQL field with arguments, has no
row. Rows where the two APIs disagree are strict xfails (`Case.disagrees`): bugs for facade/.
"""

import dataclasses
import json
import math
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final, Literal
from urllib.parse import quote

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message

from facade.app import graphql_routes
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.settings import Settings
from facade.upstream.pollers import Pollers
from tests.rest.conftest import PROBLEM, assert_problem
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

INVALID_INPUT: Final = "INVALID_INPUT"
# Where the protocols differ, and nowhere else: a connection's arguments by their REST names, and
# a fault of the whole input (an empty change), which GraphQL names by its argument and REST by
# the request's body.
PROTOCOL_NAMES: Final = {"first": "limit", "after": "cursor", "input": "body"}
# GraphQL arguments that are no operation's input: `idempotencyKey` is REST's `Idempotency-Key`
# header, and headers (that one, `If-None-Match`) are left out of REST's operations alike.
# `blacklist(emails: Boolean!)` takes a Boolean: GraphQL's type system holds it, and the facade has
# nothing left to check (REST's `?emails=` is a row of its own, REST only).
NOT_INPUT: Final = frozenset({"idempotencyKey", "emails"})

# How GraphQL answers a refused input: a union member, or an error in `errors`.
Via = Literal["member", "error"]

# the operations


@dataclasses.dataclass(frozen=True)
class Operation:
    """One operation in both APIs (or its nearest form in the other).

    `graphql` is the root field and `arguments` its GraphQL arguments and types (`input` for an
    operation taking one input object: a row's arguments are then its fields). `rest` is the
    REST operationId, `method` and `path` its route: path parameters come from the row's
    arguments by name, the rest are the JSON body (`body`) or the query.
    """

    graphql: str | None
    kind: Literal["mutation", "query", "subscription"]
    arguments: Mapping[str, str]
    rest: str
    method: str
    path: str
    body: bool = False
    selection: str = ""  # a query's or subscription's fields; mutations select the result union
    nearest: str = ""  # why an operation is compared with another of a different name

    @property
    def label(self) -> str:
        if self.graphql is None:
            return f"{self.rest}(REST only)"
        return self.graphql if self.graphql == self.rest else f"{self.graphql}~{self.rest}"

    @property
    def wrapped(self) -> bool:
        return list(self.arguments) == ["input"]

    @property
    def via(self) -> Via:
        return "member" if self.kind == "mutation" or self.graphql == "jobPreview" else "error"

    def document(self) -> str:
        declared = ", ".join(f"${name}: {type_}" for name, type_ in self.arguments.items())
        passed = ", ".join(f"{name}: ${name}" for name in self.arguments)
        selection = self.selection or (
            "{ __typename ... on Error { code message } ... on InvalidInputError { field } }"
        )
        return f"{self.kind} Parity({declared}) {{ {self.graphql}({passed}) {selection} }}"

    def variables(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        return {"input": dict(arguments)} if self.wrapped else dict(arguments)

    def request(self, arguments: Mapping[str, Any]) -> httpx.Request:
        rest = dict(arguments)
        path = self.path
        while "{" in path:
            name = path[path.index("{") + 1 : path.index("}")]
            path = path.replace(f"{{{name}}}", quote(rest.pop(name), safe=""))
        url = httpx.URL(f"http://facade{path}")
        if self.body:
            return httpx.Request(self.method, url, content=_json(rest), headers=_JSON_HEADERS)
        query = {PROTOCOL_NAMES.get(name, name): value for name, value in rest.items()}
        params: dict[str, str | list[str]] = {}
        for name, value in query.items():
            # a list is a parameter given once per item (`?ref=a&ref=b`)
            assert isinstance(value, str | int | list), query
            params[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
        return httpx.Request(self.method, url, params=params)


_JSON_HEADERS: Final = {"content-type": "application/json"}


def _json(value: Any) -> bytes:
    """ASCII JSON: a lone surrogate goes as its escape, as any JSON client would send it."""
    return json.dumps(value).encode()


def _input(name: str, type_: str, rest: str, method: str, path: str, **kwargs: Any) -> Operation:
    arguments = {"input": f"{type_}!"}
    return Operation(name, "mutation", arguments, rest, method, path, body=True, **kwargs)


_BY_ID: Final = {"id": "ID!"}
_BY_PHONE: Final = {"phone": "String!"}
_NEAREST_CONTACT: Final = (
    "GraphQL has no contact(phone) query: deleteContact takes the same bare `phone`"
)
_NEAREST_BLACKLIST: Final = (
    "GraphQL has no blacklist entry query: removeFromBlacklist takes the same bare `phone`"
)

CREATE_TEMPLATE = _input(
    "createTemplate", "CreateTemplateInput", "createTemplate", "POST", "/v1/templates"
)
UPDATE_TEMPLATE = _input(
    "updateTemplate", "UpdateTemplateInput", "updateTemplate", "PATCH", "/v1/templates/{id}"
)
DELETE_TEMPLATE = Operation(
    "deleteTemplate", "mutation", _BY_ID, "deleteTemplate", "DELETE", "/v1/templates/{id}"
)
TEMPLATE = Operation(
    "template", "query", _BY_ID, "getTemplate", "GET", "/v1/templates/{id}", selection="{ id }"
)
CREATE_JOB = _input("createJob", "CreateJobInput", "createJob", "POST", "/v1/jobs")
JOB_PREVIEW = Operation(
    "jobPreview",
    "query",
    {"input": "CreateJobInput!"},
    "createJob",
    "POST",
    "/v1/jobs",
    body=True,
    selection="{ __typename ... on InvalidInputError { code message field } }",
    nearest="REST has no preview: its createJob takes the same CreateJob body",
)
CANCEL_JOB = Operation("cancelJob", "mutation", _BY_ID, "cancelJob", "POST", "/v1/jobs/{id}/cancel")
DELETE_JOB = Operation("deleteJob", "mutation", _BY_ID, "deleteJob", "DELETE", "/v1/jobs/{id}")
JOB = Operation("job", "query", _BY_ID, "getJob", "GET", "/v1/jobs/{id}", selection="{ id }")
JOB_CHANGED = Operation(
    "jobChanged",
    "subscription",
    _BY_ID,
    "getJob",
    "GET",
    "/v1/jobs/{id}",
    selection="{ id }",
    nearest="REST has no job stream: its getJob takes the same `id`",
)
JOBS = Operation(
    "jobs",
    "query",
    {"since": "Date", "until": "Date"},
    "listJobs",
    "GET",
    "/v1/jobs",
    selection="{ id }",
)
CONTACTS = Operation(
    "contacts",
    "query",
    {"search": "String", "first": "Int", "after": "String"},
    "listContacts",
    "GET",
    "/v1/contacts",
    selection="{ totalCount }",
)
CREATE_CONTACT = _input(
    "createContact", "CreateContactInput", "createContact", "POST", "/v1/contacts"
)
UPDATE_CONTACT = _input(
    "updateContact", "UpdateContactInput", "updateContact", "PATCH", "/v1/contacts/{phone}"
)
DELETE_CONTACT = Operation(
    "deleteContact", "mutation", _BY_PHONE, "deleteContact", "DELETE", "/v1/contacts/{phone}"
)
GET_CONTACT = Operation(
    "deleteContact",
    "mutation",
    _BY_PHONE,
    "getContact",
    "GET",
    "/v1/contacts/{phone}",
    nearest=_NEAREST_CONTACT,
)
_IN_GROUP: Final = "/v1/contacts/{phone}/groups/{groupId}"
ADD_TO_GROUP = Operation(
    "addContactToGroup",
    "mutation",
    {"input": "AddContactToGroupInput!"},
    "addContactToGroup",
    "PUT",
    _IN_GROUP,
)
REMOVE_FROM_GROUP = Operation(
    "removeContactFromGroup",
    "mutation",
    {"input": "RemoveContactFromGroupInput!"},
    "removeContactFromGroup",
    "DELETE",
    _IN_GROUP,
)
MOVE_TO_GROUP = Operation(
    "moveContactToGroup",
    "mutation",
    {"input": "MoveContactToGroupInput!"},
    "addContactToGroup",
    "PUT",
    _IN_GROUP,
    nearest="REST has no move: its addContactToGroup takes the same phone and groupId",
)
CREATE_GROUP = _input("createGroup", "CreateGroupInput", "createGroup", "POST", "/v1/groups")
RENAME_GROUP = _input("renameGroup", "RenameGroupInput", "renameGroup", "PATCH", "/v1/groups/{id}")
DELETE_GROUP = Operation(
    "deleteGroup", "mutation", _BY_ID, "deleteGroup", "DELETE", "/v1/groups/{id}"
)
GROUP = Operation(
    "group", "query", _BY_ID, "getGroup", "GET", "/v1/groups/{id}", selection="{ id }"
)
ADD_TO_BLACKLIST = _input(
    "addToBlacklist", "AddToBlacklistInput", "addToBlacklist", "POST", "/v1/blacklist"
)
REMOVE_FROM_BLACKLIST = Operation(
    "removeFromBlacklist",
    "mutation",
    _BY_PHONE,
    "removeFromBlacklist",
    "DELETE",
    "/v1/blacklist/{phone}",
)
GET_BLACKLIST_ENTRY = Operation(
    "removeFromBlacklist",
    "mutation",
    _BY_PHONE,
    "getBlacklistEntry",
    "GET",
    "/v1/blacklist/{phone}",
    nearest=_NEAREST_BLACKLIST,
)
ANSWERS = Operation(
    "answers",
    "query",
    {"sinceHours": "Int", "toPhone": "String", "first": "Int", "after": "String"},
    "listAnswers",
    "GET",
    "/v1/answers",
    selection="{ totalCount }",
)
ANSWER_RECEIVED = Operation(
    "answerReceived",
    "subscription",
    {"toPhone": "String"},
    "streamAnswers",
    "GET",
    "/v1/answers/stream",
    selection="{ id }",
)
SEND_MESSAGE = _input("sendMessage", "SendMessageInput", "sendMessage", "POST", "/v1/messages")
MESSAGE_COST = Operation(
    "messageCost",
    "query",
    {"input": "SendMessageInput!"},
    "getMessageCost",
    "POST",
    "/v1/messages/cost",
    body=True,
    selection="{ cost parts }",
)
MESSAGE = Operation(
    "message",
    "query",
    {"id": "ID!", "phone": "String!"},
    "getMessage",
    "GET",
    "/v1/messages/{id}",
    selection="{ status }",
)
MESSAGE_STATUS_CHANGED = Operation(
    "messageStatusChanged",
    "subscription",
    {"id": "ID!", "phone": "String!"},
    "streamMessageEvents",
    "GET",
    "/v1/messages/{id}/events",
    selection="{ status }",
)
# GraphQL asks for several messages by aliases of `message`, in one document.
MESSAGES = Operation(None, "query", {}, "getMessages", "GET", "/v1/messages")
DOWNLOAD_TASK = Operation(None, "query", {}, "getDownloadTask", "GET", "/v1/download-tasks/{id}")
BLACKLIST = Operation(None, "query", {}, "listBlacklist", "GET", "/v1/blacklist")
DOWNLOAD_TASK_FILE = Operation(
    None, "query", {}, "getDownloadTaskFile", "GET", "/v1/download-tasks/{id}/file"
)


# the rows


@dataclasses.dataclass(frozen=True)
class Case:
    operation: Operation
    name: str
    arguments: Mapping[str, Any]
    field: str  # GraphQL's name of the field at fault (REST's is the same, `PROTOCOL_NAMES` aside)
    disagrees: str | None = None  # a known disagreement: the row is a strict xfail
    # The JSON document itself cannot be read: both APIs refuse the request as a whole (HTTP
    # 400), naming its `body`, before any field is looked at.
    unreadable: bool = False

    @property
    def rest_field(self) -> str:
        return self.field if self.unreadable else PROTOCOL_NAMES.get(self.field, self.field)


def _param(case: Case) -> Any:
    marks = (
        [] if case.disagrees is None else [pytest.mark.xfail(strict=True, reason=case.disagrees)]
    )
    return pytest.param(case, id=f"{case.operation.label}-{case.name}", marks=marks)


# Bad inputs by name: the arguments (or the change to a valid base) and the field at fault;
# `KnownRows` also carry the disagreement, if one is known.
Rows = dict[str, tuple[dict[str, Any], str]]
KnownRows = dict[str, tuple[dict[str, Any], str, str | None]]

LONG_NAME: Final = "n" * 201  # MAX_NAME_LENGTH is 200
LONG_TEXT: Final = "m" * 1001  # MAX_MESSAGE_LENGTH and MAX_COMMENT_LENGTH are 1000
PHONE: Final = "79161234567"
BAD_IDS: Final = {
    "id-letters": "abc",
    "id-19-digits": "1" * 19,
    "id-fullwidth-digits": "\uff11\uff12\uff13",
    "id-negative": "-1",
}
BAD_PHONES: Final = {
    "phone-too-short": "123",
    "phone-16-digits": "7" * 16,
    "phone-letters": "+7916abc4567",
    "phone-dashes": "7-916-123-45-67",
}


def _by_id(operation: Operation) -> list[Case]:
    return [Case(operation, name, {"id": value}, "id") for name, value in BAD_IDS.items()]


def _by_phone(operation: Operation) -> list[Case]:
    return [Case(operation, name, {"phone": value}, "phone") for name, value in BAD_PHONES.items()]


def _template_cases() -> list[Case]:
    base = {"name": "Parity", "message": "Hello"}
    create: Rows = {
        "name-blank": ({"name": "   "}, "name"),
        "name-too-long": ({"name": LONG_NAME}, "name"),
        "name-two-lines": ({"name": "one\ntwo"}, "name"),
        "message-blank": ({"message": " "}, "message"),
        "message-too-long": ({"message": LONG_TEXT}, "message"),
        "message-nul": ({"message": "a\x00b"}, "message"),
        "sender-12-letters": ({"sender": "ABCDEFGHIJKL"}, "sender"),
        "sender-dollar": ({"sender": "Shop$"}, "sender"),
        "format-unknown": ({"format": "UNKNOWN"}, "format"),
        "name-and-message-bad": ({"name": LONG_NAME, "message": " "}, "name"),
    }
    # An escaped lone surrogate (\\ud800): no Unicode text holds it, so neither API reads the JSON.
    surrogate = Case(
        CREATE_TEMPLATE,
        "name-lone-surrogate",
        {**base, "name": "a\ud800b"},
        "body",
        unreadable=True,
    )
    update: KnownRows = {
        "id-letters": ({"id": "abc", "name": "N"}, "id", None),
        "id-19-digits": ({"id": "1" * 19, "name": "N"}, "id", None),
        "name-too-long": ({"name": LONG_NAME}, "name", None),
        "message-blank": ({"message": " "}, "message", None),
        "sender-dollar": ({"sender": "Shop$"}, "sender", None),
        "format-unknown": ({"format": "UNKNOWN"}, "format", None),
        "empty-change": ({}, "input", None),
        "only-nulls": ({"name": None, "autoSign": None}, "input", None),
        "bad-id-and-long-name": (
            {"id": "abc", "name": LONG_NAME},
            "id",
            None,
        ),
    }
    return [
        *(
            Case(CREATE_TEMPLATE, name, {**base, **change}, field)
            for name, (change, field) in create.items()
        ),
        surrogate,
        *(
            Case(UPDATE_TEMPLATE, name, {"id": "1001", **change}, field, disagrees)
            for name, (change, field, disagrees) in update.items()
        ),
        *_by_id(DELETE_TEMPLATE),
        *_by_id(TEMPLATE),
    ]


def _job_cases() -> list[Case]:
    base: dict[str, Any] = {"name": "Parity", "phones": [PHONE], "message": "Hello"}
    call = {"waitSeconds": 20, "retryIntervalSeconds": 60}
    line = {"phones": [PHONE], "message": "Hi"}
    bad: Rows = {
        "name-blank": ({"name": " "}, "name"),
        "phones-second-too-short": ({"phones": [PHONE, "123"]}, "phones[1]"),
        "no-recipients": ({"phones": []}, "phones"),
        "groupNumbers-negative": ({"phones": [], "groupNumbers": [-1]}, "groupNumbers[0]"),
        "message-too-long": ({"message": LONG_TEXT}, "message"),
        "message-and-templateId": ({"templateId": "1001"}, "templateId"),
        "templateId-letters": ({"message": None, "templateId": "abc"}, "templateId"),
        "sender-dollar": ({"sender": "Shop$"}, "sender"),
        "fallbackSender-alone": ({"fallbackSender": "Shop"}, "fallbackSender"),
        "sendTime-window-backwards": (
            {"sendTime": {"window": {"startHour": 20, "endHour": 8}}},
            "sendTime",
        ),
        "sendTime-afterMinutes-negative": ({"sendTime": {"afterMinutes": -5}}, "sendTime"),
        "sendTime-at-without-offset": ({"sendTime": {"at": "2030-01-01T10:00:00"}}, "sendTime"),
        "sendTime-at-in-1999": ({"sendTime": {"at": "1999-12-31T10:00:00+03:00"}}, "sendTime"),
        "timeZone-12": ({"timeZone": 12}, "timeZone"),
        "repeatCount-without-repeat": ({"repeatCount": 3}, "repeatCount"),
        "periodHours-721": ({"periodHours": 721.0}, "periodHours"),
        "frequency-without-period": ({"frequencyMinutes": 10}, "frequencyMinutes"),
        "validityMinutes-zero": ({"validityMinutes": 0}, "validityMinutes"),
        "subject-on-sms": ({"subject": "Hi"}, "subject"),
        "voice-on-sms": ({"voice": "MALE"}, "voice"),
        "callParams-10-attempts": (
            {"channel": "CALL", "callParams": {**call, "attempts": 10}},
            "callParams.attempts",
        ),
        "telegramBot-not-a-bot": ({"telegramBot": "not a bot"}, "telegramBot"),
        "confirmAfterDays-5": ({"confirmAfterDays": 5}, "confirmAfterDays"),
        "fileUrl-ftp": ({"fileUrl": "ftp://example.com/a.png"}, "fileUrl"),
        "email-to-a-phone": ({"channel": "EMAIL", "subject": "S"}, "phones[0]"),
        "messages-and-phones": ({"message": None, "messages": [line]}, "phones"),
        "messages-bad-phone": (
            {"phones": [], "message": None, "messages": [{**line, "phones": ["123"]}]},
            "messages[0].phones[0]",
        ),
        "messages-bad-sender": (
            {"phones": [], "message": None, "messages": [{**line, "sender": "Shop$"}]},
            "messages[0].sender",
        ),
        "multiline-without-messages": ({"multilineMessages": True}, "multilineMessages"),
    }
    return [
        Case(operation, name, {**base, **change}, field)
        for operation in (CREATE_JOB, JOB_PREVIEW)
        for name, (change, field) in bad.items()
    ]


def _job_id_cases() -> list[Case]:
    listing: Rows = {
        "since-1999": ({"since": "1999-12-31"}, "since"),
        "until-2100": ({"until": "2100-01-01"}, "until"),
        "until-before-since": ({"since": "2024-05-02", "until": "2024-05-01"}, "until"),
        "over-366-days": ({"since": "2023-01-01", "until": "2024-06-01"}, "since"),
    }
    return [
        *_by_id(CANCEL_JOB),
        *_by_id(DELETE_JOB),
        *_by_id(JOB),
        *_by_id(JOB_CHANGED),
        *(Case(JOBS, name, arguments, field) for name, (arguments, field) in listing.items()),
    ]


def _contact_cases() -> list[Case]:
    base = {"phones": [PHONE]}
    create: Rows = {
        "phones-empty": ({"phones": []}, "phones"),
        "phones-second-too-short": ({"phones": [PHONE, "123"]}, "phones[1]"),
        "groupIds-letters": ({"groupIds": ["41", "abc"]}, "groupIds[1]"),
        "birthday-1800": ({"birthday": "1800-01-01"}, "birthday"),
        "name-too-long": ({"name": LONG_NAME}, "name"),
        "lastName-two-lines": ({"lastName": "one\ntwo"}, "lastName"),
        "clientId-101": ({"clientId": "c" * 101}, "clientId"),
        "comment-too-long": ({"comment": LONG_TEXT}, "comment"),
        "tags-with-comma": ({"tags": ["vip", "a,b"]}, "tags"),
        "tags-too-long": ({"tags": ["t" * 101]}, "tags[0]"),
        "otherPhones-too-short": ({"otherPhones": ["12"]}, "otherPhones[0]"),
    }
    update: KnownRows = {
        "phone-too-short": ({"phone": "123", "name": "N"}, "phone", None),
        "phone-letters": ({"phone": "+7916abc4567", "name": "N"}, "phone", None),
        "newPhones-empty": ({"newPhones": []}, "newPhones", None),
        "newPhones-too-short": ({"newPhones": ["123"]}, "newPhones[0]", None),
        "birthday-2100": ({"birthday": "2100-01-01"}, "birthday", None),
        "groupIds-letters": ({"groupIds": ["abc"]}, "groupIds[0]", None),
        "empty-change": ({}, "input", None),
        "bad-phone-and-long-name": (
            {"phone": "123", "name": LONG_NAME},
            "phone",
            None,
        ),
    }
    in_group: Rows = {
        "phone-too-short": ({"phone": "123", "groupId": "41"}, "phone"),
        "phone-letters": ({"phone": "+7916abc4567", "groupId": "41"}, "phone"),
        "groupId-letters": ({"phone": PHONE, "groupId": "abc"}, "groupId"),
        "groupId-19-digits": ({"phone": PHONE, "groupId": "1" * 19}, "groupId"),
        "phone-and-groupId-bad": ({"phone": "123", "groupId": "abc"}, "phone"),
    }
    listing: KnownRows = {
        "first-zero": ({"first": 0}, "first", None),
        "first-101": ({"first": 101}, "first", None),
        "after-garbage": ({"after": "garbage"}, "after", None),
        "after-201-characters": ({"after": "a" * 201}, "after", None),
        "search-101": ({"search": "s" * 101}, "search", None),
        "search-control-character": ({"search": "a\x01b"}, "search", None),
        # REST's query checks search before the page, as GraphQL does.
        "search-and-first-bad": ({"search": "s" * 101, "first": 0}, "search", None),
    }
    return [
        *(
            Case(CREATE_CONTACT, name, {**base, **change}, field)
            for name, (change, field) in create.items()
        ),
        *(
            Case(UPDATE_CONTACT, name, {"phone": PHONE, **change}, field, disagrees)
            for name, (change, field, disagrees) in update.items()
        ),
        *_by_phone(DELETE_CONTACT),
        *_by_phone(GET_CONTACT),
        *(
            Case(operation, name, arguments, field)
            for operation in (ADD_TO_GROUP, REMOVE_FROM_GROUP, MOVE_TO_GROUP)
            for name, (arguments, field) in in_group.items()
        ),
        *(
            Case(CONTACTS, name, arguments, field, disagrees)
            for name, (arguments, field, disagrees) in listing.items()
        ),
    ]


def _group_cases() -> list[Case]:
    create: Rows = {
        "name-blank": ({"name": "  "}, "name"),
        "name-too-long": ({"name": LONG_NAME}, "name"),
        "name-two-lines": ({"name": "one\ntwo"}, "name"),
        "number-negative": ({"name": "G", "number": -1}, "number"),
    }
    rename: KnownRows = {
        "id-letters": ({"id": "abc", "name": "N"}, "id", None),
        "id-19-digits": ({"id": "1" * 19, "name": "N"}, "id", None),
        "name-blank": ({"id": "41", "name": " "}, "name", None),
        "name-too-long": ({"id": "41", "name": LONG_NAME}, "name", None),
        "bad-id-and-blank-name": (
            {"id": "abc", "name": " "},
            "id",
            None,
        ),
    }
    return [
        *(
            Case(CREATE_GROUP, name, {"name": "G", **change}, field)
            for name, (change, field) in create.items()
        ),
        *(
            Case(RENAME_GROUP, name, arguments, field, disagrees)
            for name, (arguments, field, disagrees) in rename.items()
        ),
        *_by_id(DELETE_GROUP),
        *_by_id(GROUP),
    ]


def _blacklist_cases() -> list[Case]:
    add: Rows = {
        "phone-too-short": ({"phone": "123"}, "phone"),
        "phone-letters": ({"phone": "+7916abc4567"}, "phone"),
        "scope-unknown": ({"scope": "UNKNOWN"}, "scope"),
        "comment-too-long": ({"comment": LONG_TEXT}, "comment"),
        "comment-bell": ({"comment": "ring\x07"}, "comment"),
    }
    return [
        *(
            Case(ADD_TO_BLACKLIST, name, {"phone": PHONE, **change}, field)
            for name, (change, field) in add.items()
        ),
        *_by_phone(REMOVE_FROM_BLACKLIST),
        *_by_phone(GET_BLACKLIST_ENTRY),
        *(
            Case(BLACKLIST, f"emails-{value}", {"emails": value}, "emails")
            for value in ("maybe", "2", "truthy")
        ),
    ]


def _answer_cases() -> list[Case]:
    listing: KnownRows = {
        "sinceHours-zero": ({"sinceHours": 0}, "sinceHours", None),
        "sinceHours-169": ({"sinceHours": 169}, "sinceHours", None),
        "toPhone-too-short": ({"toPhone": "123"}, "toPhone", None),
        "toPhone-letters": ({"toPhone": "+7916abc4567"}, "toPhone", None),
        "first-zero": ({"first": 0}, "first", None),
        "first-101": ({"first": 101}, "first", None),
        "after-garbage": ({"after": "garbage"}, "after", None),
        "toPhone-and-after-bad": ({"toPhone": "123", "after": "garbage"}, "toPhone", None),
        # REST's query checks sinceHours before the page, as GraphQL does.
        "sinceHours-and-first-bad": ({"sinceHours": 0, "first": 0}, "sinceHours", None),
    }
    stream = {
        "toPhone-too-short": "123",
        "toPhone-16-digits": "7" * 16,
        "toPhone-letters": "+7916abc4567",
    }
    return [
        *(
            Case(ANSWERS, name, arguments, field, disagrees)
            for name, (arguments, field, disagrees) in listing.items()
        ),
        *(
            Case(ANSWER_RECEIVED, name, {"toPhone": value}, "toPhone")
            for name, value in stream.items()
        ),
    ]


def _message_cases() -> list[Case]:
    base: dict[str, Any] = {"phones": [PHONE], "message": "Hello"}
    call = {"waitSeconds": 20, "retryIntervalSeconds": 60}
    bad: Rows = {
        "phones-empty": ({"phones": []}, "phones"),
        "phones-second-too-short": ({"phones": [PHONE, "123"]}, "phones[1]"),
        "phones-twice": ({"phones": [PHONE, PHONE]}, "phones"),
        "phones-101": ({"phones": [f"7916{n:07d}" for n in range(101)]}, "phones"),
        "no-message": ({"message": None}, "message"),
        "message-blank": ({"message": " "}, "message"),
        "message-too-long": ({"message": LONG_TEXT}, "message"),
        "sender-dollar": ({"sender": "Shop$"}, "sender"),
        "sendTime-afterMinutes-negative": ({"sendTime": {"afterMinutes": -5}}, "sendTime"),
        "timeZone-12": ({"timeZone": 12}, "timeZone"),
        "validityMinutes-zero": ({"validityMinutes": 0}, "validityMinutes"),
        "subject-on-sms": ({"subject": "Hi"}, "subject"),
        "voice-on-sms": ({"voice": "MALE"}, "voice"),
        "callParams-10-attempts": (
            {"channel": "CALL", "callParams": {**call, "attempts": 10}},
            "callParams.attempts",
        ),
        "telegramBot-not-a-bot": ({"telegramBot": "not a bot"}, "telegramBot"),
        "fileUrl-ftp": ({"fileUrl": "ftp://example.com/a.png"}, "fileUrl"),
        "maxParts-zero": ({"maxParts": 0}, "maxParts"),
        "email-to-a-phone": ({"channel": "EMAIL", "subject": "S"}, "phones[0]"),
    }
    ref: Rows = {
        "id-space": ({"id": "a b", "phone": PHONE}, "id"),
        "id-41-characters": ({"id": "f" * 41, "phone": PHONE}, "id"),
        "id-cyrillic": ({"id": "\u0444x1", "phone": PHONE}, "id"),
        "phone-too-short": ({"id": "fx1", "phone": "123"}, "phone"),
        "phone-letters": ({"id": "fx1", "phone": "+7916abc4567"}, "phone"),
        "phone-two": ({"id": "fx1", "phone": f"{PHONE},79161234568"}, "phone"),
        "phone-bad-email": ({"id": "fx1", "phone": "a@b"}, "phone"),
        "phone-bad-telegram-id": ({"id": "fx1", "phone": "#a b"}, "phone"),
        "id-and-phone-bad": ({"id": "a b", "phone": "123"}, "id"),
    }
    refs: Rows = {
        "ref-missing": ({}, "ref"),
        "ref-no-colon": ({"ref": ["fx1"]}, "ref[0]"),
        "ref-second-phone-too-short": ({"ref": [f"fx1:{PHONE}", "fx2:123"]}, "ref[1]"),
        "ref-id-space": ({"ref": [f"a b:{PHONE}"]}, "ref[0]"),
        "ref-101": ({"ref": [f"fx{n}:{PHONE}" for n in range(101)]}, "ref"),
    }
    return [
        *(
            Case(operation, name, {**base, **change}, field)
            for operation in (SEND_MESSAGE, MESSAGE_COST)
            for name, (change, field) in bad.items()
        ),
        *(
            Case(operation, name, arguments, field)
            for operation in (MESSAGE, MESSAGE_STATUS_CHANGED)
            for name, (arguments, field) in ref.items()
        ),
        *(Case(MESSAGES, name, arguments, field) for name, (arguments, field) in refs.items()),
    ]


CASES: Final = [
    *_template_cases(),
    *_job_cases(),
    *_job_id_cases(),
    *_contact_cases(),
    *_group_cases(),
    *_blacklist_cases(),
    *_answer_cases(),
    *_message_cases(),
    *_by_id(DOWNLOAD_TASK),
    *_by_id(DOWNLOAD_TASK_FILE),
]


# the service: both APIs on the emulator, as tests/rest/conftest.py builds it, with live updates


@pytest.fixture
def upstream() -> Harness:
    return harness()


@pytest.fixture
def app(upstream: Harness) -> Starlette:
    pollers = Pollers(upstream.client, clock=upstream.clock, sleep=upstream.sleep)
    routes = [
        *graphql_routes(Settings.from_env({}), upstream.client),
        *rest_routes(upstream.client, live=lambda _: pollers),
    ]
    return Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        yield client


# the answers


@dataclasses.dataclass(frozen=True)
class Answer:
    """What an API said about a bad input: its code and field (REST's names of the field as
    GraphQL's, `PROTOCOL_NAMES`), and how it said it."""

    code: str | None
    field: str | None
    via: str


async def ask_graphql(
    client: httpx.AsyncClient, app: Starlette, operation: Operation, arguments: Mapping[str, Any]
) -> Answer:
    variables = operation.variables(arguments)
    status = 200
    if operation.kind == "subscription":
        payload = await subscribe(app, operation.document(), variables)
    else:
        body = {"query": operation.document(), "variables": variables}
        response = await client.post("/graphql", content=_json(body), headers=_JSON_HEADERS)
        status, payload = response.status_code, response.json()
    if payload.get("errors"):
        (error,) = payload["errors"]
        extensions = error.get("extensions", {})
        # Request errors are answered 200 under `application/json` (no `Accept` here); a request
        # refused before GraphQL reads it, with its own status.
        via = "error" if status == 200 else f"refused {status}"
        return Answer(extensions.get("code"), extensions.get("field"), via)
    result = payload["data"][operation.graphql]
    if operation.via == "member" and result["__typename"] == "InvalidInputError":
        return Answer(result["code"], result["field"], "member")
    return Answer(None, None, f"answered {result}")


async def ask_rest(
    client: httpx.AsyncClient, operation: Operation, arguments: Mapping[str, Any]
) -> tuple[Answer, httpx.Response]:
    response = await client.send(operation.request(arguments))
    if response.headers.get("content-type") != PROBLEM:
        return Answer(None, None, f"HTTP {response.status_code}: {response.text[:200]}"), response
    problem = response.json()
    return Answer(problem.get("code"), problem.get("field"), f"problem {response.status_code}"), (
        response
    )


async def subscribe(app: Starlette, document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of the first message a graphql-transport-ws subscription gets: the app's own
    WebSocket route, driven in process (ASGI), as a browser would over a socket."""
    to_app, inbox = anyio.create_memory_object_stream[Message](math.inf)
    outbox, from_app = anyio.create_memory_object_stream[Message](math.inf)
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"facade"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 50000),
        "server": ("facade", 80),
    }

    async def say(**message: Any) -> None:
        await to_app.send({"type": "websocket.receive", "text": json.dumps(message)})

    async def hear() -> dict[str, Any]:
        while True:
            event = await from_app.receive()
            assert event["type"] != "websocket.close", event
            if event["type"] == "websocket.send":
                found: dict[str, Any] = json.loads(event["text"])
                return found

    async with to_app, inbox, outbox, from_app, anyio.create_task_group() as group:
        group.start_soon(app, scope, inbox.receive, outbox.send)
        with anyio.fail_after(5):
            await to_app.send({"type": "websocket.connect"})
            await say(type="connection_init")
            assert await hear() == {"type": "connection_ack"}
            await say(id="1", type="subscribe", payload={"query": document, "variables": variables})
            message = await hear()
            assert message["type"] == "next", message
            assert await hear() == {"id": "1", "type": "complete"}
            await to_app.send({"type": "websocket.disconnect", "code": 1000})
    payload: dict[str, Any] = message["payload"]
    return payload


# the tests


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
async def test_the_same_bad_input_gets_the_same_code_and_field(
    case: Case, client: httpx.AsyncClient, app: Starlette, upstream: Harness
) -> None:
    operation = case.operation
    rest, response = await ask_rest(client, operation, case.arguments)

    if operation.graphql is not None:
        graphql = await ask_graphql(client, app, operation, case.arguments)
        field = graphql.field or ""
        as_rest = field if case.unreadable else PROTOCOL_NAMES.get(field, field)
        agreed = (graphql.code, as_rest) == (rest.code, rest.field)
        assert agreed, (graphql, rest, operation.nearest or "the same operation")
        via = "refused 400" if case.unreadable else operation.via
        assert graphql == Answer(INVALID_INPUT, case.field, via)
    assert rest == Answer(INVALID_INPUT, case.rest_field, "problem 400")
    assert_problem(response, 400, INVALID_INPUT, field=case.rest_field)
    assert not upstream.emulator.calls  # neither API asked SMSC


def _takes_input(operation: Mapping[str, Any]) -> bool:
    parameters = operation.get("parameters", [])
    return "requestBody" in operation or any(p["in"] in ("path", "query") for p in parameters)


INTROSPECTION: Final = """{ __schema {
  queryType { fields { name args { name } } }
  mutationType { fields { name args { name } } }
  subscriptionType { fields { name args { name } } }
} }"""


async def test_the_table_covers_every_operation_that_takes_input(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    rest = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and _takes_input(operation)
    }
    response = await client.post("/graphql", json={"query": INTROSPECTION})
    schema = response.json()["data"]["__schema"]
    graphql = {
        field["name"]
        for root in ("queryType", "mutationType", "subscriptionType")
        for field in schema[root]["fields"]
        if any(argument["name"] not in NOT_INPUT for argument in field["args"])
    }
    routes = {
        (path, method.upper()): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    }
    covered_rest = {case.operation.rest for case in CASES}
    covered_graphql = {case.operation.graphql for case in CASES} - {None}

    assert rest - covered_rest == set(), "REST operations taking input without a row"
    assert graphql - covered_graphql == set(), "GraphQL fields taking arguments without a row"
    assert covered_rest - rest == set(), "rows for REST operations that take no input"
    assert covered_graphql - graphql == set(), "rows for GraphQL fields that take no arguments"
    assert "streamAnswers" in rest  # the live stream is served, so documented, here
    misrouted = {
        (case.operation.method, case.operation.path, case.operation.rest)
        for case in CASES
        if routes.get((case.operation.path, case.operation.method)) != case.operation.rest
    }
    assert misrouted == set(), "rows whose route is not their operation's"


def test_each_operation_has_three_rows_or_more() -> None:
    """Every pairing gets several bad inputs (each pairing's arguments allow three at least)."""
    rows: dict[str, int] = {}
    for case in CASES:
        rows[case.operation.label] = rows.get(case.operation.label, 0) + 1
    assert {label: count for label, count in rows.items() if count < 3} == {}
    ids = [f"{case.operation.label}-{case.name}" for case in CASES]
    assert len(ids) == len(set(ids))
