import pytest

from facade.domain.blacklist import BlacklistEntry
from facade.errors import SmscBadRequest, SmscBlocked, UpstreamProtocolError
from facade.smsc.enums import BLOCK_SCOPES
from facade.smsc.parse.blacklist import parse_blacklist
from facade.smsc.wire import Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)


def entry(id_: str, phone: str, scope_raw: int, comment: str | None) -> BlacklistEntry:
    return BlacklistEntry(
        id=id_,
        phone=phone,
        scope=BLOCK_SCOPES.decode(scope_raw),
        scope_raw=scope_raw,
        comment=comment,
    )


ENTRIES = [
    entry("901", "79991112233", 0, "spam"),
    entry("902", "+79994445566", 2, None),
    entry("903", "79990001122", 5, "a, b, c"),
]

# The e-mail blacklist: `email` in place of `phone`, kept in the entry's `phone`.
EMAIL_ENTRIES = [
    entry("504", "no-spam@example.net", 0, "unsubscribed, asked twice"),
    entry("505", "o'neil+news@example.co.uk", 1, None),
]


def get(path: str) -> Reply:
    return reply(f"phones/{path}", "get_black")


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"blacklist.fmt{n}.txt"), ENTRIES, id=f"fmt{n}-list-unknown-type")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-no-records.fmt{n}.txt"), [], id=f"fmt{n}-no-records-is-empty")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"blacklist-emails.fmt{n}.txt"), EMAIL_ENTRIES, id=f"fmt{n}-e-mails")
            for n in FMTS
        ),
        pytest.param(get("blacklist-empty.fmt0.txt"), [], id="fmt0-empty-body"),
        pytest.param(
            get("blacklist-newline.fmt1.txt"),
            [
                entry("904", "79990003344", 1, "first line\n905 is not a record start"),
                entry("906", "79990005566", 0, None),
            ],
            id="fmt1-new-line-in-comment",
        ),
    ],
)
def test_parse_blacklist(sample, expected):
    assert parse_blacklist(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"error-params.fmt{n}.txt"), SmscBadRequest, id=f"fmt{n}-params")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-blocked.fmt{n}.txt"), SmscBlocked, id=f"fmt{n}-blocked")
            for n in FMTS
        ),
    ],
)
def test_parse_blacklist_errors(sample, expected):
    with pytest.raises(expected):
        parse_blacklist(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(get("blacklist-bad-type.fmt3.txt"), id="fmt3-type-a-float"),
        pytest.param(get("groups.fmt2.txt"), id="fmt2-groups-are-not-a-blacklist"),
        pytest.param(get("blacklist-both.fmt3.txt"), id="fmt3-phone-and-email"),
        pytest.param(get("blacklist-bad-email.fmt1.txt"), id="fmt1-address-with-spaces"),
    ],
)
def test_parse_blacklist_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_blacklist(sample)
