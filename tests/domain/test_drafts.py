"""The rules both APIs apply to templates, contacts, groups, the blacklist, ids, phones and
listings before idempotency and before any SMSC command is built. These were the SMSC command
builders' refusals (tests/smsc/test_commands.py) until validation moved to the domain; each is
refused here with the same code and field, or with the item's path where a field's own rule
already refused the value (`phones[0]`)."""

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from facade.domain import drafts
from facade.domain.answers import MAX_ANSWER_HOURS
from facade.domain.blacklist import BlockScope
from facade.domain.contacts import ContactChanges, ContactDraft
from facade.domain.groups import GroupKind
from facade.domain.rules import job_dates, require_id, require_int, require_listed_phone
from facade.domain.templates import MessageFormat
from facade.errors import InputError

PHONE = "79990000001"
OTHER_PHONE = "79990000002"
LONG = "x" * 1001


def template(**changes: Any) -> SimpleNamespace:
    fields = {"name": "n", "message": "m", "format": MessageFormat.UNSPECIFIED}
    return SimpleNamespace(**(fields | {"sender": None, "auto_sign": False} | changes))


def template_changes(**changes: Any) -> SimpleNamespace:
    fields = dict.fromkeys(("name", "message", "format", "sender", "auto_sign"))
    return SimpleNamespace(**(fields | changes))


def contact(**changes: Any) -> SimpleNamespace:
    fields: dict[str, Any] = {
        "phones": [PHONE],
        "group_ids": [],
        "tags": [],
        "other_phones": [],
        **dict.fromkeys(
            ("name", "first_name", "last_name", "middle_name", "birthday", "client_id", "comment")
        ),
    }
    return SimpleNamespace(**(fields | changes))


def contact_changes(**changes: Any) -> SimpleNamespace:
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
    return SimpleNamespace(**(dict.fromkeys(names) | changes))


def group(**changes: Any) -> SimpleNamespace:
    return SimpleNamespace(**({"name": "g", "number": None, "kind": GroupKind.PHONES} | changes))


def blocked(**changes: Any) -> SimpleNamespace:
    return SimpleNamespace(**({"phone": PHONE, "scope": BlockScope.ALL, "comment": None} | changes))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        # templates
        pytest.param(
            lambda: drafts.template_draft(template(name=" ")), "name", id="template-add-blank-name"
        ),
        pytest.param(
            lambda: drafts.template_draft(template(message="")),
            "message",
            id="template-add-empty-message",
        ),
        pytest.param(
            lambda: drafts.template_draft(template(message=LONG)),
            "message",
            id="template-add-long-message",
        ),
        pytest.param(
            lambda: drafts.template_draft(template(format=MessageFormat.UNKNOWN)),
            "format",
            id="template-add-unknown-format",
        ),
        pytest.param(lambda: require_id("", "id"), "id", id="template-change-empty-id"),
        pytest.param(lambda: require_id("1a", "id"), "id", id="template-change-non-digit-id"),
        pytest.param(lambda: require_id("١٢", "id"), "id", id="template-change-non-ascii-digits"),
        pytest.param(
            lambda: drafts.template_changes(template_changes(name=""), "input"),
            "name",
            id="template-change-blank-name",
        ),
        pytest.param(
            lambda: drafts.template_changes(template_changes(message=LONG), "input"),
            "message",
            id="template-change-long-message",
        ),
        pytest.param(
            lambda: drafts.template_changes(
                template_changes(format=MessageFormat.UNKNOWN), "input"
            ),
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
            lambda: drafts.contact_draft(contact(phones=[])), "phones", id="contact-add-no-phones"
        ),
        pytest.param(
            lambda: drafts.contact_draft(contact(phones=["1,2"])),
            "phones[0]",
            id="contact-add-phone-with-comma",
        ),
        pytest.param(
            lambda: drafts.contact_draft(contact(group_ids=["g"])),
            "groupIds[0]",
            id="contact-add-bad-group",
        ),
        pytest.param(
            lambda: drafts.contact_draft(contact(tags=["a,b"])),
            "tags",
            id="contact-add-tag-with-comma",
        ),
        pytest.param(
            lambda: drafts.contact_draft(contact(other_phones=[""])),
            "otherPhones[0]",
            id="contact-add-blank-other-phone",
        ),
        pytest.param(
            lambda: require_listed_phone("", "phone"), "phone", id="contact-change-blank-phone"
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(new_phones=[]), "input"),
            "newPhones",
            id="contact-change-no-new-phones",
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(new_phones=["1;2"]), "input"),
            "newPhones[0]",
            id="contact-change-new-phone-with-semicolon",
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(group_ids=[""]), "input"),
            "groupIds[0]",
            id="contact-change-empty-group",
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(tags=[" "]), "input"),
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
            lambda: drafts.group_draft(group(name=" ")), "name", id="group-add-blank-name"
        ),
        pytest.param(
            lambda: drafts.group_draft(group(number=-1)), "number", id="group-add-negative-number"
        ),
        pytest.param(lambda: require_id("x", "id"), "id", id="group-rename-bad-id"),
        pytest.param(lambda: drafts.group_name(" "), "name", id="group-rename-blank-name"),
        pytest.param(lambda: require_id("", "id"), "id", id="group-delete-empty-id"),
        pytest.param(lambda: require_id("g", "groupId"), "groupId", id="group-move-bad-group"),
        pytest.param(
            lambda: require_listed_phone("", "phone"), "phone", id="group-move-blank-phone"
        ),
        # blacklist
        pytest.param(
            lambda: drafts.blacklist_draft(blocked(scope=BlockScope.UNKNOWN)),
            "scope",
            id="blacklist-add-unknown-scope",
        ),
        pytest.param(
            lambda: drafts.blacklist_draft(blocked(phone=" ")),
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
            lambda: drafts.contact_draft(contact(phones=[])),
            "phones",
            "phones: give at least one phone",
            id="contact-no-phones",
        ),
        pytest.param(
            lambda: drafts.contact_draft(contact(tags=["ok", "a;b"])),
            "tags",
            "tags: 'a;b' contains a separator character",
            id="contact-tag-separator",
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(new_phones=[]), "input"),
            "newPhones",
            "newPhones: give at least one phone",
            id="changes-no-new-phones",
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(tags=["a,b"]), "body"),
            "tags",
            "tags: 'a,b' contains a separator character",
            id="changes-tag-separator",
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(tags=[""]), "body"),
            "tags",
            "tags: must not be blank",
            id="changes-empty-tag",
        ),
        pytest.param(
            lambda: drafts.contact_changes(contact_changes(), "body"),
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
    assert drafts.contact_draft(contact(tags=["vip", "2025"])) == ContactDraft(
        phones=(PHONE,), tags=("vip", "2025")
    )
    assert drafts.contact_changes(contact_changes(tags=[], new_phones=[PHONE]), "input") == (
        ContactChanges(new_phones=(PHONE,), tags=())
    )
    assert drafts.contact_changes(contact_changes(name="N"), "input") == ContactChanges(name="N")
