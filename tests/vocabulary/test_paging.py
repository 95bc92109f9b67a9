"""One paging module for both APIs: the cursor codec (today's `p1`, and the `v1` and `r1` cursors
GraphQL and REST issued before), the slicer, and the page indexes built once per list object."""

import base64
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from facade.domain.answers import Answer
from facade.domain.contacts import Contact, page_key
from facade.errors import InputError
from facade.graphql import connections
from facade.rest.pagination import PageQuery
from facade.vocabulary.paging import (
    ANSWERS,
    CONTACTS,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Cursor,
    ListMemo,
    PageRequest,
    decode_cursor,
    encode_cursor,
    in_id_order,
    page_request,
    paginate,
    start_after_key,
)

MOSCOW = dt.timezone(dt.timedelta(hours=3))


def contact(*phones: str) -> Contact:
    return Contact(
        phones=phones,
        name=None,
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


def answer_id(item: Answer) -> str:
    return item.id


def _cursor(text: str) -> str:
    """`text` as the cursors REST issued (unpadded)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _padded(text: str) -> str:
    """`text` as the cursors GraphQL issued (padded)."""
    return base64.urlsafe_b64encode(text.encode()).decode()


# the codec


def test_a_cursor_is_p1_unpadded_and_decodes_to_what_was_encoded() -> None:
    cursor = encode_cursor("contact", 3, "79161234567")

    assert (
        base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)) == b"p1:contact:3:79161234567"
    )
    assert "=" not in cursor
    assert decode_cursor(cursor, "contact", "after") == Cursor(3, "79161234567")
    assert decode_cursor(cursor, "contact", "cursor") == (3, "79161234567")


@pytest.mark.parametrize("version", ["v1", "r1", "p1"])
@pytest.mark.parametrize("encode", [_cursor, _padded], ids=["unpadded", "padded"])
def test_cursors_issued_before_still_decode(version: str, encode: Callable[[str], str]) -> None:
    cursor = encode(f"{version}:contact:3:79161234567")

    assert decode_cursor(cursor, "contact", "after") == Cursor(3, "79161234567")
    assert decode_cursor(cursor, "contact", "cursor") == Cursor(3, "79161234567")


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        pytest.param(
            lambda: decode_cursor(_cursor(f"r1:contact:{'9' * 5000}:x"), "contact", "cursor"),
            "cursor",
            id="cursor-position-5000-digits",
        ),
        pytest.param(
            lambda: decode_cursor(_cursor(f"p1:contact:{'9' * 19}:x"), "contact", "cursor"),
            "cursor",
            id="cursor-position-19-digits",
        ),
        pytest.param(
            lambda: decode_cursor(_cursor("r1:contact:²:x"), "contact", "cursor"),
            "cursor",
            id="cursor-position-superscript",
        ),
        pytest.param(
            lambda: decode_cursor("\ud800", "contact", "cursor"), "cursor", id="cursor-lone"
        ),
        pytest.param(
            lambda: decode_cursor("A" * 201, "contact", "cursor"), "cursor", id="cursor-long"
        ),
        pytest.param(
            lambda: decode_cursor(_cursor("r1:contact:1:"), "contact", "after"),
            "after",
            id="cursor-without-key",
        ),
        pytest.param(
            lambda: decode_cursor(_padded("v0:contact:1:79161234567"), "contact", "after"),
            "after",
            id="cursor-other-version",
        ),
        pytest.param(
            lambda: decode_cursor(encode_cursor("answer", 1, "6001"), "contact", "after"),
            "after",
            id="cursor-other-kind",
        ),
        pytest.param(
            lambda: decode_cursor(_cursor("p1:contact"), "contact", "cursor"),
            "cursor",
            id="cursor-too-few-parts",
        ),
        pytest.param(
            lambda: decode_cursor("%%", "contact", "cursor"), "cursor", id="cursor-not-base64"
        ),
        pytest.param(
            lambda: decode_cursor(
                base64.urlsafe_b64encode(b"\xff\xfe").decode(), "contact", "after"
            ),
            "after",
            id="cursor-not-utf8",
        ),
        pytest.param(
            lambda: page_request(
                ANSWERS,
                None,
                _padded(f"v1:answer:1:{'9' * 5000}"),
                size_field="first",
                cursor_field="after",
            ),
            "after",
            id="answer-id-5000-digits",
        ),
        pytest.param(
            lambda: page_request(
                ANSWERS,
                None,
                _cursor(f"r1:answer:1:{'9' * 19}"),
                size_field="limit",
                cursor_field="cursor",
            ),
            "cursor",
            id="answer-id-19-digits",
        ),
        pytest.param(
            lambda: page_request(
                ANSWERS,
                None,
                encode_cursor("answer", 1, "x1"),
                size_field="limit",
                cursor_field="cursor",
            ),
            "cursor",
            id="answer-id-not-digits",
        ),
    ],
)
def test_a_bad_cursor_is_refused_naming_its_field(rule: Callable[[], Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        rule()

    assert caught.value.field == field
    assert str(caught.value) == f"{field}: is not a cursor this API issued"


@pytest.mark.parametrize(
    ("size", "cursor", "field"),
    [
        pytest.param(0, None, "first", id="size-0"),
        pytest.param(-5, None, "first", id="size-negative"),
        pytest.param(MAX_PAGE_SIZE + 1, None, "limit", id="size-101"),
        pytest.param(0, "garbage!", "first", id="size-checked-before-cursor"),
    ],
)
def test_a_page_size_out_of_bounds_is_refused_naming_its_field(
    size: int, cursor: str | None, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        page_request(CONTACTS, size, cursor, size_field=field, cursor_field="after")

    assert caught.value.field == field
    assert str(caught.value) == f"{field}: must be between 1 and 100"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(
            lambda: decode_cursor(_cursor(f"r1:answer:{'9' * 18}:7"), "answer", "cursor"),
            (10**18 - 1, "7"),
            id="cursor-unpadded",
        ),
        pytest.param(
            lambda: decode_cursor(
                base64.urlsafe_b64encode(b"v1:contact:3:79161234567").decode(), "contact", "after"
            ),
            (3, "79161234567"),
            id="cursor-padded",
        ),
        pytest.param(
            lambda: decode_cursor(_cursor("p1:contact:0:a:b:c"), "contact", "after"),
            (0, "a:b:c"),
            id="cursor-key-with-colons",
        ),
        pytest.param(
            lambda: page_request(
                ANSWERS,
                None,
                _cursor(f"r1:answer:1:{'9' * 18}"),
                size_field="limit",
                cursor_field="cursor",
            ),
            PageRequest(DEFAULT_PAGE_SIZE, Cursor(1, "9" * 18)),
            id="answer-id-18-digits",
        ),
        pytest.param(
            lambda: page_request(CONTACTS, None, None, size_field="first", cursor_field="after"),
            PageRequest(DEFAULT_PAGE_SIZE, None),
            id="size-default",
        ),
        pytest.param(
            lambda: page_request(
                CONTACTS, MAX_PAGE_SIZE, None, size_field="limit", cursor_field="cursor"
            ),
            PageRequest(100, None),
            id="size-100",
        ),
    ],
)
def test_a_value_at_its_bound_is_taken(rule: Callable[[], Any], expected: Any) -> None:
    assert rule() == expected


# the slicer

CONTACT_LIST = [contact(f"7900000000{n}") for n in range(8)]


def test_a_page_names_each_item_by_its_position_and_key() -> None:
    page = paginate(CONTACT_LIST, CONTACTS, PageRequest(3, Cursor(1, "79000000001")))

    assert page.items == CONTACT_LIST[2:5]
    assert (page.start, page.total, page.has_previous, page.has_next) == (2, 8, True, True)
    assert [decode_cursor(c, "contact", "after") for c, _ in page.edges()] == [
        Cursor(2, "79000000002"),
        Cursor(3, "79000000003"),
        Cursor(4, "79000000004"),
    ]
    assert [item for _, item in page.edges()] == page.items
    assert page.start_cursor == page.edges()[0][0]
    assert page.end_cursor == page.next_cursor == page.edges()[-1][0] == page.cursor(-1)


def test_the_last_page_has_no_next_cursor_and_an_empty_list_no_cursors() -> None:
    last = paginate(CONTACT_LIST, CONTACTS, PageRequest(5, Cursor(2, "79000000002")))
    empty = paginate([], CONTACTS, PageRequest(DEFAULT_PAGE_SIZE, None))

    assert last.items == CONTACT_LIST[3:]
    assert last.has_next is False
    assert last.next_cursor is None
    assert last.end_cursor == encode_cursor("contact", 7, "79000000007")
    assert (empty.items, empty.total, empty.has_previous, empty.has_next) == ([], 0, False, False)
    assert (empty.start_cursor, empty.end_cursor, empty.next_cursor) == (None, None, None)


def test_answers_page_oldest_first_after_the_cursors_id() -> None:
    listed = [answer(12), answer(3), answer(7), answer(100), answer(50)]
    memo = ListMemo()

    first = paginate(listed, ANSWERS, PageRequest(2, None), memo)
    # The cursor's own answer has gone, and one older than it came: neither shifts the page.
    changed = [answer(1), *(a for a in listed if a.id != "7")]
    second = paginate(
        changed,
        ANSWERS,
        PageRequest(2, decode_cursor(first.next_cursor or "", "answer", "after")),
        memo,
    )

    assert [a.id for a in first.items] == ["3", "7"]
    assert first.next_cursor == encode_cursor("answer", 1, "7")
    assert [a.id for a in second.items] == ["12", "50"]
    assert second.has_next is True
    assert decode_cursor(second.next_cursor or "", "answer", "after") == Cursor(3, "50")


def test_every_page_of_a_list_uses_one_index() -> None:
    memo = ListMemo()
    contacts = list(CONTACT_LIST)

    for size in (1, 2, 3):
        paginate(contacts, CONTACTS, PageRequest(size, Cursor(0, "79000000000")), memo)
    paginate([answer(2), answer(1)], ANSWERS, PageRequest(1, None), memo)

    assert memo.builds == 2


# one cursor for both APIs


def phones(items: Sequence[Contact]) -> list[tuple[str, ...]]:
    return [item.phones for item in items]


def test_a_graphql_cursor_pages_rest_and_a_rest_cursor_pages_graphql() -> None:
    graphql = connections.contact_connection(CONTACT_LIST, connections.contacts_page(3, None))
    after_graphql = PageQuery(limit=3, cursor=graphql.page_info.end_cursor).page(CONTACTS)
    rest = paginate(CONTACT_LIST, CONTACTS, after_graphql)
    after_rest = connections.contacts_page(3, rest.next_cursor)
    back = connections.contact_connection(CONTACT_LIST, after_rest)

    assert phones(rest.items) == phones(CONTACT_LIST[3:6])
    assert [tuple(edge.node.phones) for edge in back.edges] == phones(CONTACT_LIST[6:])
    assert graphql.page_info.end_cursor == encode_cursor("contact", 2, "79000000002")
    assert rest.next_cursor == encode_cursor("contact", 5, "79000000005")


def test_an_answer_cursor_from_either_api_resumes_in_the_other() -> None:
    listed = [answer(id) for id in (6001, 6002, 6003, 6004, 6005)]

    graphql = connections.answer_connection(listed, connections.answers_page(2, None))
    rest = paginate(
        listed, ANSWERS, PageQuery(limit=2, cursor=graphql.page_info.end_cursor).page(ANSWERS)
    )
    back = connections.answer_connection(listed, connections.answers_page(2, rest.next_cursor))

    assert [a.id for a in rest.items] == ["6003", "6004"]
    assert [edge.node.id for edge in back.edges] == ["6005"]


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(_padded("v1:contact:2:79000000002"), id="graphql-v1"),
        pytest.param(_cursor("r1:contact:2:79000000002"), id="rest-r1"),
        pytest.param(encode_cursor("contact", 2, "79000000002"), id="p1"),
    ],
)
def test_cursors_issued_before_resume_in_both_apis(cursor: str) -> None:
    rest = paginate(CONTACT_LIST, CONTACTS, PageQuery(limit=2, cursor=cursor).page(CONTACTS))
    graphql = connections.contact_connection(CONTACT_LIST, connections.contacts_page(2, cursor))

    assert phones(rest.items) == phones(CONTACT_LIST[3:5])
    assert [tuple(edge.node.phones) for edge in graphql.edges] == phones(CONTACT_LIST[3:5])


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(_padded("v1:answer:0:6002"), id="graphql-v1"),
        pytest.param(_cursor("r1:answer:0:6002"), id="rest-r1"),
    ],
)
def test_answer_cursors_issued_before_resume_in_both_apis(cursor: str) -> None:
    listed = [answer(id) for id in (6001, 6002, 6003, 6004)]

    rest = paginate(listed, ANSWERS, PageQuery(cursor=cursor).page(ANSWERS))
    graphql = connections.answer_connection(listed, connections.answers_page(None, cursor))

    assert [a.id for a in rest.items] == ["6003", "6004"]
    assert [edge.node.id for edge in graphql.edges] == ["6003", "6004"]


# the page indexes


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


@pytest.mark.parametrize(
    ("items", "position", "key", "start"),
    [
        pytest.param(CONTACT_LIST, 3, "79000000003", 4, id="after-its-contact"),
        pytest.param(CONTACT_LIST[2:], 3, "79000000003", 2, id="after-its-contact-moved"),
        pytest.param(
            CONTACT_LIST[:3] + CONTACT_LIST[4:], 3, "79000000003", 3, id="gone-at-its-position"
        ),
        pytest.param(CONTACT_LIST[:2], 5, "79000000005", 2, id="gone-past-the-end"),
        pytest.param([contact(), contact()], 0, "-", 1, id="first-of-equal-keys"),
    ],
)
def test_start_after_key(items: list[Contact], position: int, key: str, start: int) -> None:
    assert start_after_key(items, page_key, position, key, ListMemo()) == start


def test_keys_are_indexed_once_for_every_page() -> None:
    memo = ListMemo()
    for position, item in enumerate(CONTACT_LIST):
        start_after_key(CONTACT_LIST, page_key, position, page_key(item), memo)

    assert memo.builds == 1


def test_answers_in_id_order_and_the_page_after_an_id() -> None:
    listed = [answer(12), answer(3), answer(7), answer(100)]
    memo = ListMemo()

    order = in_id_order(listed, answer_id, memo)

    assert [a.id for a in order.items] == ["3", "7", "12", "100"]  # numeric, not text, order
    assert order.start_after(None) == 0
    assert order.start_after(7) == 2
    assert order.start_after(8) == 2  # gone: the first greater id
    assert order.start_after(100) == 4
    assert in_id_order(listed, answer_id, memo) is order
