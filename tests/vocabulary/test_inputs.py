"""The rules both APIs apply to templates, contacts, groups, the blacklist, ids, phones and
listings before idempotency and before any SMSC command is built: an input model refuses a bad
value as it is built (facade.vocabulary). These were the SMSC command builders' refusals
(tests/smsc/test_commands.py) until validation moved out of facade/smsc; each is refused here with
the same code and field, or with the item's path where a field's own rule already refused the
value (`phones[0]`)."""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from facade.domain.answers import MAX_ANSWER_HOURS
from facade.domain.blacklist import BlockScope
from facade.domain.contacts import ContactChanges, ContactDraft
from facade.domain.groups import GroupKind
from facade.domain.jobs import JobSpec
from facade.domain.rules import job_dates, require_id, require_int, require_listed_phone
from facade.domain.templates import MessageFormat
from facade.errors import InputError
from facade.vocabulary.blacklist import AddToBlacklist
from facade.vocabulary.contacts import CreateContact, UpdateContact, UpdateContactByPhone
from facade.vocabulary.groups import CreateGroup, RenameGroup
from facade.vocabulary.jobs import CreateJob
from facade.vocabulary.shapes import ID, validated
from facade.vocabulary.templates import CreateTemplate, UpdateTemplateById

PHONE = "79990000001"
OTHER_PHONE = "79990000002"
LONG = "x" * 1001
M = TypeVar("M", bound=BaseModel)


def build(model: type[M], **fields: Any) -> M:
    """`fields` (by python name) as `model`, built as either API builds an input, from its public
    names: a value its constraints or its rules refuse is an `InputError` (`validated`)."""
    return validated(model, {to_camel(name): value for name, value in fields.items()})


def template(**changes: Any) -> dict[str, Any]:
    fields = {"name": "n", "message": "m", "format": MessageFormat.UNSPECIFIED}
    return fields | {"sender": None, "auto_sign": False} | changes


def template_changes(**changes: Any) -> dict[str, Any]:
    fields = dict.fromkeys(("name", "message", "format", "sender", "auto_sign"))
    return fields | changes


def contact(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "phones": [PHONE],
        "group_ids": [],
        "tags": [],
        "other_phones": [],
        **dict.fromkeys(
            ("name", "first_name", "last_name", "middle_name", "birthday", "client_id", "comment")
        ),
    }
    return fields | changes


def contact_changes(**changes: Any) -> dict[str, Any]:
    names = [
        "new_phones",
        "name",
        "group_ids",
        "first_name",
        "last_name",
        "middle_name",
        "birthday",
        "client_id",
        "comment",
        "tags",
        "other_phones",
    ]
    return dict.fromkeys(names) | changes


def group(**changes: Any) -> dict[str, Any]:
    return {"name": "g", "number": None, "kind": GroupKind.PHONES} | changes


def blocked(**changes: Any) -> dict[str, Any]:
    return {"phone": PHONE, "scope": BlockScope.ALL, "comment": None} | changes


@pytest.mark.parametrize(
    ("build", "field"),
    [
        # templates
        pytest.param(
            lambda: build(CreateTemplate, **template(name=" ")).to_domain(),
            "name",
            id="template-add-blank-name",
        ),
        pytest.param(
            lambda: build(CreateTemplate, **template(message="")).to_domain(),
            "message",
            id="template-add-empty-message",
        ),
        pytest.param(
            lambda: build(CreateTemplate, **template(message=LONG)).to_domain(),
            "message",
            id="template-add-long-message",
        ),
        pytest.param(
            lambda: build(CreateTemplate, **template(format=MessageFormat.UNKNOWN)).to_domain(),
            "format",
            id="template-add-unknown-format",
        ),
        pytest.param(lambda: require_id("", "id"), "id", id="template-change-empty-id"),
        pytest.param(lambda: require_id("1a", "id"), "id", id="template-change-non-digit-id"),
        pytest.param(lambda: require_id("١٢", "id"), "id", id="template-change-non-ascii-digits"),
        pytest.param(
            lambda: build(UpdateTemplateById, id=ID("1"), **template_changes(name="")).to_domain(),
            "name",
            id="template-change-blank-name",
        ),
        pytest.param(
            lambda: build(
                UpdateTemplateById, id=ID("1"), **template_changes(message=LONG)
            ).to_domain(),
            "message",
            id="template-change-long-message",
        ),
        pytest.param(
            lambda: build(
                UpdateTemplateById, id=ID("1"), **template_changes(format=MessageFormat.UNKNOWN)
            ).to_domain(),
            "format",
            id="template-change-unknown-format",
        ),
        pytest.param(lambda: require_id("-1", "id"), "id", id="template-delete-bad-id"),
        # jobs: ids and listing
        pytest.param(lambda: require_id("x", "id"), "id", id="job-delete-bad-id"),
        pytest.param(lambda: require_id("", "id"), "id", id="job-cancel-empty-id"),
        pytest.param(lambda: require_id("1 ", "id"), "id", id="job-get-bad-id"),
        pytest.param(
            lambda: job_dates(dt.date(2025, 2, 1), dt.date(2025, 1, 31)),
            "until",
            id="job-list-until-before-since",
        ),
        # contacts
        pytest.param(
            lambda: build(CreateContact, **contact(phones=[])).to_domain(),
            "phones",
            id="contact-add-no-phones",
        ),
        pytest.param(
            lambda: build(CreateContact, **contact(phones=["1,2"])).to_domain(),
            "phones[0]",
            id="contact-add-phone-with-comma",
        ),
        pytest.param(
            lambda: build(CreateContact, **contact(group_ids=["g"])).to_domain(),
            "groupIds[0]",
            id="contact-add-bad-group",
        ),
        pytest.param(
            lambda: build(CreateContact, **contact(tags=["a,b"])).to_domain(),
            "tags",
            id="contact-add-tag-with-comma",
        ),
        pytest.param(
            lambda: build(CreateContact, **contact(other_phones=[""])).to_domain(),
            "otherPhones[0]",
            id="contact-add-blank-other-phone",
        ),
        pytest.param(
            lambda: require_listed_phone("", "phone"), "phone", id="contact-change-blank-phone"
        ),
        pytest.param(
            lambda: build(
                UpdateContactByPhone, phone=PHONE, **contact_changes(new_phones=[])
            ).to_domain(),
            "newPhones",
            id="contact-change-no-new-phones",
        ),
        pytest.param(
            lambda: build(
                UpdateContactByPhone, phone=PHONE, **contact_changes(new_phones=["1;2"])
            ).to_domain(),
            "newPhones[0]",
            id="contact-change-new-phone-with-semicolon",
        ),
        pytest.param(
            lambda: build(
                UpdateContactByPhone, phone=PHONE, **contact_changes(group_ids=[""])
            ).to_domain(),
            "groupIds[0]",
            id="contact-change-empty-group",
        ),
        pytest.param(
            lambda: build(
                UpdateContactByPhone, phone=PHONE, **contact_changes(tags=[" "])
            ).to_domain(),
            "tags",
            id="contact-change-blank-tag",
        ),
        pytest.param(
            lambda: require_listed_phone(f"{PHONE},{OTHER_PHONE}", "phone"),
            "phone",
            id="contact-delete-two-phones",
        ),
        # groups
        pytest.param(
            lambda: build(CreateGroup, **group(name=" ")).to_domain(),
            "name",
            id="group-add-blank-name",
        ),
        pytest.param(
            lambda: build(CreateGroup, **group(number=-1)).to_domain(),
            "number",
            id="group-add-negative-number",
        ),
        pytest.param(lambda: require_id("x", "id"), "id", id="group-rename-bad-id"),
        pytest.param(
            lambda: build(RenameGroup, name=" ").to_domain(), "name", id="group-rename-blank-name"
        ),
        pytest.param(lambda: require_id("", "id"), "id", id="group-delete-empty-id"),
        pytest.param(lambda: require_id("g", "groupId"), "groupId", id="group-move-bad-group"),
        pytest.param(
            lambda: require_listed_phone("", "phone"), "phone", id="group-move-blank-phone"
        ),
        # blacklist
        pytest.param(
            lambda: build(AddToBlacklist, **blocked(scope=BlockScope.UNKNOWN)).to_domain(),
            "scope",
            id="blacklist-add-unknown-scope",
        ),
        pytest.param(
            lambda: build(AddToBlacklist, **blocked(phone=" ")).to_domain(),
            "phone",
            id="blacklist-add-blank-phone",
        ),
        pytest.param(
            lambda: require_listed_phone("", "phone"), "phone", id="blacklist-remove-blank-phone"
        ),
        # answers
        pytest.param(
            lambda: require_int(0, "sinceHours", 1, MAX_ANSWER_HOURS),
            "sinceHours",
            id="answers-zero-hours",
        ),
        pytest.param(
            lambda: require_int(169, "sinceHours", 1, MAX_ANSWER_HOURS),
            "sinceHours",
            id="answers-too-many-hours",
        ),
        pytest.param(
            lambda: require_listed_phone(" ", "toPhone"), "toPhone", id="answers-blank-to-phone"
        ),
        # downloads
        pytest.param(lambda: require_id("f", "id"), "id", id="downloads-file-bad-id"),
    ],
)
def test_refused(build: Callable[[], object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        build()
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("build", "field", "message"),
    [
        pytest.param(
            lambda: build(CreateContact, **contact(phones=[])).to_domain(),
            "phones",
            "phones: give at least one phone or e-mail address",
            id="contact-no-phones",
        ),
        pytest.param(
            lambda: build(CreateContact, **contact(tags=["ok", "a;b"])).to_domain(),
            "tags",
            "tags: 'a;b' contains a separator character",
            id="contact-tag-separator",
        ),
        pytest.param(
            lambda: build(
                UpdateContactByPhone, phone=PHONE, **contact_changes(new_phones=[])
            ).to_domain(),
            "newPhones",
            "newPhones: give at least one phone",
            id="changes-no-new-phones",
        ),
        pytest.param(
            lambda: build(UpdateContact, **contact_changes(tags=["a,b"])).to_domain(),
            "tags",
            "tags: 'a,b' contains a separator character",
            id="changes-tag-separator",
        ),
        pytest.param(
            lambda: build(UpdateContact, **contact_changes(tags=[""])).to_domain(),
            "tags",
            "tags: must not be blank",
            id="changes-empty-tag",
        ),
        pytest.param(
            lambda: build(UpdateContact, **contact_changes()).to_domain(),
            "body",
            "body: give at least one field to change",
            id="changes-nothing",
        ),
    ],
)
def test_refusal_messages(build: Callable[[], object], field: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        build()
    assert (caught.value.field, caught.value.message) == (field, message)


def test_contact_drafts_pass_what_smsc_can_be_told() -> None:
    assert CreateContact(**contact(tags=["vip", "2025"])).to_domain() == ContactDraft(
        phones=(PHONE,), tags=("vip", "2025")
    )
    assert UpdateContactByPhone(
        phone=PHONE, **contact_changes(tags=[], new_phones=[PHONE])
    ).to_domain() == (ContactChanges(new_phones=(PHONE,), tags=()))
    assert UpdateContactByPhone(
        phone=PHONE, **contact_changes(name="N")
    ).to_domain() == ContactChanges(name="N")


def test_create_job_checks_the_whole_job_last() -> None:
    job = CreateJob(name="Promo", phones=[PHONE], message="Hello")

    assert job.to_domain() == JobSpec(name="Promo", phones=(PHONE,), message="Hello")
    with pytest.raises(InputError) as caught:
        build(CreateJob, name="Promo", phones=[PHONE], message="Hello", subject="S")
    assert caught.value.field == "subject"
    with pytest.raises(InputError) as caught:
        build(
            CreateJob,
            name="Promo",
            phones=[PHONE],
            message="Hello",
            subject="S",
            sender="far too long a sender",
        )
    assert caught.value.field == "sender", "each field's own rule comes first"
