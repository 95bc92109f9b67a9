"""The deployment files, checked without a Docker engine: hadolint lints the Dockerfile in
`make test`; these tests pin what operators rely on."""

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).parent.parent


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_the_image_runs_as_a_numeric_non_root_user_with_a_healthcheck() -> None:
    text = dockerfile()
    stages = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert len(stages) >= 2, "multi-stage"
    assert stages[-1].startswith("python:3.11-slim")
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users
    assert users[-1].split(":")[0].isdigit()
    assert users[-1].split(":")[0] != "0"
    assert "HEALTHCHECK" in text
    assert "/healthz" in text
    assert re.search(r'^CMD \["facade", "serve", "--host", "0.0.0.0"', text, flags=re.MULTILINE)


def test_the_image_installs_the_locked_versions_and_graphiql_files() -> None:
    text = dockerfile()
    assert "--constraint constraints.txt" in text
    assert "npm ci --prefix graphiql" in text
    assert "npm ci --prefix docs-ui" in text
    assert "vendored.BUNDLES" in text, "the installed package holds both pages' files"
    assert "python -I -c" in text, "isolated: import the installed package, not ./facade"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".facade", "node_modules"} <= set(ignored)


def test_compose_runs_two_replicas_redis_and_the_emulator_with_file_secrets() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"redis", "smsc", "facade"} <= set(services)
    facade = services["facade"]
    assert facade["deploy"]["replicas"] == 2
    environment = facade["environment"]
    assert environment["FACADE_REDIS_URL"].startswith("redis://redis:")
    assert environment["SMSC_BASE_URL"] == "http://smsc:8900"
    assert not {"SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"} & set(environment)
    for name in ("SMSC_LOGIN_FILE", "SMSC_PASSWORD_FILE"):
        secret = environment[name].removeprefix("/run/secrets/")
        assert secret in facade["secrets"]
        assert (ROOT / compose["secrets"][secret]["file"]).is_file()
    assert services["smsc"]["command"][:2] == ["facade", "emulator"]
