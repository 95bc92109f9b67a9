"""Every builder's exact parameters, every job option, the arguments that are programming
errors (validation is the domain's: tests/domain), the form body and the key."""

import dataclasses
import datetime as dt
import decimal
import hashlib
import pathlib
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from facade.domain.answers import AnswerQuery
from facade.domain.blacklist import BlacklistDraft, BlacklistQuery, BlockScope
from facade.domain.common import MOSCOW
from facade.domain.contacts import ContactChanges, ContactDraft, ContactQuery
from facade.domain.groups import GroupDraft, GroupKind, GroupMove
from facade.domain.job_checks import check_job
from facade.domain.jobs import (
    CallParams,
    Channel,
    JobQuery,
    JobSpec,
    RecipientMessage,
    Repeat,
    SendAfter,
    SendAt,
    SendAtTimestamp,
    SendWindow,
    Transliteration,
    Voice,
)
from facade.domain.templates import MessageFormat, TemplateChanges, TemplateDraft
from facade.errors import ConfigError, FacadeError
from facade.smsc import commands, phonebook
from facade.smsc.commands import Command, Credentials, build_form, reply_for
from facade.smsc.envelope import parse_created_id, parse_ok
from facade.smsc.parse.answers import parse_answers
from facade.smsc.parse.blacklist import parse_blacklist
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.parse.downloads import parse_download_file, parse_download_tasks
from facade.smsc.parse.groups import parse_groups
from facade.smsc.parse.jobs import parse_job, parse_job_created, parse_jobs
from facade.smsc.parse.templates import parse_templates
from facade.smsc.wire import Endpoint, Fmt, Reply

PHONE = "79990000001"
OTHER_PHONE = "79990000002"
EMAIL = "ann.o'neil+news@example.com"
OTHER_EMAIL = "ann@home.example"
LONG = "x" * 1001
JOB_HEAD = (("add", "1"), ("name", "Promo"), ("phones", PHONE), ("mes", "Hello"))


def job(**changes: Any) -> JobSpec:
    return dataclasses.replace(JobSpec(name="Promo", phones=(PHONE,), message="Hello"), **changes)


def listed(*lines: RecipientMessage, **changes: Any) -> JobSpec:
    return job(**({"phones": (), "message": None, "messages": lines} | changes))


def line(message: str = "Hi", **changes: Any) -> RecipientMessage:
    return dataclasses.replace(RecipientMessage(phones=(PHONE,), message=message), **changes)


def offset(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


def at(tz: dt.tzinfo | None, *, year: int = 2025, second: int = 0) -> dt.datetime:
    return dt.datetime(year, 3, 1, 10, 0, second, tzinfo=tz)


# ---------------------------------------------------------------------------- builders


@pytest.mark.parametrize(
    ("command", "endpoint", "name", "params", "writes"),
    [
        pytest.param(
            commands.add_template(TemplateDraft(name="Greeting", message="Hi")),
            Endpoint.TEMPLATES,
            "add",
            (("add", "1"), ("name", "Greeting"), ("msg", "Hi")),
            True,
            id="template-add-minimal",
        ),
        pytest.param(
            commands.add_template(
                TemplateDraft(
                    name="Greeting",
                    message="Hi,\nthere",
                    format=MessageFormat.VIBER,
                    sender="Shop",
                    auto_sign=True,
                )
            ),
            Endpoint.TEMPLATES,
            "add",
            (
                ("add", "1"),
                ("name", "Greeting"),
                ("msg", "Hi,\nthere"),
                ("format", "viber"),
                ("sender", "Shop"),
                ("fl[1]", "1"),
            ),
            True,
            id="template-add-full",
        ),
        pytest.param(
            commands.change_template("12", TemplateChanges()),
            Endpoint.TEMPLATES,
            "chg",
            (("chg", "1"), ("id", "12")),
            True,
            id="template-change-nothing",
        ),
        pytest.param(
            commands.change_template(
                "12",
                TemplateChanges(
                    name="New", message="Text", format=MessageFormat.SMS, sender="", auto_sign=True
                ),
            ),
            Endpoint.TEMPLATES,
            "chg",
            (
                ("chg", "1"),
                ("id", "12"),
                ("name", "New"),
                ("msg", "Text"),
                ("format", "sms"),
                ("sender", ""),
                ("fl[1]", "1"),
            ),
            True,
            id="template-change-full",
        ),
        pytest.param(
            commands.change_template(
                "12", TemplateChanges(format=MessageFormat.UNSPECIFIED, auto_sign=False)
            ),
            Endpoint.TEMPLATES,
            "chg",
            (("chg", "1"), ("id", "12"), ("format", ""), ("fl[1]", "0")),
            True,
            id="template-change-clears-format-and-auto-sign",
        ),
        pytest.param(
            commands.delete_template("12"),
            Endpoint.TEMPLATES,
            "del",
            (("del", "1"), ("id", "12")),
            True,
            id="template-delete",
        ),
        pytest.param(
            commands.list_templates(),
            Endpoint.TEMPLATES,
            "get",
            (("get", "1"),),
            False,
            id="template-list",
        ),
        pytest.param(
            commands.create_job(job()), Endpoint.JOBS, "add", JOB_HEAD, True, id="job-create"
        ),
        pytest.param(
            commands.delete_job("5"),
            Endpoint.JOBS,
            "del",
            (("del", "1"), ("id", "5")),
            True,
            id="job-delete",
        ),
        pytest.param(
            commands.cancel_job("5"),
            Endpoint.JOBS,
            "cancel",
            (("cancel", "1"), ("id", "5")),
            True,
            id="job-cancel",
        ),
        pytest.param(
            commands.get_job("5"),
            Endpoint.JOBS,
            "get",
            (("get", "1"), ("id", "5")),
            False,
            id="job-get",
        ),
        pytest.param(
            commands.list_jobs(),
            Endpoint.JOBS,
            "get_all",
            (("get_all", "1"),),
            False,
            id="job-list",
        ),
        pytest.param(
            commands.list_jobs(JobQuery(since=dt.date(2025, 1, 2), until=dt.date(2025, 1, 2))),
            Endpoint.JOBS,
            "get_all",
            (("get_all", "1"), ("start", "02.01.2025"), ("end", "02.01.2025")),
            False,
            id="job-list-between",
        ),
        pytest.param(
            commands.list_jobs(JobQuery(until=dt.date(2025, 12, 31))),
            Endpoint.JOBS,
            "get_all",
            (("get_all", "1"), ("end", "31.12.2025")),
            False,
            id="job-list-until",
        ),
        pytest.param(
            phonebook.add_contact(ContactDraft(phones=(PHONE,))),
            Endpoint.PHONES,
            "add",
            (("add", "1"), ("phone", PHONE)),
            True,
            id="contact-add-minimal",
        ),
        pytest.param(
            phonebook.add_contact(
                ContactDraft(
                    phones=(PHONE, OTHER_PHONE),
                    name="Ivan, Jr.",
                    group_ids=("1", "22"),
                    first_name="Ivan",
                    last_name="Petrov",
                    middle_name="Ivanovich",
                    birthday=dt.date(1990, 5, 7),
                    client_id="c-1",
                    comment="VIP: yes",
                    tags=("a", "b c"),
                    other_phones=("79990000003",),
                )
            ),
            Endpoint.PHONES,
            "add",
            (
                ("add", "1"),
                ("phone", f"{PHONE},{OTHER_PHONE}"),
                ("name", "Ivan, Jr."),
                ("grp", "1,22"),
                ("fnm", "Ivan"),
                ("lnm", "Petrov"),
                ("mnm", "Ivanovich"),
                ("bd", "07.05.1990"),
                ("myid", "c-1"),
                ("cmt", "VIP: yes"),
                ("tags", "a,b c"),
                ("pho", "79990000003"),
            ),
            True,
            id="contact-add-full",
        ),
        pytest.param(
            phonebook.change_contact(PHONE, ContactChanges()),
            Endpoint.PHONES,
            "chg",
            (("chg", "1"), ("phone", PHONE)),
            True,
            id="contact-change-nothing",
        ),
        pytest.param(
            phonebook.change_contact(
                PHONE,
                ContactChanges(
                    new_phones=(OTHER_PHONE,),
                    name="Anna",
                    group_ids=("3",),
                    first_name="Anna",
                    last_name="Smirnova",
                    middle_name="",
                    birthday=dt.date(2001, 12, 31),
                    client_id="c-2",
                    comment="",
                    tags=("x",),
                    other_phones=("79990000004", "79990000005"),
                ),
            ),
            Endpoint.PHONES,
            "chg",
            (
                ("chg", "1"),
                ("phone", PHONE),
                ("new_phone", OTHER_PHONE),
                ("name", "Anna"),
                ("grp", "3"),
                ("fnm", "Anna"),
                ("lnm", "Smirnova"),
                ("mnm", ""),
                ("bd", "31.12.2001"),
                ("myid", "c-2"),
                ("cmt", ""),
                ("tags", "x"),
                ("pho", "79990000004,79990000005"),
            ),
            True,
            id="contact-change-full",
        ),
        pytest.param(
            phonebook.change_contact(PHONE, ContactChanges(group_ids=(), tags=(), other_phones=())),
            Endpoint.PHONES,
            "chg",
            (("chg", "1"), ("phone", PHONE), ("grp", ""), ("tags", ""), ("pho", "")),
            True,
            id="contact-change-clears-lists",
        ),
        pytest.param(
            phonebook.delete_contact(PHONE),
            Endpoint.PHONES,
            "del",
            (("del", "1"), ("phone", PHONE)),
            True,
            id="contact-delete",
        ),
        pytest.param(
            phonebook.list_contacts(),
            Endpoint.PHONES,
            "get",
            (("get", "1"),),
            False,
            id="contact-list",
        ),
        pytest.param(
            phonebook.list_contacts(
                ContactQuery(search="Iv", group_id="3", after_id="100", count=50)
            ),
            Endpoint.PHONES,
            "get",
            (("get", "1"), ("search", "Iv"), ("grp", "3"), ("after_id", "100"), ("cnt", "50")),
            False,
            id="contact-list-filtered",
        ),
        pytest.param(
            phonebook.add_group(GroupDraft(name="Friends")),
            Endpoint.PHONES,
            "add_group",
            (("add_group", "1"), ("name", "Friends"), ("type", "0")),
            True,
            id="group-add-minimal",
        ),
        pytest.param(
            phonebook.add_group(GroupDraft(name="Mail", number=0, kind=GroupKind.EMAILS)),
            Endpoint.PHONES,
            "add_group",
            (("add_group", "1"), ("name", "Mail"), ("num", "0"), ("type", "1")),
            True,
            id="group-add-full",
        ),
        pytest.param(
            phonebook.rename_group("7", "Family"),
            Endpoint.PHONES,
            "chg_group",
            (("chg_group", "1"), ("grp", "7"), ("name", "Family")),
            True,
            id="group-rename",
        ),
        pytest.param(
            phonebook.delete_group("7"),
            Endpoint.PHONES,
            "del_group",
            (("del_group", "1"), ("grp", "7")),
            True,
            id="group-delete",
        ),
        pytest.param(
            phonebook.list_groups(),
            Endpoint.PHONES,
            "get_group",
            (("get_group", "1"),),
            False,
            id="group-list",
        ),
        # e-mail contacts: `mail`, `new_mail`, `mail_other` (docs/smsc-wire.md, "E-mail contacts")
        pytest.param(
            phonebook.add_contact(ContactDraft(emails=(EMAIL,))),
            Endpoint.PHONES,
            "add",
            (("add", "1"), ("mail", EMAIL)),
            True,
            id="e-mail-contact-add-minimal",
        ),
        pytest.param(
            phonebook.add_contact(
                ContactDraft(
                    emails=(EMAIL, OTHER_EMAIL),
                    name="Ann",
                    group_ids=("45",),
                    tags=("news",),
                    other_emails=("ann@work.example",),
                )
            ),
            Endpoint.PHONES,
            "add",
            (
                ("add", "1"),
                ("mail", f"{EMAIL},{OTHER_EMAIL}"),
                ("name", "Ann"),
                ("grp", "45"),
                ("tags", "news"),
                ("mail_other", "ann@work.example"),
            ),
            True,
            id="e-mail-contact-add-full",
        ),
        pytest.param(
            phonebook.add_contact(ContactDraft(phones=(PHONE,), emails=(EMAIL,))),
            Endpoint.PHONES,
            "add",
            (("add", "1"), ("phone", PHONE), ("mail", EMAIL)),
            True,
            id="contact-add-both-kinds-sends-both",
        ),
        pytest.param(
            phonebook.change_contact(
                EMAIL, ContactChanges(new_emails=(OTHER_EMAIL,), other_emails=(), name="A")
            ),
            Endpoint.PHONES,
            "chg",
            (
                ("chg", "1"),
                ("mail", EMAIL),
                ("new_mail", OTHER_EMAIL),
                ("name", "A"),
                ("mail_other", ""),
            ),
            True,
            id="e-mail-contact-change",
        ),
        pytest.param(
            phonebook.delete_contact(EMAIL),
            Endpoint.PHONES,
            "del",
            (("del", "1"), ("mail", EMAIL)),
            True,
            id="e-mail-contact-delete",
        ),
        pytest.param(
            phonebook.move_contact(EMAIL, "45", GroupMove.ADD),
            Endpoint.PHONES,
            "move_group",
            (("move_group", "2"), ("mail", EMAIL), ("grp", "45")),
            True,
            id="e-mail-contact-move",
        ),
        pytest.param(
            phonebook.move_contact(PHONE, "7", GroupMove.REPLACE),
            Endpoint.PHONES,
            "move_group",
            (("move_group", "1"), ("phone", PHONE), ("grp", "7")),
            True,
            id="group-move-replace",
        ),
        pytest.param(
            phonebook.move_contact(PHONE, "7", GroupMove.ADD),
            Endpoint.PHONES,
            "move_group",
            (("move_group", "2"), ("phone", PHONE), ("grp", "7")),
            True,
            id="group-move-add",
        ),
        pytest.param(
            phonebook.move_contact(PHONE, "7", GroupMove.REMOVE),
            Endpoint.PHONES,
            "move_group",
            (("move_group", "3"), ("phone", PHONE), ("grp", "7")),
            True,
            id="group-move-remove",
        ),
        pytest.param(
            phonebook.add_to_blacklist(BlacklistDraft(phone=PHONE)),
            Endpoint.PHONES,
            "add_black",
            (("add_black", "1"), ("phone", PHONE), ("type", "0")),
            True,
            id="blacklist-add-minimal",
        ),
        pytest.param(
            phonebook.add_to_blacklist(
                BlacklistDraft(phone=PHONE, scope=BlockScope.SINGLE, comment="asked, twice")
            ),
            Endpoint.PHONES,
            "add_black",
            (("add_black", "1"), ("phone", PHONE), ("type", "2"), ("cmt", "asked, twice")),
            True,
            id="blacklist-add-full",
        ),
        pytest.param(
            phonebook.remove_from_blacklist(PHONE),
            Endpoint.PHONES,
            "del_black",
            (("del_black", "1"), ("phone", PHONE)),
            True,
            id="blacklist-remove",
        ),
        pytest.param(
            phonebook.list_blacklist(),
            Endpoint.PHONES,
            "get_black",
            (("get_black", "1"),),
            False,
            id="blacklist-list",
        ),
        # the e-mail blacklist (docs/smsc-wire.md, "phones.php get_black=1")
        pytest.param(
            phonebook.add_to_blacklist(
                BlacklistDraft(phone=EMAIL, scope=BlockScope.MASS, comment="unsubscribed")
            ),
            Endpoint.PHONES,
            "add_black",
            (("add_black", "1"), ("mail", EMAIL), ("type", "1"), ("cmt", "unsubscribed")),
            True,
            id="e-mail-blacklist-add",
        ),
        pytest.param(
            phonebook.remove_from_blacklist(EMAIL),
            Endpoint.PHONES,
            "del_black",
            (("del_black", "1"), ("mail", EMAIL)),
            True,
            id="e-mail-blacklist-remove",
        ),
        pytest.param(
            phonebook.list_blacklist(BlacklistQuery(emails=True)),
            Endpoint.PHONES,
            "get_black",
            (("get_black", "1"), ("mail", "1")),
            False,
            id="e-mail-blacklist-list",
        ),
        pytest.param(
            phonebook.list_blacklist(BlacklistQuery(emails=False)),
            Endpoint.PHONES,
            "get_black",
            (("get_black", "1"),),
            False,
            id="blacklist-list-phones",
        ),
        pytest.param(
            commands.list_answers(),
            Endpoint.GET,
            "get_answers",
            (("get_answers", "1"),),
            False,
            id="answers-list",
        ),
        pytest.param(
            commands.list_answers(
                AnswerQuery(hours=168, after_id="99", to_phone=OTHER_PHONE, count=10_000)
            ),
            Endpoint.GET,
            "get_answers",
            (
                ("get_answers", "1"),
                ("hour", "168"),
                ("after_id", "99"),
                ("to_phone", OTHER_PHONE),
                ("cnt", "10000"),
            ),
            False,
            id="answers-list-filtered",
        ),
        pytest.param(
            commands.list_answers(AnswerQuery(hours=1, count=1)),
            Endpoint.GET,
            "get_answers",
            (("get_answers", "1"), ("hour", "1"), ("cnt", "1")),
            False,
            id="answers-list-lower-bounds",
        ),
        pytest.param(
            commands.list_download_tasks(),
            Endpoint.DOWNLOADS,
            "get_list",
            (("get_list", "1"),),
            False,
            id="downloads-list",
        ),
        pytest.param(
            commands.list_download_tasks(count=20, after_id="4"),
            Endpoint.DOWNLOADS,
            "get_list",
            (("get_list", "1"), ("cnt", "20"), ("after_id", "4")),
            False,
            id="downloads-list-paged",
        ),
        pytest.param(
            commands.get_download_file(id="4"),
            Endpoint.DOWNLOADS,
            "get_file",
            (("get_file", "1"), ("id", "4")),
            False,
            id="downloads-file-by-id",
        ),
        pytest.param(
            commands.get_download_file(name="sms_2025.csv"),
            Endpoint.DOWNLOADS,
            "get_file",
            (("get_file", "1"), ("name", "sms_2025.csv")),
            False,
            id="downloads-file-by-name",
        ),
    ],
)
def test_builder(
    command: Command[Any],
    endpoint: Endpoint,
    name: str,
    params: tuple[tuple[str, str], ...],
    writes: bool,
) -> None:
    assert (command.endpoint, command.name, command.params, command.writes) == (
        endpoint,
        name,
        params,
        writes,
    )


@pytest.mark.parametrize(
    ("command", "reader"),
    [
        pytest.param(
            commands.add_template(TemplateDraft(name="n", message="m")),
            parse_created_id,
            id="template-add",
        ),
        pytest.param(
            commands.change_template("1", TemplateChanges()), parse_ok, id="template-change"
        ),
        pytest.param(commands.delete_template("1"), parse_ok, id="template-delete"),
        pytest.param(commands.list_templates(), parse_templates, id="template-list"),
        pytest.param(commands.create_job(job()), parse_job_created, id="job-create"),
        pytest.param(commands.delete_job("1"), parse_ok, id="job-delete"),
        pytest.param(commands.cancel_job("1"), parse_ok, id="job-cancel"),
        pytest.param(commands.get_job("1"), parse_job, id="job-get"),
        pytest.param(commands.list_jobs(), parse_jobs, id="job-list"),
        pytest.param(
            phonebook.add_contact(ContactDraft(phones=(PHONE,))), parse_created_id, id="contact-add"
        ),
        pytest.param(
            phonebook.change_contact(PHONE, ContactChanges()), parse_ok, id="contact-change"
        ),
        pytest.param(phonebook.delete_contact(PHONE), parse_ok, id="contact-delete"),
        pytest.param(phonebook.list_contacts(), parse_contacts, id="contact-list"),
        pytest.param(phonebook.add_group(GroupDraft(name="g")), parse_created_id, id="group-add"),
        pytest.param(phonebook.rename_group("1", "g"), parse_ok, id="group-rename"),
        pytest.param(phonebook.delete_group("1"), parse_ok, id="group-delete"),
        pytest.param(phonebook.list_groups(), parse_groups, id="group-list"),
        pytest.param(phonebook.move_contact(PHONE, "1", GroupMove.ADD), parse_ok, id="group-move"),
        pytest.param(
            phonebook.add_to_blacklist(BlacklistDraft(phone=PHONE)),
            parse_created_id,
            id="blacklist-add",
        ),
        pytest.param(phonebook.remove_from_blacklist(PHONE), parse_ok, id="blacklist-remove"),
        pytest.param(phonebook.list_blacklist(), parse_blacklist, id="blacklist-list"),
        pytest.param(
            phonebook.list_blacklist(BlacklistQuery(emails=True)),
            parse_blacklist,
            id="e-mail-blacklist-list",
        ),
        pytest.param(commands.list_answers(), parse_answers, id="answers-list"),
        pytest.param(commands.list_download_tasks(), parse_download_tasks, id="downloads-list"),
        pytest.param(commands.get_download_file(id="1"), parse_download_file, id="downloads-file"),
    ],
)
def test_reader(command: Command[Any], reader: Callable[[Reply], object]) -> None:
    assert command.reader is reader


# ---------------------------------------------------------------------------- job options


@pytest.mark.parametrize(
    ("changes", "extra"),
    [
        pytest.param({"sender": "Shop"}, (("sender", "Shop"),), id="job-sender"),
        pytest.param(
            {"fallback_message": "By SMS"},
            (("mes2", "By SMS"), ("fl[5]", "1")),
            id="job-fallback-message",
        ),
        pytest.param(
            {"sender": "Shop", "fallback_sender": "ShopSMS", "fallback_message": "By SMS"},
            (("sender", "Shop"), ("sender2", "ShopSMS"), ("mes2", "By SMS"), ("fl[5]", "1")),
            id="job-fallback-sender",
        ),
        pytest.param(
            {"send_time": SendAt(at(MOSCOW))},
            (("time", "0103251000"), ("tz", "0")),
            id="job-send-at-moscow",
        ),
        pytest.param(
            {"send_time": SendAt(at(offset(5)))},
            (("time", "0103251000"), ("tz", "2")),
            id="job-send-at-ahead-of-moscow",
        ),
        pytest.param(
            {"send_time": SendAt(at(dt.UTC))},
            (("time", "0103251000"), ("tz", "-3")),
            id="job-send-at-utc",
        ),
        pytest.param(
            {"send_time": SendAt(at(offset(-12)))},
            (("time", "0103251000"), ("tz", "-15")),
            id="job-send-at-utc-minus-12",
        ),
        pytest.param(
            {"send_time": SendAt(at(offset(14)))},
            (("time", "0103251000"), ("tz", "11")),
            id="job-send-at-utc-plus-14",
        ),
        pytest.param(
            {
                "send_time": SendAt(
                    dt.datetime(2025, 7, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))
                )
            },
            (("time", "0107251200"), ("tz", "-7")),
            id="job-send-at-zoneinfo-summer-offset",
        ),
        pytest.param(
            {"send_time": SendAt(at(offset(5.5)))},
            (("time", "0103250730"), ("tz", "0")),
            id="job-send-at-half-hour-offset-in-moscow-time",
        ),
        pytest.param(
            {"send_time": SendAt(at(offset(-3.5)))},
            (("time", "0103251630"), ("tz", "0")),
            id="job-send-at-negative-half-hour-offset",
        ),
        pytest.param(
            {"send_time": SendAt(at(offset(5), second=59))},
            (("time", "0103251000"), ("tz", "2")),
            id="job-send-at-drops-seconds",
        ),
        pytest.param(
            {"send_time": SendAt(at(offset(5))), "time_zone": 2},
            (("time", "0103251000"), ("tz", "2")),
            id="job-send-at-with-agreeing-time-zone",
        ),
        pytest.param(
            {
                "send_time": SendAtTimestamp(
                    dt.datetime(2025, 1, 1, 0, 0, 0, 500_000, tzinfo=dt.UTC)
                )
            },
            (("time", "01735689600"),),
            id="job-send-at-timestamp",
        ),
        pytest.param(
            {"send_time": SendAtTimestamp(dt.datetime(2025, 1, 1, 3, 0, tzinfo=MOSCOW))},
            (("time", "01735689600"),),
            id="job-send-at-timestamp-any-offset",
        ),
        pytest.param({"send_time": SendWindow(9, 21)}, (("time", "9-21"),), id="job-send-window"),
        pytest.param(
            {"send_time": SendWindow(0, 24)}, (("time", "0-24"),), id="job-send-window-whole-day"
        ),
        pytest.param(
            {"send_time": SendWindow(9, 21), "time_zone": -1},
            (("time", "9-21"), ("tz", "-1")),
            id="job-send-window-with-time-zone",
        ),
        pytest.param({"send_time": SendAfter(90)}, (("time", "+90"),), id="job-send-after"),
        pytest.param({"send_time": SendAfter(0)}, (("time", "+0"),), id="job-send-after-zero"),
        pytest.param({"repeat": Repeat.WEEKLY}, (("rpt", "5"),), id="job-repeat"),
        pytest.param({"repeat": Repeat.MANUAL}, (("rpt", "0"),), id="job-repeat-manual"),
        pytest.param(
            {"repeat": Repeat.YEARLY, "repeat_count": 3},
            (("rpt", "7"), ("rptn", "3")),
            id="job-repeat-count",
        ),
        pytest.param(
            {"period_hours": decimal.Decimal("1.50")}, (("period", "1.5"),), id="job-period"
        ),
        pytest.param(
            {"period_hours": decimal.Decimal("0.1")}, (("period", "0.1"),), id="job-period-minimum"
        ),
        pytest.param(
            {"period_hours": decimal.Decimal("720.00")},
            (("period", "720"),),
            id="job-period-maximum-no-trailing-zeros",
        ),
        pytest.param(
            {"period_hours": decimal.Decimal("1E+1")},
            (("period", "10"),),
            id="job-period-no-exponent",
        ),
        pytest.param(
            {"period_hours": decimal.Decimal(2), "frequency_minutes": 15},
            (("period", "2"), ("freq", "15")),
            id="job-period-with-frequency",
        ),
        pytest.param(
            {"period_hours": decimal.Decimal(720), "frequency_minutes": 1440},
            (("period", "720"), ("freq", "1440")),
            id="job-frequency-maximum",
        ),
        pytest.param(
            {"validity": dt.timedelta(hours=6)}, (("valid", "6"),), id="job-validity-hours"
        ),
        pytest.param(
            {"validity": dt.timedelta(hours=24)}, (("valid", "24"),), id="job-validity-maximum"
        ),
        pytest.param(
            {"validity": dt.timedelta(hours=1, minutes=30)},
            (("valid", "01:30"),),
            id="job-validity-hours-and-minutes",
        ),
        pytest.param(
            {"validity": dt.timedelta(minutes=1)}, (("valid", "00:01"),), id="job-validity-minimum"
        ),
        pytest.param(
            {"transliteration": Transliteration.LOOKALIKE},
            (("translit", "2"),),
            id="job-transliteration",
        ),
        pytest.param(
            {"transliteration": Transliteration.NONE}, (("translit", "0"),), id="job-translit-none"
        ),
        pytest.param({"shorten_links": True}, (("tinyurl", "1"),), id="job-shorten-links"),
        pytest.param({"telegram_bot": "@shop_bot"}, (("bot", "@shop_bot"),), id="job-bot"),
        pytest.param({"confirm_after_days": 10}, (("smsreq", "10"),), id="job-smsreq-minimum"),
        pytest.param({"confirm_after_days": 999}, (("smsreq", "999"),), id="job-smsreq-maximum"),
        pytest.param(
            {"file_url": "https://example.com/a.pdf"},
            (("fileurl", "https://example.com/a.pdf"),),
            id="job-file-url",
        ),
        pytest.param({"with_cost": True}, (("cost", "1"),), id="job-cost"),
        pytest.param({"channel": Channel.SMS}, (), id="job-channel-sms-no-flag"),
        pytest.param({"channel": Channel.FLASH}, (("flash", "1"),), id="job-channel-flash"),
        pytest.param({"channel": Channel.PUSH}, (("push", "1"),), id="job-channel-push"),
        pytest.param({"channel": Channel.BINARY}, (("bin", "1"),), id="job-channel-bin"),
        pytest.param({"channel": Channel.BINARY_HEX}, (("bin", "2"),), id="job-channel-bin-hex"),
        pytest.param({"channel": Channel.HLR}, (("hlr", "1"),), id="job-channel-hlr-with-message"),
        pytest.param({"channel": Channel.MMS}, (("mms", "1"),), id="job-channel-mms"),
        pytest.param(
            {"channel": Channel.MMS, "subject": "Pics"},
            (("mms", "1"), ("subj", "Pics")),
            id="job-channel-mms-subject",
        ),
        pytest.param(
            {"channel": Channel.EMAIL, "subject": "News"},
            (("mail", "1"), ("subj", "News")),
            id="job-channel-mail-subject",
        ),
        pytest.param({"channel": Channel.CALL}, (("call", "1"),), id="job-channel-call"),
        pytest.param({"channel": Channel.VIBER}, (("viber", "1"),), id="job-channel-viber"),
        pytest.param({"channel": Channel.SOCIAL}, (("soc", "1"),), id="job-channel-soc"),
        pytest.param(
            {"channel": Channel.WHATSAPP}, (("whatsapp", "1"),), id="job-channel-whatsapp"
        ),
        pytest.param({"channel": Channel.TELEGRAM}, (("tg", "1"),), id="job-channel-telegram"),
        pytest.param(
            {"channel": Channel.CALL, "voice": Voice.FEMALE_2},
            (("call", "1"), ("voice", "w2")),
            id="job-voice",
        ),
        pytest.param(
            {"channel": Channel.CALL, "voice": Voice.MALE, "voice_language": "en"},
            (("call", "1"), ("voice", "m,en")),
            id="job-voice-language",
        ),
        pytest.param(
            {
                "channel": Channel.CALL,
                "call_params": CallParams(wait_seconds=25, retry_interval_seconds=60, attempts=3),
            },
            (("call", "1"), ("param", "25,60,3")),
            id="job-call-params",
        ),
        pytest.param(
            {
                "channel": Channel.CALL,
                "call_params": CallParams(wait_seconds=0, retry_interval_seconds=0, attempts=0),
            },
            (("call", "1"), ("param", "0,0,0")),
            id="job-call-params-lower-bounds",
        ),
        pytest.param(
            {
                "channel": Channel.CALL,
                "call_params": CallParams(wait_seconds=99, retry_interval_seconds=3600, attempts=9),
            },
            (("call", "1"), ("param", "99,3600,9")),
            id="job-call-params-upper-bounds",
        ),
        pytest.param(
            {
                "sender": "Shop",
                "fallback_message": "SMS",
                "send_time": SendAt(at(offset(4))),
                "repeat": Repeat.DAILY,
                "repeat_count": 2,
                "period_hours": decimal.Decimal("0.5"),
                "frequency_minutes": 5,
                "validity": dt.timedelta(hours=2),
                "transliteration": Transliteration.LATIN,
                "shorten_links": True,
                "telegram_bot": "@b_bot",
                "confirm_after_days": 30,
                "file_url": "http://example.com/f",
                "channel": Channel.CALL,
                "voice": Voice.MALE_3,
                "call_params": CallParams(wait_seconds=10, retry_interval_seconds=10, attempts=1),
                "with_cost": True,
            },
            (
                ("sender", "Shop"),
                ("mes2", "SMS"),
                ("fl[5]", "1"),
                ("time", "0103251000"),
                ("tz", "1"),
                ("rpt", "2"),
                ("rptn", "2"),
                ("period", "0.5"),
                ("freq", "5"),
                ("valid", "2"),
                ("translit", "1"),
                ("tinyurl", "1"),
                ("bot", "@b_bot"),
                ("smsreq", "30"),
                ("fileurl", "http://example.com/f"),
                ("call", "1"),
                ("voice", "m3"),
                ("param", "10,10,1"),
                ("cost", "1"),
            ),
            id="job-everything-in-order",
        ),
    ],
)
def test_job_option(changes: dict[str, Any], extra: tuple[tuple[str, str], ...]) -> None:
    spec = check_job(job(**changes))  # what reaches the encoder has passed the domain's checks
    assert commands.create_job(spec).params == JOB_HEAD + extra


@pytest.mark.parametrize(
    ("spec", "params"),
    [
        pytest.param(
            job(message=None, template_id="31"),
            (("add", "1"), ("name", "Promo"), ("phones", PHONE), ("tpl", "31")),
            id="job-template",
        ),
        pytest.param(
            job(message="", template_id="31"),
            (("add", "1"), ("name", "Promo"), ("phones", PHONE), ("tpl", "31")),
            id="job-template-with-empty-message",
        ),
        pytest.param(
            job(phones=(PHONE, "+79990000002", "G12", "#123", "a@example.com")),
            (
                ("add", "1"),
                ("name", "Promo"),
                ("phones", f"{PHONE},+79990000002,G12,#123,a@example.com"),
                ("mes", "Hello"),
            ),
            id="job-phones-comma-joined",
        ),
        pytest.param(
            job(message="Line 1\nLine 2"),
            (("add", "1"), ("name", "Promo"), ("phones", PHONE), ("mes", "Line 1\nLine 2")),
            id="job-message-keeps-new-lines",
        ),
        pytest.param(
            job(message="x" * 1000),
            (("add", "1"), ("name", "Promo"), ("phones", PHONE), ("mes", "x" * 1000)),
            id="job-message-maximum-length",
        ),
        pytest.param(
            job(message=None, channel=Channel.HLR),
            (("add", "1"), ("name", "Promo"), ("phones", PHONE), ("hlr", "1")),
            id="job-hlr-without-message",
        ),
        pytest.param(
            job(message=None, channel=Channel.PING),
            (("add", "1"), ("name", "Promo"), ("phones", PHONE), ("ping", "1")),
            id="job-ping-without-message",
        ),
        pytest.param(
            listed(line("Hi"), line("Bye", phones=(OTHER_PHONE, "79990000003"))),
            (
                ("add", "1"),
                ("name", "Promo"),
                ("list", f"{PHONE}:Hi\n{OTHER_PHONE},79990000003:Bye"),
            ),
            id="job-list",
        ),
        pytest.param(
            listed(line("Time: 10:00, ok?")),
            (("add", "1"), ("name", "Promo"), ("list", f"{PHONE}:Time: 10:00, ok?")),
            id="job-list-message-keeps-colons-and-commas",
        ),
        pytest.param(
            listed(line("Hi", sender="Shop")),
            (("add", "1"), ("name", "Promo"), ("list", f"Shop|{PHONE}:Hi")),
            id="job-list-sender",
        ),
        pytest.param(
            listed(line("Hi", sender="Shop", time_zone=-2), send_time=SendAt(at(MOSCOW))),
            (
                ("add", "1"),
                ("name", "Promo"),
                ("list", f"Shop,-2|{PHONE}:Hi"),
                ("time", "0103251000"),
                ("tz", "0"),
            ),
            id="job-list-sender-and-time-zone",
        ),
        pytest.param(
            listed(line("Hi", time_zone=4), line("Yo"), send_time=SendAt(at(MOSCOW))),
            (
                ("add", "1"),
                ("name", "Promo"),
                ("list", f",4|{PHONE}:Hi\n{PHONE}:Yo"),
                ("time", "0103251000"),
                ("tz", "0"),
            ),
            id="job-list-time-zone-without-sender",
        ),
        pytest.param(
            listed(line("One\nTwo\r\nThree\rFour")),
            (("add", "1"), ("name", "Promo"), ("list", f"{PHONE}:One\\nTwo\\nThree\\nFour")),
            id="job-list-new-lines-escaped",
        ),
        pytest.param(
            listed(line("One\r\nTwo: 2\nat 10 o'clock"), line("Yo"), multiline_messages=True),
            (
                ("add", "1"),
                ("name", "Promo"),
                ("list", f"{PHONE}:One\nTwo: 2\nat 10 o'clock\n{PHONE}:Yo"),
                ("nl", "1"),
            ),
            id="job-list-multiline",
        ),
        pytest.param(
            listed(line("Hi"), sender="Shop", with_cost=True),
            (
                ("add", "1"),
                ("name", "Promo"),
                ("list", f"{PHONE}:Hi"),
                ("sender", "Shop"),
                ("cost", "1"),
            ),
            id="job-list-with-options",
        ),
    ],
)
def test_job_recipients(spec: JobSpec, params: tuple[tuple[str, str], ...]) -> None:
    assert commands.create_job(check_job(spec)).params == params


# ---------------------------------------------------------------------------- impossible arguments


def call(**params: int) -> CallParams:
    values = {"wait_seconds": 25, "retry_interval_seconds": 60, "attempts": 3} | params
    return CallParams(**values)


PROGRAMMING_ERRORS = (
    "is not one value|is not one sender|is not an SMSC id|has no SMSC code|is no count"
    "|give exactly one of id or name|a file name is not blank"
)


@pytest.mark.parametrize(
    "build",
    [
        # Validation is the domain's (tests/domain/test_job_checks.py, test_drafts.py); what would
        # still change a request's meaning, or has no code to send, is a programming error.
        pytest.param(
            lambda: commands.add_template(
                TemplateDraft(name="n", message="m", format=MessageFormat.UNKNOWN)
            ),
            id="template-add-unknown-format",
        ),
        pytest.param(
            lambda: commands.change_template("1", TemplateChanges(format=MessageFormat.UNKNOWN)),
            id="template-change-unknown-format",
        ),
        pytest.param(lambda: commands.change_template("١٢", TemplateChanges()), id="template-id"),
        pytest.param(lambda: commands.delete_template("-1"), id="template-delete-bad-id"),
        pytest.param(lambda: commands.delete_job("x"), id="job-delete-bad-id"),
        pytest.param(lambda: commands.cancel_job(""), id="job-cancel-empty-id"),
        pytest.param(lambda: commands.get_job("1 "), id="job-get-bad-id"),
        pytest.param(
            lambda: commands.create_job(job(message=None, template_id="t1")),
            id="job-template-bad-id",
        ),
        pytest.param(
            lambda: commands.create_job(job(phones=(f"{PHONE},{OTHER_PHONE}",))),
            id="job-phone-with-comma",
        ),
        pytest.param(lambda: commands.create_job(job(phones=(PHONE, ""))), id="job-empty-phone"),
        pytest.param(
            lambda: commands.create_job(listed(line(sender="A|B"))), id="job-list-sender-with-bar"
        ),
        pytest.param(
            lambda: commands.create_job(listed(line(phones=(f"{PHONE}:x",)))),
            id="job-list-phone-with-colon",
        ),
        pytest.param(
            lambda: phonebook.add_contact(ContactDraft(phones=("1,2",))),
            id="contact-add-phone-with-comma",
        ),
        pytest.param(
            lambda: phonebook.add_contact(ContactDraft(phones=(PHONE,), group_ids=("g",))),
            id="contact-add-bad-group",
        ),
        pytest.param(
            lambda: phonebook.add_contact(ContactDraft(phones=(PHONE,), tags=("a,b",))),
            id="contact-add-tag-with-comma",
        ),
        pytest.param(
            lambda: phonebook.add_contact(ContactDraft(phones=(PHONE,), other_phones=("",))),
            id="contact-add-blank-other-phone",
        ),
        pytest.param(
            lambda: phonebook.change_contact("", ContactChanges()), id="contact-change-blank-phone"
        ),
        pytest.param(
            lambda: phonebook.change_contact(PHONE, ContactChanges(new_phones=("1;2",))),
            id="contact-change-new-phone-with-semicolon",
        ),
        pytest.param(
            lambda: phonebook.change_contact(PHONE, ContactChanges(group_ids=("",))),
            id="contact-change-empty-group",
        ),
        pytest.param(
            lambda: phonebook.change_contact(PHONE, ContactChanges(tags=(" ",))),
            id="contact-change-blank-tag",
        ),
        pytest.param(
            lambda: phonebook.delete_contact(f"{PHONE},{OTHER_PHONE}"),
            id="contact-delete-two-phones",
        ),
        pytest.param(
            lambda: phonebook.delete_contact(f"{EMAIL};{OTHER_EMAIL}"),
            id="contact-delete-two-e-mail-addresses",
        ),
        pytest.param(
            lambda: phonebook.add_contact(ContactDraft(emails=(EMAIL, ""))),
            id="contact-add-blank-e-mail-address",
        ),
        pytest.param(
            lambda: phonebook.change_contact(EMAIL, ContactChanges(other_emails=("a@b,c@d",))),
            id="contact-change-other-e-mail-with-comma",
        ),
        pytest.param(
            lambda: phonebook.list_contacts(ContactQuery(group_id="x")), id="contact-list-bad-group"
        ),
        pytest.param(
            lambda: phonebook.list_contacts(ContactQuery(after_id="x")), id="contact-list-bad-after"
        ),
        pytest.param(
            lambda: phonebook.list_contacts(ContactQuery(count=0)), id="contact-list-zero-count"
        ),
        pytest.param(lambda: phonebook.rename_group("x", "g"), id="group-rename-bad-id"),
        pytest.param(lambda: phonebook.delete_group(""), id="group-delete-empty-id"),
        pytest.param(
            lambda: phonebook.move_contact(PHONE, "g", GroupMove.ADD), id="group-move-bad-group"
        ),
        pytest.param(
            lambda: phonebook.move_contact("", "1", GroupMove.ADD), id="group-move-blank-phone"
        ),
        pytest.param(
            lambda: phonebook.add_to_blacklist(
                BlacklistDraft(phone=PHONE, scope=BlockScope.UNKNOWN)
            ),
            id="blacklist-add-unknown-scope",
        ),
        pytest.param(
            lambda: phonebook.add_to_blacklist(BlacklistDraft(phone=" ")),
            id="blacklist-add-blank-phone",
        ),
        pytest.param(
            lambda: phonebook.remove_from_blacklist(""), id="blacklist-remove-blank-phone"
        ),
        pytest.param(lambda: commands.list_answers(AnswerQuery(count=0)), id="answers-zero-count"),
        pytest.param(
            lambda: commands.list_answers(AnswerQuery(count=10_001)), id="answers-too-many"
        ),
        pytest.param(
            lambda: commands.list_answers(AnswerQuery(after_id="abc")), id="answers-bad-after"
        ),
        pytest.param(
            lambda: commands.list_answers(AnswerQuery(to_phone=" ")), id="answers-blank-to-phone"
        ),
        pytest.param(lambda: commands.list_download_tasks(count=0), id="downloads-zero-count"),
        pytest.param(lambda: commands.list_download_tasks(after_id="x"), id="downloads-bad-after"),
        pytest.param(lambda: commands.get_download_file(), id="downloads-file-neither"),
        pytest.param(
            lambda: commands.get_download_file(id="1", name="f.csv"), id="downloads-file-both"
        ),
        pytest.param(lambda: commands.get_download_file(id="f"), id="downloads-file-bad-id"),
        pytest.param(lambda: commands.get_download_file(name=" "), id="downloads-file-blank-name"),
    ],
)
def test_impossible_arguments_are_programming_errors(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=PROGRAMMING_ERRORS) as caught:
        build()
    assert not isinstance(caught.value, FacadeError)


def test_the_encoders_raise_no_input_error() -> None:
    """SMSC's encoders validate nothing: facade/smsc names no InputError."""
    package = pathlib.Path(commands.__file__).parent
    assert not [path for path in package.rglob("*.py") if "InputError" in path.read_text()]


# ---------------------------------------------------------------------------- the form body

LOGIN = "login-canary-7f3a"
PASSWORD = "password-canary-91bc"  # noqa: S105 - a canary, not a secret
APIKEY = "apikey-canary-c0de"
PASSWORD_MD5 = hashlib.md5(PASSWORD.encode(), usedforsecurity=False).hexdigest()
CANARIES = (LOGIN, PASSWORD, APIKEY, PASSWORD_MD5)


@pytest.mark.parametrize(
    ("credentials", "fmt", "charset", "form"),
    [
        pytest.param(
            Credentials(login=LOGIN, password=PASSWORD),
            Fmt.JSON,
            "utf-8",
            [
                ("del", "1"),
                ("id", "5"),
                ("login", LOGIN),
                ("psw", PASSWORD_MD5),
                ("fmt", "3"),
                ("charset", "utf-8"),
            ],
            id="login-hashed-password",
        ),
        pytest.param(
            Credentials(login=LOGIN, password=PASSWORD, hash_password=False),
            Fmt.TEXT,
            "windows-1251",
            [
                ("del", "1"),
                ("id", "5"),
                ("login", LOGIN),
                ("psw", PASSWORD),
                ("fmt", "0"),
                ("charset", "windows-1251"),
            ],
            id="login-plain-password",
        ),
        pytest.param(
            Credentials(login=LOGIN, password="пароль"),  # noqa: S106 - not a secret
            Fmt.XML,
            "koi8-r",
            [
                ("del", "1"),
                ("id", "5"),
                ("login", LOGIN),
                ("psw", hashlib.md5("пароль".encode("koi8-r"), usedforsecurity=False).hexdigest()),
                ("fmt", "2"),
                ("charset", "koi8-r"),
            ],
            id="login-hashed-in-requested-charset",
        ),
        pytest.param(
            Credentials(apikey=APIKEY),
            Fmt.CSV,
            "utf-8",
            [("del", "1"), ("id", "5"), ("apikey", APIKEY), ("fmt", "1"), ("charset", "utf-8")],
            id="apikey",
        ),
        pytest.param(
            Credentials(login="", password="", apikey=APIKEY),
            Fmt.JSON,
            "utf-8",
            [("del", "1"), ("id", "5"), ("apikey", APIKEY), ("fmt", "3"), ("charset", "utf-8")],
            id="apikey-with-empty-login",
        ),
    ],
)
def test_build_form(
    credentials: Credentials, fmt: Fmt, charset: str, form: list[tuple[str, str]]
) -> None:
    command = commands.delete_job("5")
    assert build_form(command, credentials=credentials, fmt=fmt, charset=charset) == form


def test_build_form_md5_is_lower_case_hex() -> None:
    form = dict(
        build_form(
            phonebook.list_groups(),
            credentials=Credentials(login=LOGIN, password=PASSWORD),
            fmt=Fmt.JSON,
            charset="utf-8",
        )
    )
    assert form["psw"] == form["psw"].lower()
    assert len(form["psw"]) == 32
    int(form["psw"], 16)


@pytest.mark.parametrize(
    ("credentials", "charset"),
    [
        pytest.param(Credentials(), "utf-8", id="missing"),
        pytest.param(Credentials(login=LOGIN), "utf-8", id="login-without-password"),
        pytest.param(Credentials(password=PASSWORD), "utf-8", id="password-without-login"),
        pytest.param(Credentials(login="", password="", apikey=""), "utf-8", id="all-empty"),
        pytest.param(Credentials(login=LOGIN, apikey=APIKEY), "utf-8", id="login-and-apikey"),
        pytest.param(
            Credentials(password=PASSWORD, apikey=APIKEY), "utf-8", id="password-and-apikey"
        ),
        pytest.param(
            Credentials(login=LOGIN, password=PASSWORD, apikey=APIKEY), "utf-8", id="ambiguous"
        ),
        pytest.param(Credentials(login=LOGIN, password=PASSWORD), "latin-1", id="unknown-charset"),
        pytest.param(
            Credentials(login=LOGIN, password=PASSWORD + "€"),
            "koi8-r",
            id="password-not-in-charset",
        ),
    ],
)
def test_build_form_refuses(credentials: Credentials, charset: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_form(phonebook.list_groups(), credentials=credentials, fmt=Fmt.JSON, charset=charset)
    assert not any(canary in str(caught.value) for canary in CANARIES)


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(Credentials(login=LOGIN, password=PASSWORD), id="login"),
        pytest.param(Credentials(login=LOGIN, password=PASSWORD, hash_password=False), id="plain"),
        pytest.param(Credentials(apikey=APIKEY), id="apikey"),
        pytest.param(Credentials(login=LOGIN, password=PASSWORD, apikey=APIKEY), id="all"),
    ],
)
def test_credentials_never_show_values(credentials: Credentials) -> None:
    for shown in (repr(credentials), str(credentials), f"{credentials}", f"{credentials!r}"):
        assert shown.startswith("Credentials(")
        assert not any(canary in shown for canary in CANARIES)


def test_credentials_repr_says_what_is_set() -> None:
    assert repr(Credentials(apikey=APIKEY)) == (
        "Credentials(login=None, password=None, apikey=***, hash_password=True)"
    )


# ---------------------------------------------------------------------------- command and key


def test_key_is_canonical() -> None:
    assert commands.delete_job("12").key == "/sys/jobs.php?del=1&id=12"
    assert commands.list_answers(AnswerQuery(to_phone="+7 999")).key == (
        "/sys/get.php?get_answers=1&to_phone=%2B7+999"
    )


def test_key_ignores_parameter_order() -> None:
    command = phonebook.move_contact(PHONE, "7", GroupMove.ADD)
    reordered = dataclasses.replace(command, params=tuple(reversed(command.params)))
    assert reordered.key == command.key


def test_key_is_credential_free() -> None:
    command = commands.list_templates()
    build_form(
        command,
        credentials=Credentials(login=LOGIN, password=PASSWORD),
        fmt=Fmt.JSON,
        charset="utf-8",
    )
    assert command.key == "/sys/templates.php?get=1"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param(commands.get_job("1"), commands.get_job("2"), id="different-value"),
        pytest.param(
            commands.delete_job("1"), commands.delete_template("1"), id="different-endpoint"
        ),
        pytest.param(commands.get_job("1"), commands.delete_job("1"), id="different-flag"),
        pytest.param(
            phonebook.list_contacts(ContactQuery(search="a&cnt=5")),
            phonebook.list_contacts(ContactQuery(search="a", count=5)),
            id="no-injection-through-values",
        ),
        pytest.param(
            phonebook.move_contact(PHONE, "7", GroupMove.ADD),
            phonebook.move_contact(PHONE, "7", GroupMove.REMOVE),
            id="different-move-mode",
        ),
    ],
)
def test_key_differs(one: Command[Any], other: Command[Any]) -> None:
    assert one.key != other.key


@pytest.mark.parametrize("reserved", ["login", "psw", "apikey", "fmt", "charset"])
def test_command_refuses_reserved_params(reserved: str) -> None:
    with pytest.raises(ValueError, match=reserved):
        Command(
            endpoint=Endpoint.JOBS,
            name="get",
            params=(("get", "1"), (reserved, "x")),
            writes=False,
            reader=parse_ok,
        )


def test_parse_hands_the_reply_to_the_reader() -> None:
    command = Command(
        endpoint=Endpoint.DOWNLOADS,
        name="get_file",
        params=(("get_file", "1"), ("id", "4")),
        writes=False,
        reader=lambda reply: reply,
    )
    reply = reply_for(
        command,
        b"a;b\r\n",
        fmt=Fmt.XML,
        charset="koi8-r",
        content_type="text/csv",
        content_disposition='attachment; filename="f.csv"',
    )
    assert command.parse(reply) is reply
    assert reply == Reply(
        body=b"a;b\r\n",
        endpoint=Endpoint.DOWNLOADS,
        command="get_file",
        fmt=Fmt.XML,
        charset="koi8-r",
        content_type="text/csv",
        content_disposition='attachment; filename="f.csv"',
    )


def test_reply_for_defaults() -> None:
    reply = reply_for(phonebook.list_groups(), b"[]", fmt=Fmt.JSON, charset="utf-8")
    assert (reply.command, reply.content_type, reply.content_disposition) == (
        "get_group",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("command", "body", "fmt", "expected"),
    [
        pytest.param(commands.delete_job("5"), b"OK", Fmt.TEXT, None, id="job-delete-ok"),
        pytest.param(
            phonebook.add_group(GroupDraft(name="g")),
            b'{\n"id": 6003\n}',
            Fmt.JSON,
            "6003",
            id="group-add-id",
        ),
        pytest.param(
            commands.add_template(TemplateDraft(name="n", message="m")),
            b"ID - 42",
            Fmt.TEXT,
            "42",
            id="template-add-id",
        ),
    ],
)
def test_parse_with_the_wired_reader(
    command: Command[Any], body: bytes, fmt: Fmt, expected: object
) -> None:
    assert command.parse(reply_for(command, body, fmt=fmt, charset="utf-8")) == expected
