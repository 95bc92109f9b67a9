# ruff: noqa: RUF001 - the generated names are Russian on purpose; Cyrillic letters are not typos.
"""Large phonebooks (`contacts=N`): N generated contacts, realistic and the same on every run.

Generated contacts keep the demo seed's rules for fmt 0 and 1 (facade.emulator.seed): a comma
only in a name and always followed by a space and a letter, no comma in other free text, list
fields comma-joined without spaces, no all-digit tags. Phones are distinct 11-digit Russian
mobiles, spread over the range by a fixed bijection, and never one an existing contact holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from facade.emulator import contacts, groups
from facade.emulator.records import Contact, Group

if TYPE_CHECKING:
    from collections.abc import Iterator

    from facade.emulator.records import AccountData

MAX_CONTACTS: Final = 1_000_000
# `79` + nine digits: k ↦ (k·A + B) mod 10⁹ is a bijection since A is prime to 10.
_PHONE_SPAN: Final = 1_000_000_000
_PHONE_STEP: Final = 7_368_787
_PHONE_OFFSET: Final = 123_456_789

_GROUPS: Final = (
    ("Клиенты, розница", 500),
    ("Клиенты, опт", 501),
    ("Рассылка «Новости»", None),
    ("Сотрудники", 502),
    ("Партнёры <&>", None),
)
# (first name, middle name, last name), the male and the female forms.
_MEN: Final = (
    ("Иван", "Иванович", "Иванов"),
    ("Пётр", "Петрович", "Петров"),
    ("Алексей", "Сергеевич", "Смирнов"),
    ("Дмитрий", "Андреевич", "Кузнецов"),
    ("Сергей", "Викторович", "Попов"),
    ("Андрей", "Олегович", "Соколов"),
    ("Михаил", "Юрьевич", "Лебедев"),
)
_WOMEN: Final = (
    ("Анна", "Петровна", "Козлова"),
    ("Ольга", "Игоревна", "Новикова"),
    ("Мария", "Дмитриевна", "Морозова"),
    ("Елена", "Алексеевна", "Волкова"),
    ("Наталья", "Сергеевна", "Зайцева"),
)
_LATIN: Final = ("Anna O'Neil", "John Smith", "Émilie Dubois", "Li Wei")
_COMMENTS: Final = (
    "Звонить после 18:00",
    "Предпочитает WhatsApp 📱",
    'Постоянный клиент "VIP" & <опт>',
    "Первая строка\nи вторая строка",
    "Не беспокоить по выходным",
)
_TAGS: Final = ("vip", "опт", "новый", "en", "b2b", "a&b")


def _phones(count: int, taken: set[str]) -> Iterator[str]:
    k = 0
    while count:
        phone = f"79{(k * _PHONE_STEP + _PHONE_OFFSET) % _PHONE_SPAN:09d}"
        k += 1
        if phone not in taken:
            count -= 1
            yield phone


def _add_groups(data: AccountData) -> list[int]:
    ids = []
    for name, number in _GROUPS:
        group = Group(id=data.next_id("group", start=groups.FIRST_ID), name=name, number=number)
        data.groups[group.id] = group
        ids.append(group.id)
    return ids


def _contact(n: int, contact_id: int, phone: str, group_ids: list[int]) -> Contact:
    """The n-th generated contact: most have a full name, fewer have the other fields."""
    people = _WOMEN if n % 3 == 1 else _MEN
    first, middle, last = people[n % len(people)]
    if n % 13 == 12:
        name, first, middle, last = _LATIN[n % len(_LATIN)], "", "", ""
    elif n % 10 == 9:
        name = f"{last}, {first}"
    else:
        name = f"{last} {first}"
    member_of = {group_ids[n % len(group_ids)]} if n % 3 == 0 else set()
    if n % 9 == 0:
        member_of.add(group_ids[(n // 9) % len(group_ids)])
    return Contact(
        id=contact_id,
        phones=[phone],
        name=name,
        groups=member_of,
        first_name=first if n % 4 else "",
        last_name=last if n % 4 else "",
        middle_name=middle if n % 2 else "",
        birthday=f"{n % 28 + 1:02d}.{n % 12 + 1:02d}.{1950 + n % 55}" if n % 3 == 2 else "",
        client_id=f"crm-{n}" if n % 2 == 0 else "",
        comment=_COMMENTS[n % len(_COMMENTS)] if n % 5 == 4 else "",
        tags=list(_TAGS[n % 5 : n % 5 + 1 + n % 2]) if n % 4 == 1 else [],
        other_phones=[f"7495{n % 10_000_000:07d}"] if n % 7 == 6 else [],
    )


def add_contacts(data: AccountData, count: int) -> None:
    """Add `count` generated contacts (0 to `MAX_CONTACTS`) and, for them, a few groups."""
    if not 0 <= count <= MAX_CONTACTS:
        raise ValueError(f"contacts must be between 0 and {MAX_CONTACTS}, not {count}")
    if not count:
        return
    group_ids = _add_groups(data)
    taken = {phone for contact in data.contacts.values() for phone in contact.phones}
    for n, phone in enumerate(_phones(count, taken)):
        contact_id = data.next_id("contact", start=contacts.FIRST_ID)
        data.contacts[contact_id] = _contact(n, contact_id, phone, group_ids)
