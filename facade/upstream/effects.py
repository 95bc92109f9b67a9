"""What each write does to the cached reads (DESIGN.md, "Caching under SMSC's rules").

A write whose effect is fully known updates the cached reads in place (write-through); one whose
effect SMSC computes (recipient counts, statuses, contacts behind group counts) invalidates them.
Either way no read the write can change is left looking fresh, empty lists included.
"""

import dataclasses
import decimal
from collections.abc import Callable
from typing import Any

from facade.domain.blacklist import BlacklistEntry
from facade.domain.contacts import is_email
from facade.domain.groups import Group, GroupDraft
from facade.domain.messages import Balance
from facade.domain.templates import (
    AUTO_SIGN_FLAG,
    MessageFormat,
    Template,
    TemplateChanges,
    TemplateDraft,
)
from facade.smsc.enums import MESSAGE_FORMATS
from facade.upstream.cache import CannotUpdate

Change = Callable[[str, Any], Any]

# The cache tag of each read; a write names the tags it touches.
TEMPLATES = "templates"
JOBS = "jobs"
CONTACTS = "contacts"
GROUPS = "groups"
BLACKLIST = "blacklist"
EMAIL_BLACKLIST = "email_blacklist"
ANSWERS = "answers"
DOWNLOADS = "downloads"
COSTS = "costs"
MESSAGES = "messages"
BALANCE = "balance"


@dataclasses.dataclass(frozen=True, slots=True)
class Effect:
    """Tags to invalidate, and write-through changes per tag."""

    invalidate: tuple[str, ...] = ()
    update: tuple[tuple[str, Change], ...] = ()


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise CannotUpdate
    return value


def appended(item: object) -> Change:
    return lambda _key, value: [*_list(value), item]


def removed(matches: Callable[[Any], bool]) -> Change:
    return lambda _key, value: [item for item in _list(value) if not matches(item)]


def replaced(matches: Callable[[Any], bool], change: Callable[[Any], Any]) -> Change:
    return lambda _key, value: [change(item) if matches(item) else item for item in _list(value)]


def new_template(id: str, draft: TemplateDraft) -> Template:
    """The template SMSC will list for `draft`, normalized as the parsers normalize it."""
    return Template(
        id=id,
        name=draft.name,
        message=draft.message,
        format=draft.format,
        format_raw=MESSAGE_FORMATS.encode(draft.format),
        sender=draft.sender or None,
        flags=AUTO_SIGN_FLAG if draft.auto_sign else 0,
    )


def changed_template(template: Template, changes: TemplateChanges) -> Template:
    fmt: MessageFormat = template.format if changes.format is None else changes.format
    flags = template.flags
    if changes.auto_sign is not None:
        flags = flags | AUTO_SIGN_FLAG if changes.auto_sign else flags & ~AUTO_SIGN_FLAG
    return dataclasses.replace(
        template,
        name=template.name if changes.name is None else changes.name,
        message=template.message if changes.message is None else changes.message,
        format=fmt,
        format_raw=MESSAGE_FORMATS.encode(fmt)
        if changes.format is not None
        else template.format_raw,
        sender=template.sender if changes.sender is None else (changes.sender or None),
        flags=flags,
    )


def template_created(template: Template) -> Effect:
    return Effect(update=((TEMPLATES, appended(template)),))


def template_changed(id: str, changes: TemplateChanges) -> Effect:
    return Effect(
        update=(
            (TEMPLATES, replaced(lambda t: t.id == id, lambda t: changed_template(t, changes))),
        )
    )


def template_deleted(id: str) -> Effect:
    return Effect(update=((TEMPLATES, removed(lambda t: t.id == id)),))


# Jobs: SMSC computes statuses, counts and times, and `tpl` expands server-side.
JOBS_CHANGED = Effect(invalidate=(JOBS,))

# Contacts, phone and e-mail alike: listings are filtered server-side (search, group) and group
# counts follow them.
CONTACTS_CHANGED = Effect(invalidate=(CONTACTS, GROUPS))


def group_created(id: str, draft: GroupDraft) -> Effect:
    group = Group(id=id, name=draft.name, number=draft.number, contact_count=0)
    return Effect(update=((GROUPS, appended(group)),))


def group_renamed(id: str, name: str) -> Effect:
    rename = replaced(lambda g: g.id == id, lambda g: dataclasses.replace(g, name=name))
    return Effect(update=((GROUPS, rename),))


def group_deleted(id: str) -> Effect:
    return Effect(invalidate=(CONTACTS,), update=((GROUPS, removed(lambda g: g.id == id)),))


def blacklist_tag(emails: bool) -> str:
    """The tag of the phones' blacklist, or with `emails` of the e-mail one: SMSC lists them
    apart, and an entry goes on the one its address's kind names."""
    return EMAIL_BLACKLIST if emails else BLACKLIST


def blacklisted(entry: BlacklistEntry) -> Effect:
    return Effect(update=((blacklist_tag(is_email(entry.phone)), appended(entry)),))


def unblacklisted(address: str) -> Effect:
    """Off its list: an e-mail address as listed, a phone with or without a leading +."""
    if is_email(address):
        return Effect(update=((EMAIL_BLACKLIST, removed(lambda e: e.phone == address)),))
    bare = address.removeprefix("+")
    return Effect(update=((BLACKLIST, removed(lambda e: e.phone.removeprefix("+") == bare)),))


def balance_after(amount: decimal.Decimal | None) -> Effect:
    """A send: the balance SMSC gave after it (`withCost`) is written through; without one the
    balance is read again."""
    if amount is None:
        return Effect(invalidate=(BALANCE,))
    return Effect(update=((BALANCE, lambda _key, value: _balance(value, amount)),))


def _balance(value: Any, amount: decimal.Decimal) -> Balance:
    if not isinstance(value, Balance):
        raise CannotUpdate
    return dataclasses.replace(value, amount=amount)
