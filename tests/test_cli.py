import json

import httpx
import pytest

from facade.cli import main
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
