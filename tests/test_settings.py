import pathlib

import pytest

from facade.errors import ConfigError
from facade.settings import LogFormat, Settings, default_backup_urls
from facade.settings.values import Secret

CANARY = "canary-Секрет-42"


def test_no_credentials_is_sandbox_mode():
    settings = Settings.from_env({})
    assert settings.sandbox
    assert settings.account is None
    assert settings.upstream_fmt == 3
    assert settings.data_dir == pathlib.Path(".facade")
    assert settings.log_format is LogFormat.TEXT


def test_login_and_password_make_an_account_with_backup_host():
    settings = Settings.from_env({"SMSC_LOGIN": "alex", "SMSC_PASSWORD": CANARY})
    assert not settings.sandbox
    assert settings.account is not None
    assert settings.account.login == Secret("alex")
    assert settings.account.password is not None
    assert settings.account.password.reveal() == CANARY
    assert settings.account.base_url == "https://smsc.ru"
    assert settings.account.backup_urls == ("https://www2.smsc.ru",)


def test_apikey_alone_is_enough():
    settings = Settings.from_env({"SMSC_APIKEY": CANARY, "SMSC_BASE_URL": "https://smscentre.com/"})
    assert settings.account is not None
    assert settings.account.apikey == Secret(CANARY)
    assert settings.account.base_url == "https://smscentre.com"
    assert settings.account.backup_urls == ("https://www2.smscentre.com",)


def test_secrets_come_from_files(tmp_path):
    (tmp_path / "login").write_text("alex\n", encoding="utf-8")
    (tmp_path / "psw").write_text(CANARY + "\n", encoding="utf-8")
    settings = Settings.from_env(
        {"SMSC_LOGIN_FILE": str(tmp_path / "login"), "SMSC_PASSWORD_FILE": str(tmp_path / "psw")}
    )
    assert settings.account is not None
    assert settings.account.login == Secret("alex")
    assert settings.account.password == Secret(CANARY)


def test_explicit_backup_urls_replace_the_www2_pattern():
    settings = Settings.from_env(
        {
            "SMSC_APIKEY": "k",
            "SMSC_BACKUP_URLS": "https://b1.example, https://b2.example:8443/base/",
        }
    )
    assert settings.account is not None
    assert settings.account.backup_urls == ("https://b1.example", "https://b2.example:8443/base")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        pytest.param("https://smsc.ru", ("https://www2.smsc.ru",), id="plain"),
        pytest.param("https://www.smsc.kz", ("https://www2.smsc.kz",), id="www"),
        pytest.param("http://smsc.ua:8080", ("http://www2.smsc.ua:8080",), id="port"),
        pytest.param("https://www2.smsc.ru", (), id="already-backup"),
        pytest.param("http://127.0.0.1:8900", (), id="loopback"),
    ],
)
def test_default_backup_urls(base, expected):
    assert default_backup_urls(base) == expected


def test_every_bad_value_is_reported_at_once_by_name_never_by_value(tmp_path):
    environ = {
        "SMSC_LOGIN": CANARY,
        "SMSC_APIKEY": CANARY,
        "SMSC_BASE_URL": f"ftp://{CANARY}",
        "SMSC_BACKUP_URLS": f"https://user:{CANARY}@host",
        "FACADE_UPSTREAM_FMT": "7",
        "FACADE_LOG_LEVEL": "loud",
        "FACADE_LOG_FORMAT": "xml",
        "FACADE_GRAPHIQL": "maybe",
        "FACADE_CORS_ORIGINS": "not a url",
        "SMSC_PASSWORD_FILE": str(tmp_path / "missing"),
    }
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    problems = caught.value.problems
    for name in (
        "SMSC_APIKEY",
        "SMSC_BASE_URL",
        "SMSC_BACKUP_URLS",
        "FACADE_UPSTREAM_FMT",
        "FACADE_LOG_LEVEL",
        "FACADE_LOG_FORMAT",
        "FACADE_GRAPHIQL",
        "FACADE_CORS_ORIGINS",
        "SMSC_PASSWORD_FILE",
    ):
        assert any(p.startswith(name) for p in problems), name
    assert CANARY not in str(caught.value)


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        pytest.param({"SMSC_LOGIN": "a"}, "SMSC_PASSWORD is missing", id="no-password"),
        pytest.param({"SMSC_PASSWORD": "p"}, "SMSC_LOGIN is missing", id="no-login"),
        pytest.param(
            {"SMSC_LOGIN": "a", "SMSC_LOGIN_FILE": "/x", "SMSC_PASSWORD": "p"},
            "SMSC_LOGIN and SMSC_LOGIN_FILE are both set",
            id="value-and-file",
        ),
    ],
)
def test_incomplete_credentials(environ, problem):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    assert any(p.startswith(problem) for p in caught.value.problems)


def test_empty_secret_file_is_a_problem(tmp_path):
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="SMSC_APIKEY_FILE: the file is empty"):
        Settings.from_env({"SMSC_APIKEY_FILE": str(tmp_path / "empty")})


def test_optional_values_and_unknown_variables():
    settings = Settings.from_env(
        {
            "FACADE_UPSTREAM_FMT": "1",
            "FACADE_DATA_DIR": "/var/lib/facade",
            "FACADE_LOG_LEVEL": "debug",
            "FACADE_LOG_FORMAT": "JSON",
            "FACADE_GRAPHIQL": "off",
            "FACADE_CORS_ORIGINS": "https://app.example, https://admin.example",
            "FACADE_SOMETHING_NEW": "ignored",
        }
    )
    assert settings.upstream_fmt == 1
    assert settings.data_dir == pathlib.Path("/var/lib/facade")
    assert settings.log_level == "DEBUG"
    assert settings.log_format is LogFormat.JSON
    assert settings.graphiql is False
    assert settings.cors_origins == ("https://app.example", "https://admin.example")
    assert Settings.from_env({"FACADE_GRAPHIQL": "yes"}).graphiql is True


def test_secret_never_shows_itself():
    secret = Secret(CANARY)
    assert CANARY not in repr(secret)
    assert CANARY not in str(secret)
    assert CANARY not in f"{secret}"
    assert secret.reveal() == CANARY
    assert secret != CANARY
    assert hash(secret) == hash(Secret(CANARY))
    settings = Settings.from_env({"SMSC_LOGIN": CANARY, "SMSC_PASSWORD": CANARY})
    assert CANARY not in repr(settings)


def write_accounts(tmp_path: pathlib.Path, text: str) -> str:
    path = tmp_path / "accounts.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_accounts_file_names_accounts_by_reference(tmp_path):
    (tmp_path / "psw").write_text(CANARY + "\n", encoding="utf-8")
    path = write_accounts(
        tmp_path,
        f"""
[accounts.marketing]
login = {{ env = "MKT_LOGIN" }}
password = {{ file = "{tmp_path / "psw"}" }}

[accounts.alerts]
apikey = {{ env = "ALERTS_KEY" }}
base_url = "https://smscentre.com"
backup_urls = ["https://backup.example"]
""",
    )
    settings = Settings.from_env(
        {"FACADE_ACCOUNTS_FILE": path, "MKT_LOGIN": "mkt", "ALERTS_KEY": "k-" + CANARY}
    )
    assert not settings.sandbox
    assert settings.account is None, "no SMSC_* variables: no default account"
    assert settings.account_names == ("marketing", "alerts")
    marketing = settings.accounts["marketing"]
    assert marketing.login == Secret("mkt")
    assert marketing.password == Secret(CANARY)
    assert marketing.base_url == "https://smsc.ru"
    alerts = settings.accounts["alerts"]
    assert alerts.apikey == Secret("k-" + CANARY)
    assert alerts.backup_urls == ("https://backup.example",)


def test_accounts_file_adds_to_the_default_account(tmp_path):
    path = write_accounts(tmp_path, '[accounts.b]\napikey = { env = "B_KEY" }\n')
    settings = Settings.from_env(
        {"SMSC_LOGIN": "a", "SMSC_PASSWORD": CANARY, "FACADE_ACCOUNTS_FILE": path, "B_KEY": "kb"}
    )
    assert settings.account_names == ("default", "b")


def test_sandbox_mode_offers_the_default_account_to_tokens():
    settings = Settings.from_env({})
    assert settings.accounts == {}
    assert settings.account_names == ("default",)


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        (
            f'[accounts.m]\nlogin = "alex"\npassword = "{CANARY}"\n',
            {},
            [
                "accounts.m.login: credentials are never written inline",
                "accounts.m.password: credentials are never written inline",
            ],
        ),
        (
            '[accounts.m]\nlogin = { env = "NOPE" }\npassword = { env = "NOPE2" }\n',
            {},
            [
                "accounts.m.login: the variable NOPE is not set",
                "accounts.m.password: the variable NOPE2 is not set",
            ],
        ),
        (
            '[accounts.m]\nlogin = { env = "L" }\n',
            {"L": "x"},
            ["accounts.m.password is missing"],
        ),
        (
            '[accounts.m]\napikey = { env = "K" }\nlogin = { env = "K" }\n',
            {"K": "x"},
            ["accounts.m.apikey and accounts.m.login/accounts.m.password are both set"],
        ),
        (
            '[accounts.m]\napikey = { bogus = "K" }\n',
            {},
            ['accounts.m.apikey: expected { env = "VAR" } or { file = "PATH" }'],
        ),
        (
            '[accounts.m]\napikey = { file = "/nonexistent/secret" }\n',
            {},
            ["accounts.m.apikey.file: cannot read the file"],
        ),
        (
            '[accounts.m]\napikey = { env = "K" }\nbase_url = "ftp://x"\ncolour = 1\n',
            {"K": "x"},
            ["accounts.m.base_url: expected an http(s) URL", "accounts.m: unknown keys ['colour']"],
        ),
        ('[accounts."Bad Name"]\napikey = { env = "K" }\n', {"K": "x"}, ["account names are"]),
        ("accounts = 3\n", {}, ["expected one or more [accounts.NAME]"]),
        ("[accounts.m\n", {}, ["not valid TOML"]),
        (
            '[accounts.default]\napikey = { env = "K" }\n',
            {"K": "x", "SMSC_APIKEY": "y"},
            ["account 'default' is also configured by SMSC_* variables"],
        ),
    ],
    ids=[
        "inline",
        "unset-env",
        "half",
        "both",
        "bad-ref",
        "unreadable",
        "url-and-keys",
        "name",
        "shape",
        "toml",
        "clash",
    ],
)
def test_accounts_file_problems_are_all_reported_without_values(tmp_path, text, environ, expected):
    path = write_accounts(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"FACADE_ACCOUNTS_FILE": path, **environ})
    message = str(caught.value)
    for fragment in expected:
        assert fragment in message
    assert CANARY not in message
    assert "alex" not in message


def test_unreadable_accounts_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="FACADE_ACCOUNTS_FILE: cannot read the file"):
        Settings.from_env({"FACADE_ACCOUNTS_FILE": str(tmp_path / "missing.toml")})


def test_browser_switches_default_to_sandbox_mode():
    sandbox = Settings.from_env({})
    assert (sandbox.graphiql, sandbox.introspection, sandbox.graphql_get) == (True, True, False)
    production = Settings.from_env({"SMSC_APIKEY": "k"})
    assert (production.graphiql, production.introspection) == (False, False)
    opened = Settings.from_env(
        {
            "SMSC_APIKEY": "k",
            "FACADE_GRAPHIQL": "on",
            "FACADE_INTROSPECTION": "true",
            "FACADE_GRAPHQL_GET": "1",
        }
    )
    assert (opened.graphiql, opened.introspection, opened.graphql_get) == (True, True, True)


def test_bad_base_url_is_reported_even_in_sandbox_mode():
    with pytest.raises(ConfigError, match="SMSC_BASE_URL"):
        Settings.from_env({"SMSC_BASE_URL": "not a url"})


def test_shutdown_seconds_are_validated():
    assert Settings.from_env({}).shutdown_timeout == 20.0
    assert Settings.from_env({"FACADE_SHUTDOWN_SECONDS": "2.5"}).shutdown_timeout == 2.5
    for bad in ("0", "-1", "soon", "601"):
        with pytest.raises(ConfigError, match="FACADE_SHUTDOWN_SECONDS"):
            Settings.from_env({"FACADE_SHUTDOWN_SECONDS": bad})


def test_idempotency_records_last_a_day_and_lost_jobs_settle_after_a_minute():
    settings = Settings.from_env({})
    assert (settings.idempotency_ttl, settings.idempotency_settle_after) == (86400.0, 60.0)

    changed = Settings.from_env(
        {"FACADE_IDEMPOTENCY_TTL_HOURS": "0.5", "FACADE_IDEMPOTENCY_SETTLE_SECONDS": "90"}
    )
    assert (changed.idempotency_ttl, changed.idempotency_settle_after) == (1800.0, 90.0)


@pytest.mark.parametrize("value", ["0", "-1", "a day", "nan", "inf", "8761"])
def test_idempotency_hours_are_validated(value):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"FACADE_IDEMPOTENCY_TTL_HOURS": value})
    assert caught.value.problems == [
        "FACADE_IDEMPOTENCY_TTL_HOURS: expected hours, more than 0 and at most 8760"
    ]


def test_redis_url_is_a_secret_and_replicas_a_count(tmp_path):
    settings = Settings.from_env(
        {"FACADE_REDIS_URL": f"redis://:{CANARY}@redis:6379/0", "FACADE_REPLICAS": "3"}
    )
    assert settings.redis_url == Secret(f"redis://:{CANARY}@redis:6379/0")
    assert CANARY not in repr(settings)
    assert settings.replicas == 3
    (tmp_path / "redis").write_text("rediss://cache.internal:6380\n", encoding="utf-8")
    from_file = Settings.from_env({"FACADE_REDIS_URL_FILE": str(tmp_path / "redis")})
    assert from_file.redis_url == Secret("rediss://cache.internal:6380")
    assert Settings.from_env({}).redis_url is None
    assert Settings.from_env({}).replicas == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FACADE_REDIS_URL", "http://" + CANARY),
        ("FACADE_REPLICAS", "0"),
        ("FACADE_REPLICAS", "two"),
        ("FACADE_REPLICAS", "65"),
    ],
)
def test_bad_scale_out_settings_are_named_without_values(name, value):
    with pytest.raises(ConfigError, match=name) as caught:
        Settings.from_env({name: value})
    assert CANARY not in str(caught.value)
