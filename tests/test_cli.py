import json
from typing import Any

import httpx
import pytest

from facade.cli import DEFAULT_HTTP, DEFAULT_LOOP, main
from tests.loopback import free_port, running


def test_serve_refuses_bad_configuration_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("SMSC_LOGIN", "canary-login")
    monkeypatch.setenv("FACADE_UPSTREAM_FMT", "9")
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "SMSC_PASSWORD is missing" in err
    assert "FACADE_UPSTREAM_FMT" in err
    assert "canary-login" not in err


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["launch"])
    assert caught.value.code == 2


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_serve_without_credentials_starts_the_sandbox():
    port = free_port()
    with running(["serve", "--port", str(port)], ready_path="/healthz", port=port) as process:
        response = httpx.get(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "sandbox": True}
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "SANDBOX MODE" in err


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_emulator_answers_the_readme_curl_with_demo_templates():
    port = free_port()
    with running(["emulator", "--port", str(port)], ready_path="/", port=port):
        response = httpx.post(
            f"http://127.0.0.1:{port}/sys/templates.php",
            content=b"get=1&login=demo&psw=demo&fmt=3",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    templates = json.loads(response.content.decode("windows-1251"))
    assert templates
    assert {"id", "name", "format", "sender", "flag", "message"} <= set(templates[0])


def test_serve_banner_says_sandbox_and_runs_uvicorn(monkeypatch, capsys):
    started: dict[str, Any] = {}
    monkeypatch.setattr("facade.cli.uvicorn.run", lambda app, **kw: started.update(app=app, **kw))
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve", "--host", "127.0.0.2", "--port", "8123"]) == 0
    assert started["host"] == "127.0.0.2"
    assert started["port"] == 8123
    assert started["app"].state.settings.sandbox
    assert "SANDBOX MODE" in capsys.readouterr().err


def test_serve_with_credentials_says_so_without_showing_them(monkeypatch, capsys):
    started: dict[str, Any] = {}
    monkeypatch.setattr("facade.cli.uvicorn.run", lambda app, **kw: started.update(app=app, **kw))
    monkeypatch.setenv("SMSC_LOGIN", "canary-login")
    monkeypatch.setenv("SMSC_PASSWORD", "canary-password")
    assert main(["serve"]) == 0
    assert not started["app"].state.settings.sandbox
    err = capsys.readouterr().err
    assert "SANDBOX" not in err
    assert "canary" not in err


def test_emulator_command_runs_the_emulator_with_its_seed(monkeypatch, capsys):
    started: dict[str, Any] = {}
    monkeypatch.setattr("facade.cli.uvicorn.run", lambda app, **kw: started.update(app=app, **kw))
    assert main(["emulator", "--seed", "empty", "--port", "8901"]) == 0
    assert started["port"] == 8901
    assert started["app"].state.emulator is not None
    assert "empty data" in capsys.readouterr().err


def test_emulator_contacts_adds_a_large_phonebook(monkeypatch, capsys):
    started: dict[str, Any] = {}
    monkeypatch.setattr("facade.cli.uvicorn.run", lambda app, **kw: started.update(app=app, **kw))
    assert main(["emulator", "--seed", "empty", "--contacts", "1500"]) == 0
    assert len(started["app"].state.emulator.account().contacts) == 1500
    assert "empty data + 1500 contacts" in capsys.readouterr().err


def test_emulator_callback_options_configure_every_account(monkeypatch, capsys):
    started: dict[str, Any] = {}
    monkeypatch.setattr("facade.cli.uvicorn.run", lambda app, **kw: started.update(app=app, **kw))
    url = "http://127.0.0.1:8000/smsc/callback/key?charset=utf-8"
    assert main(["emulator", "--callback-url", url, "--callback-secret", "s3cret"]) == 0
    target = started["app"].state.emulator.callback_targets["demo"]
    assert (target.url, target.secret, target.checksum) == (url, "s3cret", "md5")
    assert f"callbacks to {url}" in capsys.readouterr().err


def test_emulator_callback_secret_needs_a_url(monkeypatch, capsys):
    monkeypatch.setattr("facade.cli.uvicorn.run", lambda app, **kw: pytest.fail("started"))
    assert main(["emulator", "--callback-secret", "s3cret"]) == 2
    assert "--callback-url" in capsys.readouterr().err


@pytest.mark.parametrize("count", ["-1", "1000001", "many", "1e3"])
def test_emulator_contacts_must_be_a_count_within_bounds(count, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["emulator", "--contacts", count])
    assert caught.value.code == 2
    assert "--contacts" in capsys.readouterr().err


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_emulator_serves_a_large_phonebook_over_http():
    port = free_port()
    with running(
        ["emulator", "--contacts", "3000", "--port", str(port)], ready_path="/", port=port
    ):
        response = httpx.post(
            f"http://127.0.0.1:{port}/sys/phones.php",
            content=b"get=1&login=demo&psw=demo&fmt=3&charset=utf-8",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    assert len(json.loads(response.content.decode("utf-8"))) == 3008


def test_serve_runs_the_measured_loop_and_http_implementation_unless_told(monkeypatch, capsys):
    started: dict[str, Any] = {}
    monkeypatch.setattr("facade.cli.uvicorn.run", lambda app, **kw: started.update(kw))
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve"]) == 0
    assert (started["loop"], started["http"]) == (DEFAULT_LOOP, DEFAULT_HTTP)
    assert main(["serve", "--loop", "uvloop", "--http", "h11"]) == 0
    assert (started["loop"], started["http"]) == ("uvloop", "h11")
    with pytest.raises(SystemExit):
        main(["serve", "--http", "auto"])
    assert "invalid choice" in capsys.readouterr().err
