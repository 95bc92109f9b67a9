import pytest

from facade.domain.templates import Template
from facade.errors import (
    SmscAuthError,
    SmscBadRequest,
    SmscBlocked,
    SmscRateLimited,
    SmscRejected,
    UpstreamProtocolError,
)
from facade.smsc.enums import MESSAGE_FORMATS
from facade.smsc.parse.templates import parse_templates
from facade.smsc.wire import Reply
from tests.smsc.samples import reply

FMTS = (0, 1, 2, 3)


def template(
    id_: str, name: str, message: str, format_raw: str, sender: str | None, flags: int
) -> Template:
    return Template(
        id=id_,
        name=name,
        message=message,
        format=MESSAGE_FORMATS.decode(format_raw),
        format_raw=format_raw,
        sender=sender,
        flags=flags,
    )


WELCOME = template("12", "Welcome", "Welcome aboard", "sms", "SMSC", 1)
REMINDER = template("13", "Reminder", "Your code is ready", "", None, 0)
PROMO = template("14", "Promo", "Sale today", "viber", "Shop", 0)
COMMAS = template("21", "Sale, spring", "Hi, {name}, 20% off, today only", "sms", "SMSC", 0)
NEWLINES = [
    template("22", "Two lines", "Line one\nLine two, with a comma", "sms", None, 0),
    template("23", "After", "ok", "", None, 0),
]
UNKNOWN = template("41", "Chat", "Hello", "whatsapp", "Bot", 0)
EMOJI = template("42", "Party 🎉", "Tonight 🥳, 21:00", "viber", "Club", 0)
ESCAPES = template("24", "R&D <team>", '5 < 6 & 7 > 3 "quoted" Ж', "mail", "rd&co", 3)
CYRILLIC = template("51", "Приветствие", "Здравствуйте, {name}! Ждём вас.", "sms", "Магазин", 1)


def get(path: str, **kwargs: str) -> Reply:
    return reply(f"templates/{path}", "get", **kwargs)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"list.fmt{n}.txt"), [WELCOME, REMINDER, PROMO], id=f"fmt{n}-list")
            for n in FMTS
        ),
        *(pytest.param(get(f"list-empty.fmt{n}.txt"), [], id=f"fmt{n}-empty-list") for n in FMTS),
        *(
            pytest.param(get(f"error-not-found.fmt{n}.txt"), [], id=f"fmt{n}-error-3-is-empty")
            for n in FMTS
        ),
        *(pytest.param(get(f"commas.fmt{n}.txt"), [COMMAS], id=f"fmt{n}-commas") for n in FMTS),
        *(
            pytest.param(get(f"newlines.fmt{n}.txt"), NEWLINES, id=f"fmt{n}-new-lines")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"unknown-format.fmt{n}.txt"), [UNKNOWN], id=f"fmt{n}-unknown-format")
            for n in FMTS
        ),
        pytest.param(get("list-string-numbers.fmt3.txt"), [WELCOME], id="fmt3-numbers-as-strings"),
        pytest.param(get("emoji.fmt3.txt"), [EMOJI], id="fmt3-emoji"),
        pytest.param(get("emoji.fmt1.txt"), [EMOJI], id="fmt1-emoji"),
        pytest.param(get("xml-escapes.fmt2.txt"), [ESCAPES], id="fmt2-xml-entities"),
        pytest.param(get("json-escapes.fmt3.txt"), [ESCAPES], id="fmt3-json-escapes"),
        pytest.param(get("cyrillic-utf8.fmt3.txt"), [CYRILLIC], id="fmt3-cyrillic-utf-8"),
        pytest.param(get("cyrillic-cp1251.fmt3.txt"), [CYRILLIC], id="fmt3-cyrillic-windows-1251"),
        pytest.param(get("cyrillic-koi8r.fmt3.txt"), [CYRILLIC], id="fmt3-cyrillic-koi8-r"),
        pytest.param(get("cyrillic-koi8r.fmt1.txt"), [CYRILLIC], id="fmt1-cyrillic-koi8-r"),
        pytest.param(get("cyrillic-cp1251.fmt0.txt"), [CYRILLIC], id="fmt0-cyrillic-windows-1251"),
        pytest.param(
            get("cyrillic-cp1251.fmt2.txt"), [CYRILLIC], id="fmt2-cyrillic-windows-1251-declared"
        ),
        pytest.param(
            get("cyrillic-koi8r.fmt3.txt", content_type="application/json; charset=windows-1251"),
            [CYRILLIC],
            id="fmt3-content-type-charset-ignored",
        ),
        # The documented rules (facade/smsc/parse/__init__.py): what SMSC sent is ambiguous, and
        # the rule's reading is pinned here. The real name was "Combo,sms,SENDER,0,x".
        pytest.param(
            get("ambiguous-name.fmt1.txt"),
            [template("31", "Combo", "x,,,0,Body", "sms", "SENDER", 0)],
            id="fmt1-ambiguous-name-cut-at-first-format-sender-flag",
        ),
        # The real name was "A, format = sms, sender = B".
        pytest.param(
            get("ambiguous-label.fmt0.txt"),
            [template("32", "A", "Body", "sms", "B, format = , sender = ", 0)],
            id="fmt0-ambiguous-name-cut-at-first-label",
        ),
        pytest.param(
            get("name-with-word.fmt1.txt"),
            [template("33", "Sale,spring", "Body", "sms", "SMSC", 0)],
            id="fmt1-known-format-preferred-to-a-word",
        ),
    ],
)
def test_parse_templates(sample, expected):
    assert parse_templates(sample) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        *(
            pytest.param(get(f"error-auth.fmt{n}.txt"), SmscAuthError, id=f"fmt{n}-auth")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-params.fmt{n}.txt"), SmscBadRequest, id=f"fmt{n}-params")
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-blocked.fmt{n}.txt"), SmscBlocked, id=f"fmt{n}-blocked")
            for n in FMTS
        ),
        *(
            pytest.param(
                get(f"error-duplicate.fmt{n}.txt"), SmscRateLimited, id=f"fmt{n}-duplicate"
            )
            for n in FMTS
        ),
        *(
            pytest.param(get(f"error-save.fmt{n}.txt"), SmscRejected, id=f"fmt{n}-save")
            for n in FMTS
        ),
        pytest.param(get("error-as-fmt0.fmt3.txt"), SmscBadRequest, id="fmt3-answered-in-fmt0"),
    ],
)
def test_parse_templates_errors(sample, expected):
    with pytest.raises(expected):
        parse_templates(sample)


@pytest.mark.parametrize(
    "sample",
    [
        pytest.param(get("bad-flag.fmt3.txt"), id="fmt3-flag-not-a-number"),
        pytest.param(get("float-id.fmt3.txt"), id="fmt3-id-a-float"),
        pytest.param(get("truncated.fmt3.txt"), id="fmt3-truncated"),
        pytest.param(get("truncated.fmt2.txt"), id="fmt2-truncated"),
        pytest.param(get("not-a-record.fmt0.txt"), id="fmt0-not-a-record"),
        pytest.param(get("not-a-record.fmt1.txt"), id="fmt1-not-a-record"),
        pytest.param(get("wrong-root.fmt2.txt"), id="fmt2-wrong-root"),
        pytest.param(get("wrong-item.fmt2.txt"), id="fmt2-wrong-item"),
        pytest.param(get("missing-field.fmt2.txt"), id="fmt2-missing-field"),
        pytest.param(get("repeated-element.fmt2.txt"), id="fmt2-repeated-element"),
        pytest.param(get("nan.fmt3.txt"), id="fmt3-nan"),
        pytest.param(get("not-objects.fmt3.txt"), id="fmt3-array-of-numbers"),
        pytest.param(get("not-a-list.fmt3.txt"), id="fmt3-an-object"),
        pytest.param(get("billion-laughs.fmt2.txt"), id="fmt2-billion-laughs"),
        pytest.param(get("external-entity.fmt2.txt"), id="fmt2-external-entity"),
        pytest.param(get("error-malformed.fmt0.txt"), id="fmt0-malformed-envelope"),
        pytest.param(get("error-malformed.fmt3.txt"), id="fmt3-malformed-envelope"),
        pytest.param(get("ok-bare.fmt3.txt"), id="fmt3-ok-is-not-a-list"),
        pytest.param(
            get("cyrillic-cp1251.fmt3.txt", charset="utf-8"), id="fmt3-windows-1251-read-as-utf-8"
        ),
        pytest.param(get("list.fmt3.txt", charset="x-unknown"), id="fmt3-unknown-charset"),
    ],
)
def test_parse_templates_protocol_errors(sample):
    with pytest.raises(UpstreamProtocolError) as caught:
        parse_templates(sample)
    assert caught.value.endpoint == "/sys/templates.php?get"
    assert caught.value.fmt == sample.fmt
