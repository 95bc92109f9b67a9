import dataclasses
import datetime as dt
import enum
import importlib
import pkgutil

import pytest

import facade.domain
from facade.domain.common import MOSCOW
from facade.domain.templates import MessageFormat, Template

DOMAIN_ENUMS = sorted(
    {
        value
        for info in pkgutil.iter_modules(facade.domain.__path__)
        for value in vars(importlib.import_module(f"facade.domain.{info.name}")).values()
        if isinstance(value, type)
        and issubclass(value, enum.Enum)
        and value.__module__.startswith("facade.domain.")
    },
    key=lambda kind: kind.__name__,
)


def test_every_domain_enum_is_found():
    assert {kind.__name__ for kind in DOMAIN_ENUMS} >= {
        "BlockScope",
        "Channel",
        "DownloadTaskStatus",
        "GroupKind",
        "GroupMove",
        "JobStatus",
        "MessageFormat",
        "Repeat",
        "SmsEncoding",
        "Transliteration",
        "Voice",
    }


@pytest.mark.parametrize("kind", DOMAIN_ENUMS, ids=lambda kind: kind.__name__)
def test_domain_enum_values_are_their_names(kind):
    """The public vocabulary: a value says what it means; SMSC's codes are facade.smsc.enums'."""
    assert issubclass(kind, enum.StrEnum)
    assert [member.value for member in kind] == [member.name for member in kind]


def _template(flags: int) -> Template:
    return Template(
        id="1",
        name="n",
        message="m",
        format=MessageFormat.SMS,
        format_raw="sms",
        sender=None,
        flags=flags,
    )


@pytest.mark.parametrize(("flags", "auto_sign"), [(0, False), (1, True), (2, False), (3, True)])
def test_auto_sign_is_the_first_flag_bit(flags, auto_sign):
    assert _template(flags).auto_sign is auto_sign


def test_domain_objects_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _template(0).name = "changed"  # type: ignore[misc]


def test_moscow_is_utc_plus_three_all_year():
    winter = dt.datetime(2026, 1, 15, 12, tzinfo=MOSCOW)
    summer = dt.datetime(2026, 7, 15, 12, tzinfo=MOSCOW)
    assert winter.utcoffset() == summer.utcoffset() == dt.timedelta(hours=3)
