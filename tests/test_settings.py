import pathlib

import pytest

from facade.errors import ConfigError
from facade.settings import LogFormat, Secret, Settings, default_backup_urls

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
