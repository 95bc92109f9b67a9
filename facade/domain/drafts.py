"""Templates, contacts, groups and blacklist entries as the APIs receive them, turned into the
domain's drafts and changes: one builder each for GraphQL and REST (`job_request` does jobs).

Both APIs name the fields alike (camelCase outside, snake_case here), so each passes its own input
object; enums are matched by member name. Every rule comes from `facade.domain.rules`, and the
`InputError` names the public field (`tags[1]`); a rule about a whole change names `whole`, the
protocol's word for it (GraphQL's `input`, REST's `body`). What these builders pass, the SMSC
commands encode without fail.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from facade.domain import blacklist, contacts, groups, templates
from facade.domain.bounds import (
    MAX_CLIENT_ID_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_GROUP_NUMBER,
    MAX_NAME_LENGTH,
    MAX_TAG_LENGTH,
)
from facade.domain.rules import (
    ids,
    lines,
    optional_birthday,
    optional_line,
    optional_lines,
    optional_sender,
    phones,
    require_int,
    require_message,
    require_name,
    require_phone,
    require_sender,
)
from facade.errors import InputError

_TAG_SEPARATORS = frozenset(",;")


class _Named(Protocol):
    @property
    def name(self) -> str: ...


# templates


class TemplateSource(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def format(self) -> _Named: ...
    @property
    def sender(self) -> str | None: ...
    @property
    def auto_sign(self) -> bool: ...


class TemplateChangesSource(Protocol):
    @property
    def name(self) -> str | None: ...
    @property
    def message(self) -> str | None: ...
    @property
    def format(self) -> _Named | None: ...
    @property
    def sender(self) -> str | None: ...
    @property
    def auto_sign(self) -> bool | None: ...


def _format(value: _Named) -> templates.MessageFormat:
    found = templates.MessageFormat[value.name]
    if found is templates.MessageFormat.UNKNOWN:
        raise InputError("format", "must be a known message format")
    return found


def template_draft(source: TemplateSource) -> templates.TemplateDraft:
    format_ = _format(source.format)
    return templates.TemplateDraft(
        name=require_name(source.name, "name"),
        message=require_message(
            source.message, "message", binary=format_ is templates.MessageFormat.BIN
        ),
        format=format_,
        sender=optional_sender(source.sender, "sender"),
        auto_sign=source.auto_sign,
    )


def template_changes(source: TemplateChangesSource, whole: str) -> templates.TemplateChanges:
    """An empty `sender` removes the sender."""
    format_ = None if source.format is None else _format(source.format)
    changes = templates.TemplateChanges(
        name=None if source.name is None else require_name(source.name, "name"),
        message=None
        if source.message is None
        else require_message(
            source.message, "message", binary=format_ is templates.MessageFormat.BIN
        ),
        format=format_,
        sender=require_sender(source.sender, "sender") if source.sender else source.sender,
        auto_sign=source.auto_sign,
    )
    if changes == templates.TemplateChanges():
        raise InputError(whole, "give at least one field to change")
    return changes


# contacts


class ContactSource(Protocol):
    @property
    def phones(self) -> Sequence[str]: ...
    @property
    def name(self) -> str | None: ...
    @property
    def group_ids(self) -> Sequence[str]: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def middle_name(self) -> str | None: ...
    @property
    def birthday(self) -> dt.date | None: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def tags(self) -> Sequence[str]: ...
    @property
    def other_phones(self) -> Sequence[str]: ...


class ContactChangesSource(Protocol):
    @property
    def new_phones(self) -> Sequence[str] | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def group_ids(self) -> Sequence[str] | None: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def middle_name(self) -> str | None: ...
    @property
    def birthday(self) -> dt.date | None: ...
    @property
    def client_id(self) -> str | None: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def tags(self) -> Sequence[str] | None: ...
    @property
    def other_phones(self) -> Sequence[str] | None: ...


def contact_draft(source: ContactSource) -> contacts.ContactDraft:
    draft = contacts.ContactDraft(
        phones=phones(source.phones, "phones"),
        name=optional_line(source.name, "name", MAX_NAME_LENGTH),
        group_ids=ids(source.group_ids, "groupIds"),
        first_name=optional_line(source.first_name, "firstName", MAX_NAME_LENGTH),
        last_name=optional_line(source.last_name, "lastName", MAX_NAME_LENGTH),
        middle_name=optional_line(source.middle_name, "middleName", MAX_NAME_LENGTH),
        birthday=optional_birthday(source.birthday, "birthday"),
        client_id=optional_line(source.client_id, "clientId", MAX_CLIENT_ID_LENGTH),
        comment=optional_lines(source.comment, "comment", MAX_COMMENT_LENGTH),
        tags=lines(source.tags, "tags", MAX_TAG_LENGTH),
        other_phones=phones(source.other_phones, "otherPhones"),
    )
    if not draft.phones:
        raise InputError("phones", "give at least one phone")
    _check_tags(draft.tags)
    return draft


def contact_changes(source: ContactChangesSource, whole: str) -> contacts.ContactChanges:
    """An empty string or list clears a field; `None` keeps it."""
    changes = contacts.ContactChanges(
        new_phones=None if source.new_phones is None else phones(source.new_phones, "newPhones"),
        name=optional_line(source.name, "name", MAX_NAME_LENGTH),
        group_ids=None if source.group_ids is None else ids(source.group_ids, "groupIds"),
        first_name=optional_line(source.first_name, "firstName", MAX_NAME_LENGTH),
        last_name=optional_line(source.last_name, "lastName", MAX_NAME_LENGTH),
        middle_name=optional_line(source.middle_name, "middleName", MAX_NAME_LENGTH),
        birthday=optional_birthday(source.birthday, "birthday"),
        client_id=optional_line(source.client_id, "clientId", MAX_CLIENT_ID_LENGTH),
        comment=optional_lines(source.comment, "comment", MAX_COMMENT_LENGTH),
        tags=None if source.tags is None else lines(source.tags, "tags", MAX_TAG_LENGTH),
        other_phones=None
        if source.other_phones is None
        else phones(source.other_phones, "otherPhones"),
    )
    if changes == contacts.ContactChanges():
        raise InputError(whole, "give at least one field to change")
    if changes.new_phones is not None and not changes.new_phones:
        raise InputError("newPhones", "give at least one phone")
    if changes.tags is not None:
        _check_tags(changes.tags)
    return changes


def _check_tags(tags: Sequence[str]) -> None:
    """SMSC takes a contact's tags as one comma-separated value: none may be blank or hold a
    separator (a line break is refused already, as in any line)."""
    for tag in tags:
        if not tag.strip():
            raise InputError("tags", "must not be blank")
        if _TAG_SEPARATORS & set(tag):
            raise InputError("tags", f"{tag!r} contains a separator character")


# groups and the blacklist


class GroupSource(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def number(self) -> int | None: ...
    @property
    def kind(self) -> _Named: ...


def group_draft(source: GroupSource) -> groups.GroupDraft:
    number = source.number
    return groups.GroupDraft(
        name=require_name(source.name, "name"),
        number=None if number is None else require_int(number, "number", 0, MAX_GROUP_NUMBER),
        kind=groups.GroupKind[source.kind.name],
    )


def group_name(name: str) -> str:
    """A group's new name."""
    return require_name(name, "name")


class BlacklistSource(Protocol):
    @property
    def phone(self) -> str: ...
    @property
    def scope(self) -> _Named: ...
    @property
    def comment(self) -> str | None: ...


def blacklist_draft(source: BlacklistSource) -> blacklist.BlacklistDraft:
    scope = blacklist.BlockScope[source.scope.name]
    if scope is blacklist.BlockScope.UNKNOWN:
        raise InputError("scope", "must be a known block scope")
    return blacklist.BlacklistDraft(
        phone=require_phone(source.phone, "phone"),
        scope=scope,
        comment=optional_lines(source.comment, "comment", MAX_COMMENT_LENGTH),
    )
