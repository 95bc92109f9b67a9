import datetime
import json
import os
import pathlib
import re
import time
from unittest import mock

import pytest

from facade.cli import main
from facade.credentials.scopes import Scope
from facade.credentials.token_format import TOKEN_PATTERN, TOKEN_PREFIX
from facade.credentials.tokens import TokenStore
from facade.errors import AuthError

DATE_TIME = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> pathlib.Path:
    """A clean environment: sandbox mode (no SMSC_*), the token store under tmp_path."""
    for name in list(os.environ):
        if name.startswith(("SMSC_", "FACADE_")):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("FACADE_DATA_DIR", str(data_dir))
    return data_dir


def issue(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["token", "issue", *args]) == 0
    out, _ = capsys.readouterr()
    return out.strip()


# --- issue --------------------------------------------------------------------------------------


def test_issue_prints_the_token_alone_on_stdout(data_dir, capsys):
    assert main(["token", "issue", "web"]) == 0
    out, err = capsys.readouterr()
    assert out.endswith("\n")
    assert out.count("\n") == 1
    token = out.removesuffix("\n")
    assert TOKEN_PATTERN.fullmatch(token)
    assert token not in err
    assert token.removeprefix(TOKEN_PREFIX) not in err
    with TokenStore.in_dir(data_dir) as store:
        principal = store.verify(token)
        (record,) = store.records()
    assert principal.name == "web"
    assert principal.scopes == {Scope.READ}
    assert principal.account == "default"
    assert err == (
        f"facade: issued key {record.key_id} for web (scopes read; account default; "
        "expires never). It is shown once: store it now.\n"
    )


def test_issue_with_scopes_and_expiry(data_dir, capsys):
    argv = ["token", "issue", "ops", "--scope", "write", "--scope", "admin", "--expires", "30"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    with TokenStore.in_dir(data_dir) as store:
        principal = store.verify(out.strip())
        (record,) = store.records()
    assert principal.scopes == set(Scope)
    assert record.expires_at is not None
    assert record.expires_at - record.created_at == pytest.approx(30 * 86400)
    expires = datetime.datetime.fromtimestamp(record.expires_at, datetime.UTC).date().isoformat()
    assert f"(scopes read, write, admin; account default; expires {expires})" in err


def test_a_running_server_accepts_a_token_issued_by_the_command(data_dir, capsys):
    with TokenStore.in_dir(data_dir) as server:
        token = issue(capsys, "web")
        assert server.verify(token).name == "web"
        assert main(["token", "revoke", "web"]) == 0
        assert [r.status(time.time()) for r in server.records()] == ["revoked"]
        with pytest.raises(AuthError, match="unknown, revoked or expired"):
            server.verify(token)


def test_issue_refuses_an_unconfigured_account(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("SMSC_LOGIN", "canary-login")
    monkeypatch.setenv("SMSC_PASSWORD", "canary-password")
    assert main(["token", "issue", "web", "--account", "eu"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "facade: unknown account 'eu'; the configured accounts are: default\n"
    assert not data_dir.exists()


def test_issue_binds_a_token_to_an_account_from_the_accounts_file(
    data_dir, monkeypatch, tmp_path, capsys
):
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[accounts.eu]\nlogin = { env = "EU_LOGIN" }\npassword = { env = "EU_PSW" }\n'
    )
    monkeypatch.setenv("FACADE_ACCOUNTS_FILE", str(accounts))
    monkeypatch.setenv("EU_LOGIN", "canary-login")
    monkeypatch.setenv("EU_PSW", "canary-password")
    token = issue(capsys, "web", "--account", "eu")
    with TokenStore.in_dir(data_dir) as store:
        assert store.verify(token).account == "eu"
    assert main(["token", "issue", "web", "--account", "default"]) == 2
    assert "the configured accounts are: eu\n" in capsys.readouterr().err


def test_a_configuration_error_is_reported_and_nothing_is_created(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("SMSC_LOGIN", "canary-login")
    for action in (["issue", "web"], ["list"], ["revoke", "web"]):
        assert main(["token", *action]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith("facade: invalid configuration: ")
        assert "SMSC_PASSWORD is missing" in err
        assert "canary" not in err
    assert not data_dir.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["bad name"], "facade: name: expected 1-64 of", id="bad-name"),
        pytest.param(["web", "--expires", "0"], "facade: expires: expected more", id="expires-0"),
        pytest.param(["web", "--expires", "4000"], "facade: expires:", id="expires-too-long"),
    ],
)
def test_issue_reports_bad_input(data_dir, capsys, args, message):
    assert main(["token", "issue", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(message)


def test_a_third_live_token_is_refused_with_the_way_out(data_dir, capsys):
    issue(capsys, "web")
    issue(capsys, "web")
    assert main(["token", "issue", "web"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "web already has two live tokens; revoke one first" in err
    assert "(facade token revoke NAME --key KEY_ID)" in err


def test_an_unknown_scope_is_a_usage_error(data_dir, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["token", "issue", "web", "--scope", "root"])
    assert caught.value.code == 2
    assert capsys.readouterr().out == ""


# --- list ---------------------------------------------------------------------------------------


def _populate(data_dir: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """alice: one live, one revoked; bob: one expired; carol: a write token."""
    alice_old = issue(capsys, "alice")
    alice_new = issue(capsys, "alice", "--expires", "7")
    carol = issue(capsys, "carol", "--scope", "write", "--account", "default")
    with TokenStore.in_dir(data_dir) as store:
        old_key = store.verify(alice_old).key_id
        assert old_key is not None
        store.revoke("alice", key_id=old_key)
    past = time.time() - 3 * 86400
    with TokenStore.in_dir(data_dir, clock=lambda: past) as store:
        bob = store.issue("bob", scopes=[Scope.ADMIN], account="default", expires_days=1).token
    return [alice_old, alice_new, carol, bob]


def test_list_prints_a_table_without_token_material(data_dir, capsys):
    tokens = _populate(data_dir, capsys)
    assert main(["token", "list"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "KEY", "SCOPES", "ACCOUNT", "CREATED", "EXPIRES", "STATUS"]
    row = rf"(\S+) +k_[0-9a-f]{{12}} +(\S+) +default +{DATE_TIME} +(never|{DATE_TIME}) +(\w+)"
    rows = [re.fullmatch(row, line) for line in lines[1:]]
    assert [m.groups() if m else line for m, line in zip(rows, lines[1:], strict=True)] == [
        ("alice", "read", "never", "revoked"),
        ("alice", "read", mock.ANY, "live"),
        ("bob", "read,write,admin", mock.ANY, "expired"),
        ("carol", "read,write", "never", "live"),
    ]
    assert all(re.fullmatch(DATE_TIME, m.group(3)) for m in rows[1:3] if m)
    for token in tokens:
        assert token not in out
        assert token.removeprefix(TOKEN_PREFIX)[:12] not in out


def test_list_json_prints_an_array_of_objects(data_dir, capsys):
    tokens = _populate(data_dir, capsys)
    assert main(["token", "list", "--json"]) == 0
    out, _ = capsys.readouterr()
    listed = json.loads(out)
    assert [(t["name"], t["status"], t["scopes"]) for t in listed] == [
        ("alice", "revoked", ["read"]),
        ("alice", "live", ["read"]),
        ("bob", "expired", ["read", "write", "admin"]),
        ("carol", "live", ["read", "write"]),
    ]
    assert set(listed[0]) == {
        "name",
        "keyId",
        "scopes",
        "account",
        "createdAt",
        "expiresAt",
        "revokedAt",
        "status",
    }
    revoked, live = listed[0], listed[1]
    assert revoked["expiresAt"] is None
    assert datetime.datetime.fromisoformat(revoked["revokedAt"]).utcoffset() == datetime.timedelta(
        0
    )
    assert live["revokedAt"] is None
    created = datetime.datetime.fromisoformat(live["createdAt"])
    expires = datetime.datetime.fromisoformat(live["expiresAt"])
    assert (expires - created).days == 7
    for token in tokens:
        assert token not in out
        assert token.removeprefix(TOKEN_PREFIX)[:12] not in out


def test_list_of_an_empty_store(data_dir, capsys):
    assert main(["token", "list"]) == 0
    out, err = capsys.readouterr()
    assert out.split() == ["NAME", "KEY", "SCOPES", "ACCOUNT", "CREATED", "EXPIRES", "STATUS"]
    assert "no client tokens yet" in err
    assert main(["token", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


# --- revoke -------------------------------------------------------------------------------------


def test_revoke_revokes_every_live_token_of_the_name(data_dir, capsys):
    first, second = issue(capsys, "web"), issue(capsys, "web")
    other = issue(capsys, "api")
    with TokenStore.in_dir(data_dir) as store:
        keys = {store.verify(first).key_id, store.verify(second).key_id}
        assert main(["token", "revoke", "web"]) == 0
        out, err = capsys.readouterr()
        assert out == ""
        assert {line.split()[3] for line in err.splitlines()} == keys
        assert all(line.endswith(" of web") for line in err.splitlines())
        assert store.verify(other).name == "api"
        for token in (first, second):
            with pytest.raises(AuthError, match="unknown, revoked or expired"):
                store.verify(token)


def test_revoke_one_key_for_rotation(data_dir, capsys):
    old, new = issue(capsys, "web"), issue(capsys, "web")
    with TokenStore.in_dir(data_dir) as store:
        old_key = store.verify(old).key_id
        assert old_key is not None
        assert main(["token", "revoke", "web", "--key", old_key]) == 0
        assert capsys.readouterr().err == f"facade: revoked key {old_key} of web\n"
        assert store.verify(new).name == "web"
        with pytest.raises(AuthError, match="unknown, revoked or expired"):
            store.verify(old)
    issue(capsys, "web")


def test_revoke_with_nothing_live_exits_1(data_dir, capsys):
    issue(capsys, "web")
    assert main(["token", "revoke", "api"]) == 1
    assert capsys.readouterr().err == "facade: api has no live token; nothing was revoked\n"
    assert main(["token", "revoke", "web", "--key", "k_000000000000"]) == 1
    assert capsys.readouterr().err == (
        "facade: key k_000000000000 of web has no live token; nothing was revoked\n"
    )
    assert main(["token", "revoke", "web"]) == 0
    capsys.readouterr()
    assert main(["token", "revoke", "web"]) == 1


def test_revoke_reports_a_bad_name(data_dir, capsys):
    assert main(["token", "revoke", "bad/name"]) == 2
    assert capsys.readouterr().err.startswith("facade: name: ")


def test_token_needs_an_action(data_dir):
    with pytest.raises(SystemExit) as caught:
        main(["token"])
    assert caught.value.code == 2
