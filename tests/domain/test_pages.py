"""Page indexes: built once per list object, bounded, and the resume rules they serve."""

import dataclasses
import datetime as dt
from collections.abc import Sequence

import pytest

from facade.domain.answers import Answer
from facade.domain.contacts import Contact, contacts_from_rows, page_key
from facade.domain.pages import ListMemo, answers_by_id, start_after_key

MOSCOW = dt.timezone(dt.timedelta(hours=3))


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


def answer(id: int) -> Answer:
    at = dt.datetime(2025, 1, 1, tzinfo=MOSCOW)
    return Answer(id=str(id), received_at=at, phone="7900", message="m", to_phone=None, sent_at=at)


class Counted:
    """A hashable index builder that counts its builds (the identity of the lists it saw)."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def __call__(self, items: Sequence[str]) -> int:
        self.seen.append(id(items))
        return len(items)


def test_an_index_is_built_once_per_list_object() -> None:
    memo, build = ListMemo(), Counted()
    items = ["a", "b"]

    assert [memo.index(items, build) for _ in range(3)] == [2, 2, 2]

    assert build.seen == [id(items)]
    assert memo.builds == 1


def test_an_equal_new_list_is_a_new_list() -> None:
    memo, build = ListMemo(), Counted()
    first, second = ["a", "b"], ["a", "b"]

    memo.index(first, build)
    memo.index(second, build)

    assert build.seen == [id(first), id(second)]


def test_each_builder_has_its_own_index_of_a_list() -> None:
    memo = ListMemo()
    items = ["a", "b"]

    assert memo.index(items, len) == 2
    assert memo.index(items, tuple) == ("a", "b")
    assert memo.builds == 2
    assert len(memo) == 2


def test_the_least_recently_used_lists_leave_first() -> None:
    memo, build = ListMemo(max_lists=2), Counted()
    one, two, three = ["1"], ["2"], ["3"]

    memo.index(one, build)
    memo.index(two, build)
    memo.index(one, build)  # used again: `two` is now the least recent
    memo.index(three, build)
    memo.index(one, build)
    memo.index(two, build)

    assert build.seen == [id(one), id(two), id(three), id(two)]
    assert len(memo) == 2


def test_items_are_bounded_but_the_list_used_last_stays() -> None:
    memo, build = ListMemo(max_items=3), Counted()
    small, large = ["s"], ["l"] * 5

    memo.index(small, build)
    memo.index(large, build)  # larger than the bound alone: kept, and `small` leaves
    memo.index(large, build)

    assert len(memo) == 1
    assert build.seen == [id(small), id(large)]
    memo.index(small, build)
    assert len(memo) == 1  # `large` leaves for it
    assert memo.builds == 3


def test_a_memoized_list_stays_alive_so_its_id_is_never_reused() -> None:
    memo = ListMemo()
    memo.index(["x"] * 3, len)
    later = [["y"] * 4 for _ in range(100)]  # would likely reuse the freed list's address

    assert [memo.index(items, len) for items in later] == [4] * 100


def test_clear_forgets_every_list() -> None:
    memo, build = ListMemo(), Counted()
    items = ["a"]
    memo.index(items, build)

    memo.clear()
    memo.index(items, build)

    assert build.seen == [id(items), id(items)]


def test_at_least_one_list_is_kept() -> None:
    with pytest.raises(ValueError, match="max_lists"):
        ListMemo(max_lists=0)


CONTACTS = [contact(f"7900000000{n}") for n in range(8)]


@pytest.mark.parametrize(
    ("items", "position", "key", "start"),
    [
        pytest.param(CONTACTS, 3, "79000000003", 4, id="after-its-contact"),
        pytest.param(CONTACTS[2:], 3, "79000000003", 2, id="after-its-contact-moved"),
        pytest.param(CONTACTS[:3] + CONTACTS[4:], 3, "79000000003", 3, id="gone-at-its-position"),
        pytest.param(CONTACTS[:2], 5, "79000000005", 2, id="gone-past-the-end"),
        pytest.param([contact(), contact()], 0, "-", 1, id="first-of-equal-keys"),
    ],
)
def test_start_after_key(items: list[Contact], position: int, key: str, start: int) -> None:
    assert start_after_key(items, page_key, position, key, ListMemo()) == start


def test_keys_are_indexed_once_for_every_page() -> None:
    memo = ListMemo()
    for position, item in enumerate(CONTACTS):
        start_after_key(CONTACTS, page_key, position, page_key(item), memo)

    assert memo.builds == 1


def test_answers_in_id_order_and_the_page_after_an_id() -> None:
    listed = [answer(12), answer(3), answer(7), answer(100)]
    memo = ListMemo()

    order = answers_by_id(listed, memo)

    assert [a.id for a in order.answers] == ["3", "7", "12", "100"]  # numeric, not text, order
    assert order.start_after(None) == 0
    assert order.start_after(7) == 2
    assert order.start_after(8) == 2  # gone: the first greater id
    assert order.start_after(100) == 4
    assert answers_by_id(listed, memo) is order


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
    with pytest.raises(ValueError, match="11 fields"):
        contacts_from_rows([(("79000000001",), None)])
