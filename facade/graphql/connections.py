"""Relay-style connections over SMSC's whole lists: opaque cursors, pages sliced from the cache.

SMSC answers a contact or answer listing whole (answers up to 10,000 a call), and `SmscClient`
caches it under one key per filter. So a page never asks SMSC for less: every page of one filter
slices the same cached list, and walking a connection spends one identical-request budget, not
one per page.

A cursor is urlsafe base64 of `v1:<kind>:<position>:<key>`, and only cursors of that shape are
accepted. How a page resumes after a cursor depends on what the list guarantees:
- answers are keyed by id, which SMSC assigns in ascending order: the next page starts at the
  first answer with a greater id, so new messages and messages leaving the `sinceHours` window
  never shift a page;
- contacts have no id of their own (SMSC lists `myid`, the client's optional id); they are keyed
  by their first phone, which no other contact may hold. The next page starts after that
  contact wherever it now is; when it was deleted, at the position it had (exact unless
  contacts before it went too: then a page may skip as many contacts as went).
Either way a page costs the same at any depth: `facade.domain.pages` indexes each cached list
once (positions by key, answers by id) and every later page looks up and slices.
"""

import base64
import dataclasses
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from facade.domain.answers import Answer as DomainAnswer
from facade.domain.contacts import Contact as DomainContact
from facade.domain.contacts import page_key
from facade.domain.pages import answers_by_id, start_after_key
from facade.domain.rules import after_id, page_cursor
from facade.errors import InputError
from facade.graphql.types import Answer, Contact

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CURSOR_VERSION = "v1"
_CONTACT = "contact"
_ANSWER = "answer"


@strawberry.type(description="Where a page sits in its connection (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ContactEdge:
    cursor: str
    node: Contact


@strawberry.type(description="A page of contacts; cursors stay valid as contacts come and go.")
class ContactConnection:
    edges: list[ContactEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Contacts matching the filter, all pages.")


@strawberry.type
class AnswerEdge:
    cursor: str
    node: Answer


@strawberry.type(description="A page of incoming messages, oldest first, resumed by id.")
class AnswerConnection:
    edges: list[AnswerEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Answers matching the filter, all pages.")


@dataclasses.dataclass(frozen=True, slots=True)
class Cursor:
    """A decoded cursor: the item's position when the cursor was issued, and its key."""

    position: int
    key: str


@dataclasses.dataclass(frozen=True, slots=True)
class PageRequest:
    """`first` and `after`, checked before anything is read."""

    first: int
    after: Cursor | None


@dataclasses.dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]
    has_next: bool
    has_previous: bool
    total: int

    def page_info(self) -> PageInfo:
        return PageInfo(
            has_next_page=self.has_next,
            has_previous_page=self.has_previous,
            start_cursor=self.items[0][0] if self.items else None,
            end_cursor=self.items[-1][0] if self.items else None,
        )


def encode_cursor(kind: str, position: int, key: str) -> str:
    raw = f"{_CURSOR_VERSION}:{kind}:{position}:{key}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str, kind: str) -> Cursor:
    """The cursor this API issued for a `kind` list; anything else is an `InputError` on `after`."""
    return Cursor(*page_cursor(cursor, _CURSOR_VERSION, kind, "after"))


def page_request(first: int | None, after: str | None, kind: str) -> PageRequest:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InputError("first", f"must be between 1 and {MAX_PAGE_SIZE}")
    return PageRequest(size, None if after is None else decode_cursor(after, kind))


def _slice(
    items: Sequence[T], start: int, request: PageRequest, kind: str, key: Callable[[T], str]
) -> Page[T]:
    chosen = items[start : start + request.first]
    return Page(
        items=[(encode_cursor(kind, start + i, key(item)), item) for i, item in enumerate(chosen)],
        has_next=start + request.first < len(items),
        has_previous=start > 0,
        total=len(items),
    )


def paginate_contacts(
    contacts: Sequence[DomainContact], request: PageRequest
) -> Page[DomainContact]:
    after = request.after
    start = 0 if after is None else start_after_key(contacts, page_key, after.position, after.key)
    return _slice(contacts, start, request, _CONTACT, page_key)


def paginate_answers(answers: Sequence[DomainAnswer], request: PageRequest) -> Page[DomainAnswer]:
    order = answers_by_id(answers)
    start = order.start_after(
        None if request.after is None else after_id(request.after.key, "after")
    )
    return _slice(order.answers, start, request, _ANSWER, _answer_key)


def _answer_key(answer: DomainAnswer) -> str:
    return answer.id


def contact_connection(
    contacts: Sequence[DomainContact], request: PageRequest
) -> ContactConnection:
    page = paginate_contacts(contacts, request)
    return ContactConnection(
        edges=[ContactEdge(cursor=c, node=Contact.from_domain(item)) for c, item in page.items],
        page_info=page.page_info(),
        total_count=page.total,
    )


def answer_connection(answers: Sequence[DomainAnswer], request: PageRequest) -> AnswerConnection:
    page = paginate_answers(answers, request)
    return AnswerConnection(
        edges=[AnswerEdge(cursor=c, node=Answer.from_domain(item)) for c, item in page.items],
        page_info=page.page_info(),
        total_count=page.total,
    )


def contacts_page(first: int | None, after: str | None) -> PageRequest:
    return page_request(first, after, _CONTACT)


def answers_page(first: int | None, after: str | None) -> PageRequest:
    request = page_request(first, after, _ANSWER)
    if request.after is not None:
        after_id(request.after.key, "after")
    return request
