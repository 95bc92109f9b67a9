"""Every parser, fed arbitrary bytes or mutated real bodies in every fmt, raises nothing but
UpstreamProtocolError or SmscError; and XML entity bombs are refused at once."""

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facade.domain.answers import Answer
from facade.domain.blacklist import BlacklistEntry
from facade.domain.contacts import Contact
from facade.domain.downloads import DownloadFile, DownloadTask
from facade.domain.groups import Group
from facade.domain.jobs import Job, JobCreated
from facade.domain.messages import Balance, MessageCost, MessageRef, MessageSent, MessageState
from facade.domain.templates import Template
from facade.errors import SmscError, UpstreamProtocolError
from facade.smsc.envelope import parse_created_id, parse_ok, raise_for_envelope
from facade.smsc.parse.answers import parse_answers
from facade.smsc.parse.blacklist import parse_blacklist
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.parse.downloads import parse_download_file, parse_download_tasks
from facade.smsc.parse.groups import parse_groups
from facade.smsc.parse.jobs import parse_job, parse_job_created, parse_jobs
from facade.smsc.parse.messages import parse_balance, parse_message_cost, parse_message_sent
from facade.smsc.parse.statuses import parse_message_states
from facade.smsc.parse.templates import parse_templates
from facade.smsc.wire import CHARSETS, Endpoint, Fmt, Reply
from tests.smsc.samples import SAMPLES, all_samples, reply, sample_fmt

FMTS = (0, 1, 2, 3)
# At least 1,000 a fmt; the parser is drawn for each example (about 230 each per fmt).
EXAMPLES = 3000


def _is_list_of(kind: type) -> Callable[[object], bool]:
    return lambda value: isinstance(value, list) and all(isinstance(item, kind) for item in value)


# The messages tests/samples/status/ answers for.
STATUS_REFS = (
    MessageRef("fxk7m2q4r5s6t7u2v3w4x5", "79990001122"),
    MessageRef("33", "+79990003344"),
)
# (parser, endpoint, command, what a successful result must be, its own samples to mutate)
PARSERS: list[tuple[Callable[[Reply], object], Endpoint, str, Callable[[Any], bool], str]] = [
    (raise_for_envelope, Endpoint.TEMPLATES, "get", lambda value: value is None, "*/error-*"),
    (parse_ok, Endpoint.PHONES, "chg", lambda value: value is None, "*/ok*"),
    (parse_created_id, Endpoint.TEMPLATES, "add", lambda value: value.isdigit(), "*/add*"),
    (parse_templates, Endpoint.TEMPLATES, "get", _is_list_of(Template), "templates/*"),
    (parse_job_created, Endpoint.JOBS, "add", lambda v: isinstance(v, JobCreated), "jobs/add*"),
    (parse_job, Endpoint.JOBS, "get", lambda value: isinstance(value, Job), "jobs/get*"),
    (parse_jobs, Endpoint.JOBS, "get_all", _is_list_of(Job), "jobs/*"),
    (parse_contacts, Endpoint.PHONES, "get", _is_list_of(Contact), "phones/contacts*"),
    (parse_groups, Endpoint.PHONES, "get_group", _is_list_of(Group), "phones/groups*"),
    (
        parse_blacklist,
        Endpoint.PHONES,
        "get_black",
        _is_list_of(BlacklistEntry),
        "phones/blacklist*",
    ),
    (parse_answers, Endpoint.GET, "get_answers", _is_list_of(Answer), "get/*"),
    (
        parse_download_tasks,
        Endpoint.DOWNLOADS,
        "get_list",
        _is_list_of(DownloadTask),
        "downloads/t*",
    ),
    (
        parse_download_file,
        Endpoint.DOWNLOADS,
        "get_file",
        lambda v: isinstance(v, DownloadFile),
        "downloads/*",
    ),
    (parse_message_sent, Endpoint.SEND, "send", lambda v: isinstance(v, MessageSent), "send/s*"),
    (parse_message_cost, Endpoint.SEND, "cost", lambda v: isinstance(v, MessageCost), "send/c*"),
    (
        lambda reply: parse_message_states(reply, STATUS_REFS),
        Endpoint.STATUS,
        "get",
        _is_list_of(MessageState),
        "status/*",
    ),
    (parse_balance, Endpoint.BALANCE, "get", lambda v: isinstance(v, Balance), "balance/*"),
]
ANY_SEED = {
    fmt: [path.read_bytes() for path in all_samples() if sample_fmt(path) == fmt] for fmt in FMTS
}
OWN_SEEDS = {
    (index, fmt): [path.read_bytes() for path in SAMPLES.glob(f"{glob}.fmt{fmt}.txt")]
    or ANY_SEED[fmt]
    for index, (*_, glob) in enumerate(PARSERS)
    for fmt in FMTS
}
TOKENS = [
    b",",
    b"\n",
    b'"',
    b"<",
    b">",
    b"&",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b" = ",
    b", name = ",
    b"-",
    b"\\",
    b"\x00",
    b"\xff",
    b"\xd0",
    b"OK",
    b"ERROR = ",
    b"0,-",
    b"&lol;",
    b"<list>",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b'"error_code": ',
    b"1e999",
    b"NaN",
    b"null",
    b"true",
    b"9" * 30,
    b"31.02.2024 25:61:61",
    b"01.01.2024 10:00:00",
    b"[" * 50,
]


@st.composite
def mutated(draw, parser_index, fmt):
    """A real body (usually one of the parser's own, sometimes any of that fmt), mutated."""
    own = draw(st.booleans()) or draw(st.booleans())
    seeds = OWN_SEEDS[parser_index, fmt] if own else ANY_SEED[fmt]
    body = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]))
        at = draw(st.integers(0, len(body)))
        if kind == "flip" and body:
            body[min(at, len(body) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del body[at:]
        elif kind == "insert":
            body[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del body[at : at + draw(st.integers(1, 16))]
        else:
            body[at:at] = body[at : at + draw(st.integers(1, 64))]
    return bytes(body)


def check(parser_index: int, body: bytes, fmt: int, charset: str) -> None:
    parser, endpoint, command, is_result, _ = PARSERS[parser_index]
    sample = Reply(
        body=body,
        endpoint=endpoint,
        command=command,
        fmt=Fmt(fmt),
        charset=charset,
        content_type="text/csv",
        content_disposition='attachment; filename="x.csv"',
    )
    try:
        result = parser(sample)
    except (UpstreamProtocolError, SmscError):
        return
    assert is_result(result)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("fmt", FMTS)
@FUZZ
@given(
    parser_index=st.integers(0, len(PARSERS) - 1),
    body=st.binary(max_size=512),
    charset=st.sampled_from(CHARSETS),
)
def test_arbitrary_bytes(fmt, parser_index, body, charset):
    check(parser_index, body, fmt, charset)


@pytest.mark.parametrize("fmt", FMTS)
@FUZZ
@given(data=st.data(), parser_index=st.integers(0, len(PARSERS) - 1))
def test_mutated_bodies(fmt, data, parser_index):
    body = data.draw(mutated(parser_index, fmt))
    charset = data.draw(st.sampled_from(CHARSETS))
    check(parser_index, body, fmt, charset)


BOMB_PARSERS = [
    pytest.param(parse_templates, "templates", "get", id="templates"),
    pytest.param(parse_ok, "templates", "chg", id="ok"),
    pytest.param(parse_created_id, "templates", "add", id="created-id"),
    pytest.param(parse_job_created, "jobs", "add", id="job-created"),
    pytest.param(parse_job, "jobs", "get", id="job"),
    pytest.param(parse_contacts, "phones", "get", id="contacts"),
    pytest.param(raise_for_envelope, "get", "get_answers", id="envelope"),
    pytest.param(parse_message_sent, "send", "send", id="message-sent"),
    pytest.param(lambda r: parse_message_states(r, STATUS_REFS), "status", "get", id="statuses"),
    pytest.param(parse_balance, "balance", "get", id="balance"),
]


@pytest.mark.parametrize(("parser", "endpoint", "command"), BOMB_PARSERS)
def test_billion_laughs_is_refused_in_under_100_ms(parser, endpoint, command):
    body = (SAMPLES / "templates" / "billion-laughs.fmt2.txt").read_bytes()
    sample = Reply(body=body, endpoint=Endpoint(endpoint), command=command, fmt=Fmt.XML)
    started = time.perf_counter()
    with pytest.raises(UpstreamProtocolError):
        parser(sample)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.1, f"{elapsed * 1000:.1f} ms"


def test_billion_laughs_as_a_download_is_returned_unexpanded():
    sample = reply("templates/billion-laughs.fmt2.txt", "get_file")
    downloaded = parse_download_file(sample)
    assert downloaded.content == sample.body


@pytest.mark.parametrize(
    ("parser", "endpoint", "command", "line"),
    [
        pytest.param(
            parse_contacts, "phones", "get", "7999," + "1," * 40_000 + "x", id="contacts-digits"
        ),
        pytest.param(parse_contacts, "phones", "get", "7999," * 40_000 + "x", id="contacts-phones"),
        pytest.param(
            parse_templates, "templates", "get", "1," + "sms,a,0," * 10_000, id="templates"
        ),
        pytest.param(parse_jobs, "jobs", "get_all", "1,a," + "2,," * 20_000, id="jobs"),
    ],
)
def test_hostile_fmt1_lines_raise_only_typed_errors(parser, endpoint, command, line):
    """Their timing (linear in the number of commas) is measured by bench/parsers.py."""
    sample = Reply(body=line.encode(), endpoint=Endpoint(endpoint), command=command, fmt=Fmt.CSV)
    with contextlib.suppress(UpstreamProtocolError):
        parser(sample)
