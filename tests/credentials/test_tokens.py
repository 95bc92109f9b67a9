import base64
import concurrent.futures
import dataclasses
import hashlib
import math
import os
import pathlib
import re
import sqlite3
import stat
from typing import Any

import pytest

from facade.credentials.scopes import Scope
from facade.credentials.token_format import TOKEN_LENGTH, TOKEN_PATTERN, TOKEN_PREFIX
from facade.credentials.tokens import (
    AUTH_FAILED,
    SCHEMA_VERSION,
    IssuedToken,
    TokenRecord,
    TokenStore,
)
from facade.errors import AuthError, ConfigError, InputError

DAY = 86400.0
START = 1_800_000_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def data_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir, clock):
    with TokenStore.in_dir(data_dir, clock=clock) as store:
        yield store


def issue(store: TokenStore, name: str = "web", **kwargs: Any) -> IssuedToken:
    kwargs.setdefault("scopes", [Scope.READ])
    kwargs.setdefault("account", "default")
    return store.issue(name, **kwargs)


def rejected(store: TokenStore, token: str) -> str:
    with pytest.raises(AuthError) as caught:
        store.verify(token)
    return caught.value.message


# --- format -------------------------------------------------------------------------------------


def test_token_has_the_prefix_and_43_characters_of_base64url_over_32_random_bytes(store):
    token = issue(store).token
    assert token.startswith(TOKEN_PREFIX)
    assert len(token) == TOKEN_LENGTH == len(TOKEN_PREFIX) + 43
    assert TOKEN_PATTERN.fullmatch(token)
    assert "=" not in token
    assert len(base64.urlsafe_b64decode(token.removeprefix(TOKEN_PREFIX) + "=")) == 32


def test_tokens_and_key_ids_are_unique(store):
    issued = [issue(store, f"client-{n}") for n in range(40)]
    assert len({i.token for i in issued}) == 40
    assert len({i.record.key_id for i in issued}) == 40


def test_key_id_is_random_and_unrelated_to_the_token(store):
    issued = issue(store)
    assert re.fullmatch(r"k_[0-9a-f]{12}", issued.record.key_id)
    secret = issued.token.removeprefix(TOKEN_PREFIX)
    raw = base64.urlsafe_b64decode(secret + "=")
    for derived in (secret, raw.hex(), hashlib.sha256(issued.token.encode()).hexdigest()):
        assert issued.record.key_id.removeprefix("k_") not in derived


def test_a_record_has_no_field_for_the_token(store):
    issued = issue(store)
    assert {field.name for field in dataclasses.fields(TokenRecord)} == {
        "key_id",
        "name",
        "scopes",
        "account",
        "created_at",
        "expires_at",
        "revoked_at",
    }
    assert issued.token not in repr(issued.record)


# --- verify -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("granted", "effective"),
    [
        pytest.param([Scope.READ], {Scope.READ}, id="read"),
        pytest.param([Scope.WRITE], {Scope.READ, Scope.WRITE}, id="write-brings-read"),
        pytest.param([Scope.ADMIN], set(Scope), id="admin-brings-all"),
        pytest.param([Scope.READ, Scope.ADMIN], set(Scope), id="several"),
    ],
)
def test_verify_returns_the_principal_with_effective_scopes(store, granted, effective):
    issued = issue(store, "billing", scopes=granted, account="eu")
    principal = store.verify(issued.token)
    assert principal.name == "billing"
    assert principal.account == "eu"
    assert principal.scopes == effective
    assert principal.key_id == issued.record.key_id
    assert issued.record.scopes == effective


def test_an_unknown_well_formed_token_is_rejected(store):
    token = issue(store).token
    unknown = TOKEN_PREFIX + ("A" if token[-1] != "A" else "B") * 43
    assert TOKEN_PATTERN.fullmatch(unknown)
    assert rejected(store, unknown) == AUTH_FAILED


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: t[:-1], id="one-short"),
        pytest.param(lambda t: t + "A", id="one-long"),
        pytest.param(lambda t: f"Bearer {t}", id="with-scheme"),
        pytest.param(lambda t: f" {t}", id="leading-space"),
        pytest.param(lambda t: t[:-1] + "=", id="padding"),
        pytest.param(lambda t: t[:-1] + "+", id="not-urlsafe"),
        pytest.param(lambda t: "ghp_" + t.removeprefix(TOKEN_PREFIX), id="other-prefix"),
        pytest.param(lambda t: t.upper(), id="uppercased-prefix"),
        pytest.param(lambda t: t[:-1] + "\u00e9", id="non-ascii"),
    ],
)
def test_malformed_tokens_are_rejected_with_the_one_message(store, mangle):
    token = issue(store).token
    malformed = mangle(token)
    message = rejected(store, malformed)
    assert message == AUTH_FAILED
    assert token not in message


def test_malformed_tokens_are_rejected_without_touching_the_database(data_dir, clock):
    store = TokenStore.in_dir(data_dir, clock=clock)
    token = issue(store).token
    store.close()
    # A closed connection raises on any use, so a rejection here proves no database access.
    for malformed in (token[:-1], token + "A", f"Bearer {token}", f"{token}\n", ""):
        assert rejected(store, malformed) == AUTH_FAILED
    with pytest.raises(sqlite3.ProgrammingError):
        store.verify(token)


def test_verify_answers_from_memory_until_another_connection_writes(store, data_dir):
    token = issue(store).token
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    for _ in range(5):
        store.verify(token)
    assert statements == ["PRAGMA data_version"] * 5
    with TokenStore.in_dir(data_dir) as other:
        issue(other, "other")
    statements.clear()
    store.verify(token)
    assert any("FROM tokens" in statement for statement in statements)


def test_revoked_tokens_are_rejected_with_the_one_message(store):
    issued = issue(store)
    store.revoke("web")
    assert rejected(store, issued.token) == AUTH_FAILED


def test_expired_tokens_are_rejected_with_the_one_message(store, clock):
    issued = issue(store, expires_days=1)
    clock.now = START + DAY - 1
    assert store.verify(issued.token).key_id == issued.record.key_id
    clock.now = START + DAY
    assert rejected(store, issued.token) == AUTH_FAILED
    assert issued.record.expires_at == START + DAY


def test_verify_works_from_other_threads(store):
    tokens = [issue(store, f"client-{n}").token for n in range(8)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        names = list(pool.map(lambda t: store.verify(t).name, tokens * 5))
    assert names == [f"client-{n}" for n in range(8)] * 5


# --- several instances on one file (the CLI and the server) -------------------------------------


def test_a_token_issued_elsewhere_is_accepted_at_once(data_dir):
    with TokenStore.in_dir(data_dir) as server, TokenStore.in_dir(data_dir) as cli:
        assert server.records() == []
        issued = issue(cli)
        assert server.verify(issued.token).key_id == issued.record.key_id


def test_a_revocation_elsewhere_takes_effect_at_once(data_dir):
    with TokenStore.in_dir(data_dir) as server, TokenStore.in_dir(data_dir) as cli:
        issued = issue(cli)
        assert server.verify(issued.token).name == "web"
        assert [r.key_id for r in cli.revoke("web")] == [issued.record.key_id]
        assert rejected(server, issued.token) == AUTH_FAILED


def test_a_reopened_store_still_knows_its_tokens(data_dir):
    with TokenStore.in_dir(data_dir) as first:
        issued = issue(first, scopes=[Scope.WRITE], account="eu", expires_days=2)
    with TokenStore.in_dir(data_dir) as second:
        assert second.records() == [issued.record]
        assert second.verify(issued.token).scopes == {Scope.READ, Scope.WRITE}


# --- the two-live-tokens rule and rotation ------------------------------------------------------


def test_a_third_live_token_for_a_name_is_refused(store):
    issue(store)
    issue(store)
    with pytest.raises(InputError) as caught:
        issue(store)
    assert caught.value.field == "name"
    assert "already has two live tokens" in caught.value.message
    assert "facade token revoke NAME --key KEY_ID" in caught.value.message
    assert len(store.records()) == 2
    issue(store, "another-client")


def test_rotation_revokes_the_old_key_only(store):
    old = issue(store)
    new = issue(store)
    revoked = store.revoke("web", key_id=old.record.key_id)
    assert [r.key_id for r in revoked] == [old.record.key_id]
    assert rejected(store, old.token) == AUTH_FAILED
    assert store.verify(new.token).key_id == new.record.key_id
    newest = issue(store)
    assert store.verify(newest.token).key_id == newest.record.key_id


def test_expired_tokens_do_not_count_against_the_limit(store, clock):
    issue(store, expires_days=1)
    issue(store, expires_days=1)
    clock.now += 2 * DAY
    assert store.verify(issue(store).token).name == "web"


# --- revoke -------------------------------------------------------------------------------------


def test_revoke_without_a_key_revokes_every_live_token_of_the_name(store, clock):
    first, second = issue(store), issue(store)
    other = issue(store, "other")
    clock.now += 10
    revoked = store.revoke("web")
    assert {r.key_id for r in revoked} == {first.record.key_id, second.record.key_id}
    assert {r.revoked_at for r in revoked} == {START + 10}
    assert store.verify(other.token).name == "other"


def test_revoke_returns_nothing_when_nothing_was_live(store, clock):
    issued = issue(store, expires_days=1)
    other = issue(store, "other")
    assert store.revoke("unknown") == []
    assert store.revoke("web", key_id=other.record.key_id) == []
    assert store.revoke("web", key_id="k_000000000000") == []
    clock.now += 2 * DAY
    assert store.revoke("web") == []
    assert [r.status(clock.now) for r in store.records()] == ["live", "expired"]
    assert store.records()[1].key_id == issued.record.key_id


def test_revoking_twice_revokes_once(store, clock):
    issue(store)
    first = store.revoke("web")
    clock.now += 5
    assert store.revoke("web") == []
    assert store.records()[0].revoked_at == first[0].revoked_at == START


# --- records and status -------------------------------------------------------------------------


def test_records_are_ordered_by_name_then_creation(store, clock):
    for name in ("zeta", "alpha", "zeta", "mid"):
        issue(store, name)
        clock.now += 1
    assert [(r.name, r.created_at) for r in store.records()] == [
        ("alpha", START + 1),
        ("mid", START + 3),
        ("zeta", START),
        ("zeta", START + 2),
    ]


def test_records_show_each_status(store, clock):
    issue(store, "live-one")
    issue(store, "expiring", expires_days=0.5)
    issue(store, "revoked-one", expires_days=0.5)
    store.revoke("revoked-one")
    clock.now += DAY
    statuses = {r.name: r.status(clock.now) for r in store.records()}
    assert statuses == {"expiring": "expired", "live-one": "live", "revoked-one": "revoked"}


@pytest.mark.parametrize(
    ("expires_at", "revoked_at", "status"),
    [
        pytest.param(None, None, "live", id="never-expires"),
        pytest.param(START + 1, None, "live", id="before-expiry"),
        pytest.param(START, None, "expired", id="at-expiry"),
        pytest.param(None, START - 1, "revoked", id="revoked"),
        pytest.param(START - 5, START - 1, "revoked", id="revoked-beats-expired"),
    ],
)
def test_status(expires_at, revoked_at, status):
    record = TokenRecord(
        key_id="k_0123456789ab",
        name="web",
        scopes=frozenset({Scope.READ}),
        account="default",
        created_at=START - 10,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )
    assert record.status(START) == status


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("-web", id="leading-dash"),
        pytest.param(".web", id="leading-dot"),
        pytest.param("my web", id="space"),
        pytest.param("a/b", id="slash"),
        pytest.param("caf\u00e9", id="non-ascii"),
        pytest.param("x" * 65, id="65-chars"),
        pytest.param("web\n", id="trailing-newline"),
    ],
)
def test_bad_names_are_refused(store, name):
    with pytest.raises(InputError) as caught:
        issue(store, name)
    assert caught.value.field == "name"
    with pytest.raises(InputError):
        store.revoke(name)
    assert store.records() == []


@pytest.mark.parametrize("name", ["w", "Web.App_2-prod", "9", "x" * 64])
def test_good_names_are_accepted(store, name):
    assert store.verify(issue(store, name).token).name == name


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"scopes": []}, "scopes", id="no-scopes"),
        pytest.param({"scopes": ["root"]}, "scopes", id="unknown-scope"),
        pytest.param({"account": ""}, "account", id="empty-account"),
        pytest.param({"expires_days": 0}, "expires", id="expires-zero"),
        pytest.param({"expires_days": -1}, "expires", id="expires-negative"),
        pytest.param({"expires_days": 3650.01}, "expires", id="expires-over-ten-years"),
        pytest.param({"expires_days": math.nan}, "expires", id="expires-nan"),
        pytest.param({"expires_days": math.inf}, "expires", id="expires-inf"),
    ],
)
def test_bad_issue_arguments_are_refused(store, kwargs, field):
    with pytest.raises(InputError) as caught:
        issue(store, **kwargs)
    assert caught.value.field == field
    assert store.records() == []


def test_the_longest_expiry_is_accepted(store):
    assert issue(store, expires_days=3650).record.expires_at == START + 3650 * DAY


# --- the file -----------------------------------------------------------------------------------


def test_directory_is_0700_and_files_0600_whatever_the_umask(tmp_path, clock):
    data_dir = tmp_path / "nested" / "data"
    old = os.umask(0)
    try:
        with TokenStore.in_dir(data_dir, clock=clock) as store:
            issue(store)
            files = sorted(data_dir.iterdir())
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
    finally:
        os.umask(old)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    # WAL mode: the write-ahead log and its index exist while the store is open.
    assert modes == {
        "tokens.sqlite3": 0o600,
        "tokens.sqlite3-wal": 0o600,
        "tokens.sqlite3-shm": 0o600,
    }


def test_the_store_holds_no_token_material(data_dir, clock):
    store = TokenStore.in_dir(data_dir, clock=clock)
    issued = [issue(store, "web"), issue(store, "web"), issue(store, "api"), issue(store, "ops")]
    store.revoke("web", key_id=issued[0].record.key_id)
    open_files = _read_all(data_dir)
    store.close()
    for files in (open_files, _read_all(data_dir)):
        everything = b"".join(files.values())
        # The files were read: every digest is there (in the database or its write-ahead log).
        for token in issued:
            assert hashlib.sha256(token.token.encode()).digest() in everything
        for token in issued:
            for needle in _material(token.token):
                assert needle not in everything


def _read_all(directory: pathlib.Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


def _material(token: str) -> list[bytes]:
    """Every form the token, or its secret part, could take in a file."""
    secret = token.removeprefix(TOKEN_PREFIX)
    raw = base64.urlsafe_b64decode(secret + "=")
    return [
        token.encode(),
        secret.encode(),
        secret[:16].encode(),
        raw,
        raw[:16],
        raw.hex().encode(),
        raw.hex().upper().encode(),
        base64.b64encode(raw),
    ]


def test_schema_version_is_recorded(store):
    (version,) = store._db.execute("PRAGMA user_version").fetchone()
    assert version == SCHEMA_VERSION == 1


def test_a_store_from_a_newer_facade_is_refused(data_dir):
    TokenStore.in_dir(data_dir).close()
    with sqlite3.connect(data_dir / TokenStore.FILE_NAME) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(ConfigError) as caught:
        TokenStore.in_dir(data_dir)
    assert "schema version 99" in caught.value.message


def test_a_file_that_is_not_a_database_is_a_config_error(data_dir):
    data_dir.mkdir()
    (data_dir / TokenStore.FILE_NAME).write_bytes(b"not a database, just some text " * 40)
    with pytest.raises(ConfigError) as caught:
        TokenStore.in_dir(data_dir)
    assert "cannot open the token store" in caught.value.message


def test_an_unwritable_place_is_a_config_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError) as caught:
        TokenStore.in_dir(blocker / "data")
    assert "cannot create the token store" in caught.value.message
