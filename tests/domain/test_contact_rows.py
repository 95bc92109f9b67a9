"""`contacts_from_rows`: contacts built from rows of fields, as the contact parser builds them."""

import dataclasses

import pytest

from facade.domain.contacts import Contact, contacts_from_rows


def contact(*phones: str, name: str | None = None) -> Contact:
    return Contact(
        phones=phones,
        name=name,
        group_ids=(),
        first_name=None,
        last_name=None,
        middle_name=None,
        birthday=None,
        client_id=None,
        comment=None,
        tags=(),
        other_phones=(),
    )


def test_contacts_from_rows_are_the_contacts_keyword_calls_make() -> None:
    fields = [field.name for field in dataclasses.fields(Contact)]
    made = contact("79000000001", "79000000002", name="Иван")
    row = [getattr(made, name) for name in fields]

    [built] = contacts_from_rows([row])

    assert built == made
    assert hash(built) == hash(made)
    assert not hasattr(Contact, "__post_init__")  # what building by slots relies on
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.name = "changed"  # type: ignore[misc]


def test_contacts_from_rows_refuses_a_row_of_another_length() -> None:
    with pytest.raises(ValueError, match="13 fields"):
        contacts_from_rows([(("79000000001",), None)])
