"""Relay cursor connections of contacts and answers: GraphQL's wrapper of one page.

`facade.vocabulary.paging` cuts the page, from the cached whole list, and issues and reads the
cursors, REST's pages alike (so a REST `nextCursor` is an `after` here, and an edge's cursor a
REST `cursor`); it states how a page resumes after a cursor. This module names the page the
Relay way: `first` and `after`, edges with their cursors, `pageInfo`, `totalCount`.
"""

from collections.abc import Sequence
from typing import Any

import strawberry

from facade.domain.answers import Answer as DomainAnswer
from facade.domain.contacts import Contact as DomainContact
from facade.graphql.types import Answer, Contact
from facade.vocabulary.paging import (
    ANSWERS,
    CONTACTS,
    Kind,
    PageRequest,
    Slice,
    page_request,
    paginate,
)


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


def page_info(page: Slice[Any]) -> PageInfo:
    """Where `page` sits in its connection."""
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=page.start_cursor,
        end_cursor=page.end_cursor,
    )


def contact_connection(
    contacts: Sequence[DomainContact], request: PageRequest
) -> ContactConnection:
    page = paginate(contacts, CONTACTS, request)
    return ContactConnection(
        edges=[ContactEdge(cursor=c, node=Contact.from_domain(item)) for c, item in page.edges()],
        page_info=page_info(page),
        total_count=page.total,
    )


def answer_connection(answers: Sequence[DomainAnswer], request: PageRequest) -> AnswerConnection:
    page = paginate(answers, ANSWERS, request)
    return AnswerConnection(
        edges=[AnswerEdge(cursor=c, node=Answer.from_domain(item)) for c, item in page.edges()],
        page_info=page_info(page),
        total_count=page.total,
    )


def _request(kind: Kind[Any], first: int | None, after: str | None) -> PageRequest:
    return page_request(kind, first, after, size_field="first", cursor_field="after")


def contacts_page(first: int | None, after: str | None) -> PageRequest:
    """`first` and `after` of `contacts`, checked before anything is read."""
    return _request(CONTACTS, first, after)


def answers_page(first: int | None, after: str | None) -> PageRequest:
    """`first` and `after` of `answers`, checked before anything is read."""
    return _request(ANSWERS, first, after)
