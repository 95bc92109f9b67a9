"""secret_forms, pair_forms and Redactor: every encoding of a secret is found and masked."""

import base64
import hashlib
import json
import re
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facade.smsc.commands import Credentials
from facade.smsc.secrets import DEFAULT_MASK, Redactor, pair_forms, secret_forms

# Non-ASCII, `/`, `+`, `&`, `=`, `~`, `?` and a space; its base64 holds `+` and padding.
CANARY = "canary-Секрет 42/+&=~?"
MASK = DEFAULT_MASK
FIRST_PASSWORD = "first-password"  # noqa: S105 - a canary to look for, not a credential


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 - the hash SMSC accepts, not for security


def _lower_hex(quoted: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda hex_: hex_[0].lower(), quoted)


UTF8 = CANARY.encode()
CP1251 = CANARY.encode("cp1251")
EXPECTED_FORMS = [
    pytest.param(CANARY, id="raw"),
    pytest.param(urllib.parse.quote(CANARY, safe=""), id="quote"),
    pytest.param(_lower_hex(urllib.parse.quote(CANARY, safe="")), id="quote-lower-hex"),
    pytest.param(urllib.parse.quote_plus(CANARY), id="quote-plus"),
    pytest.param(_lower_hex(urllib.parse.quote_plus(CANARY)), id="quote-plus-lower-hex"),
    pytest.param(urllib.parse.quote(CP1251, safe=""), id="cp1251-quote"),
    pytest.param(_lower_hex(urllib.parse.quote(CP1251, safe="")), id="cp1251-quote-lower-hex"),
    pytest.param(urllib.parse.quote_plus(CP1251), id="cp1251-quote-plus"),
    pytest.param(_lower_hex(urllib.parse.quote_plus(CP1251)), id="cp1251-quote-plus-lower-hex"),
    pytest.param(_md5(UTF8), id="md5"),
    pytest.param(_md5(UTF8).upper(), id="md5-upper"),
    pytest.param(_md5(CP1251), id="cp1251-md5"),
    pytest.param(base64.b64encode(UTF8).decode(), id="base64"),
    pytest.param(base64.b64encode(UTF8).decode().rstrip("="), id="base64-unpadded"),
    pytest.param(base64.urlsafe_b64encode(UTF8).decode(), id="base64url"),
    pytest.param(base64.urlsafe_b64encode(UTF8).decode().rstrip("="), id="base64url-unpadded"),
    pytest.param(json.dumps(CANARY)[1:-1], id="json"),
    pytest.param(json.dumps(CANARY)[1:-1].replace("/", "\\/"), id="json-php-slash"),
    pytest.param(repr(UTF8)[2:-1], id="bytes-repr"),
    pytest.param("canary-Секрет 42/+&amp;=~?", id="html"),
]


def test_the_canary_tells_the_encodings_apart() -> None:
    forms = [param.values[0] for param in EXPECTED_FORMS]
    assert len(set(forms)) == len(forms)


@pytest.mark.parametrize("form", EXPECTED_FORMS)
def test_every_form_is_listed(form: str) -> None:
    assert form in secret_forms(CANARY)


@pytest.mark.parametrize("form", EXPECTED_FORMS)
def test_every_form_is_masked_in_text(form: str) -> None:
    redactor = Redactor([CANARY])

    redacted = redactor.redact(f"psw={form}&fmt=3\nagain: {form}.")

    assert redacted == f"psw={MASK}&fmt=3\nagain: {MASK}."


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(urllib.parse.quote(CANARY), id="quote-keeps-slash"),
        pytest.param(urllib.parse.quote(CANARY, safe="/~!$'()*,;:@"), id="rfc3986-sub-delims"),
        pytest.param(urllib.parse.quote(CANARY.encode("koi8-r"), safe=""), id="koi8-r"),
        pytest.param(urllib.parse.quote(CANARY, safe="").replace("%D0", "%d0"), id="mixed-case"),
        pytest.param(
            re.sub(
                r"\\u[0-9a-f]{4}",
                lambda escape: escape[0].upper().replace("U", "u"),
                json.dumps(CANARY)[1:-1],
            ),
            id="json-upper-hex",
        ),
        pytest.param(
            urllib.parse.quote_plus(CANARY, safe="").replace("~", "%7E"), id="php-urlencode"
        ),
    ],
)
def test_any_percent_or_escape_encoder_is_matched(encoded: str) -> None:
    assert Redactor([CANARY]).redact(f"[{encoded}]") == f"[{MASK}]"


def test_text_that_only_resembles_a_secret_is_left_alone() -> None:
    text = "canary- Секрет 42/+&=~? canary-Секрет 42/+&=~"
    assert Redactor([CANARY]).redact(text) == text


def test_a_non_bmp_value_is_masked_in_json() -> None:
    value = "emoji-\U0001f600-key"
    redactor = Redactor([value])

    assert json.dumps(value) == '"emoji-\\ud83d\\ude00-key"'
    assert redactor.redact(json.dumps({"k": value})) == f'{{"k": "{MASK}"}}'


def test_a_value_no_legacy_charset_encodes_still_gets_its_utf8_forms() -> None:
    value = "ключ-密码"
    forms = secret_forms(value)

    assert urllib.parse.quote(value, safe="") in forms
    assert _md5(value.encode()) in forms
    assert Redactor([value]).redact(urllib.parse.quote_plus(value)) == MASK


def test_pair_forms_are_http_basic() -> None:
    pair = base64.b64encode(f"alice:{CANARY}".encode()).decode()

    forms = pair_forms("alice", CANARY)

    assert forms == {
        pair,
        pair.rstrip("="),
        base64.urlsafe_b64encode(f"alice:{CANARY}".encode()).decode(),
        base64.urlsafe_b64encode(f"alice:{CANARY}".encode()).decode().rstrip("="),
    }
    redactor = Redactor.for_credentials(Credentials(login="alice", password=CANARY))
    assert redactor.redact(f"Authorization: Basic {pair}") == f"Authorization: Basic {MASK}"


def test_for_credentials_masks_login_password_and_apikey() -> None:
    login, apikey = "login-Логин", "apikey-0123456789"
    by_password = Redactor.for_credentials(Credentials(login=login, password=CANARY))
    by_key = Redactor.for_credentials(Credentials(apikey=apikey))

    assert by_password.redact(f"{login} {CANARY}") == f"{MASK} {MASK}"
    assert by_key.redact(f"apikey={apikey}") == f"apikey={MASK}"
    assert by_key.redact(login) == login


def test_short_values_are_not_masked_as_themselves() -> None:
    redactor = Redactor(["abc"])

    assert redactor.redact("abc abcd cab") == "abc abcd cab"
    assert redactor.redact(_md5(b"abc")) == MASK  # long encodings of it still are


def test_empty_values_and_no_secrets_change_nothing() -> None:
    assert secret_forms("") == frozenset()
    assert Redactor().redact(CANARY) == CANARY
    assert Redactor(["", ""]).redact(CANARY) == CANARY


def test_longest_first_masks_a_secret_that_starts_with_another_whole() -> None:
    redactor = Redactor(["canary", "canary-long-secret"])

    assert redactor.redact("a canary-long-secret b canary c") == f"a {MASK} b {MASK} c"


def test_a_padded_base64_form_wins_over_its_unpadded_prefix() -> None:
    value = "pad-me-1"  # 8 bytes: one '=' of padding
    padded = base64.b64encode(value.encode()).decode()
    assert padded.endswith("=")

    assert Redactor([value]).redact(f"x{padded}y") == f"x{MASK}y"


def test_patterns_are_masked_with_their_flags() -> None:
    token = re.compile(r"tok_[a-z0-9]{8}", re.IGNORECASE)
    redactor = Redactor([CANARY], patterns=[token])

    redacted = redactor.redact(f"a TOK_ABCD1234 b tok_abcd1234 c {CANARY}")

    assert redacted == f"a {MASK} b {MASK} c {MASK}"


def test_merge_combines_secrets_and_patterns() -> None:
    first = Redactor(["first-secret"], mask="***")
    second = Redactor(["second-secret"], patterns=[re.compile(r"tok_\d{4}")])

    merged = first.merge(second)

    assert merged.redact("first-secret second-secret tok_1234") == "*** *** ***"
    assert merged.mask == "***"


def test_a_mask_with_backslashes_is_written_as_it_is() -> None:
    assert Redactor([CANARY], mask=r"\1\g<0>").redact(CANARY) == r"\1\g<0>"


def test_the_repr_names_no_secret() -> None:
    redactor = Redactor.for_credentials(Credentials(login="alice-login", password=CANARY))

    assert "alice" not in repr(redactor)
    assert "canary" not in repr(redactor)


@settings(max_examples=200)
@given(value=st.text(min_size=4, max_size=24))
def test_every_listed_form_of_any_value_is_masked(value: str) -> None:
    redactor = Redactor([value], mask="\x00")

    for form in secret_forms(value):
        if len(form) >= 4:
            assert redactor.redact(f"<{form}>") == "<\x00>", form


def test_for_all_covers_every_account_and_the_patterns() -> None:
    accounts = [
        Credentials(login="first-login", password=FIRST_PASSWORD),
        Credentials(apikey="second-apikey"),
    ]
    pair = base64.b64encode(b"first-login:first-password").decode()

    redactor = Redactor.for_all(accounts, patterns=[re.compile(r"tok_\d{4}")], mask="#")

    assert redactor.redact(f"first-login first-password second-apikey {pair} tok_1234") == (
        "# # # # #"
    )


def test_a_value_with_undecodable_bytes_is_masked_as_those_bytes() -> None:
    from_environment = b"pw-\xd1-key".decode("utf-8", "surrogateescape")

    assert "pw-%D1-key" in secret_forms(from_environment)
    assert Redactor([from_environment]).redact("psw=pw-%d1-key") == f"psw={MASK}"
    assert Redactor(["pw-\ud800-key"]).redact("pw-\ud800-key") == MASK


def test_clean_texts_are_remembered_and_texts_with_a_secret_never_are():
    redactor = Redactor.for_credentials(Credentials(login="login-1", password=FIRST_PASSWORD))
    for _ in range(2):
        assert redactor.redact("GET /v1/templates") == "GET /v1/templates"
        assert redactor.redact(f"GET /v1/x?p={FIRST_PASSWORD}") == f"GET /v1/x?p={MASK}"
    assert redactor._clean == {"GET /v1/templates"}
    many = Redactor.for_credentials(Credentials(login="login-1", password=FIRST_PASSWORD))
    for index in range(5000):
        assert many.redact(f"path {index}") == f"path {index}"
    assert len(many._clean) <= 4096
