import pytest

from facade.domain.groups import Group
from facade.errors import SmscAuthError, SmscRateLimited, UpstreamProtocolError
from facade.smsc.parse.groups import parse_groups
from facade.smsc.wire import Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)

NO_NUMBER = Group(id="5924", name="My group new name", number=None, contact_count=0)
NUMBERED = Group(id="5994", name="New group", number=1234, contact_count=3)
COMMAS = [
    Group(id="6001", name="Sales, north", number=None, contact_count=5),
    Group(id="6002", name="A,12", number=7, contact_count=0),
    Group(id="6003", name="B,1", number=None, contact_count=None),
]


def get(path: str) -> Reply:
    return reply(f"phones/{path}", "get_group")


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"groups.fmt{n}.txt"), [NO_NUMBER, NUMBERED], id=f"fmt{n}-list")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-no-records.fmt{n}.txt"), [], id=f"fmt{n}-no-records-is-empty")
            for n in FMTS
        ),
        pytest.param(get("groups-empty.fmt3.txt"), [], id="fmt3-empty-list"),
        pytest.param(
            get("groups-recorded.fmt3.txt"),
            [
                Group(id="5924", name="My group new name", number=None, contact_count=None),
                Group(id="5994", name="New group", number=1234, contact_count=None),
            ],
            id="fmt3-recorded-number-and-cnt-left-out",
        ),
        pytest.param(
            get("groups-null-number.fmt3.txt"),
            [Group(id="6004", name="Null", number=None, contact_count=2)],
            id="fmt3-null-number",
        ),
        pytest.param(get("groups-commas.fmt0.txt"), COMMAS, id="fmt0-commas-in-names"),
        pytest.param(get("groups-commas.fmt1.txt"), COMMAS, id="fmt1-commas-in-names-unambiguous"),
    ],
)
def test_parse_groups(sample, expected):
    assert parse_groups(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"error-auth.fmt{n}.txt"), SmscAuthError, id=f"fmt{n}-auth")
            for n in FMTS
        ),
        *(
            pytest.param(
                get(f"error-concurrent.fmt{n}.txt"), SmscRateLimited, id=f"fmt{n}-concurrent"
            )
            for n in FMTS
        ),
    ],
)
def test_parse_groups_errors(sample, expected):
    with pytest.raises(expected):
        parse_groups(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(get("groups-bad-cnt.fmt3.txt"), id="fmt3-cnt-a-word"),
        pytest.param(get("contacts.fmt2.txt"), id="fmt2-contacts-are-not-groups"),
        pytest.param(get("blacklist.fmt1.txt"), id="fmt1-blacklist-is-not-groups"),
    ],
)
def test_parse_groups_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError):
        parse_groups(sample)
