"""The `facade` command line: `serve`, `emulator`, `schema`, and `token issue|list|revoke`."""

import argparse
import datetime
import json
import os
import sys
from collections.abc import Sequence

import uvicorn

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenRecord, TokenStore
from facade.emulator.app import create_emulator
from facade.emulator.phonebook import MAX_CONTACTS
from facade.errors import ConfigError, InputError
from facade.graphql.schema import create_schema
from facade.observability import logs
from facade.settings import DEFAULT_ACCOUNT, SANDBOX_LOGIN, SANDBOX_PASSWORD, Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_EMULATOR_PORT = 8900
# Chosen by measurement, not by reputation (bench/README.md, "Event loop and HTTP parser"); the
# others stay selectable where they are installed.
LOOPS = ("asyncio", "uvloop")
HTTP_PARSERS = ("h11", "httptools")
DEFAULT_LOOP = "asyncio"
DEFAULT_HTTP = "httptools"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facade", description="A GraphQL + REST facade for SMSC.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service, configured from the environment")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--loop", choices=LOOPS, default=DEFAULT_LOOP, help="the event loop (bench/README.md)"
    )
    serve.add_argument(
        "--http", choices=HTTP_PARSERS, default=DEFAULT_HTTP, help="the HTTP/1.1 implementation"
    )

    emulator = commands.add_parser("emulator", help="run the SMSC emulator alone")
    emulator.add_argument("--host", default=DEFAULT_HOST)
    emulator.add_argument("--port", type=int, default=DEFAULT_EMULATOR_PORT)
    emulator.add_argument("--seed", choices=("demo", "empty"), default="demo")
    emulator.add_argument(
        "--contacts",
        type=_contact_count,
        default=0,
        metavar="N",
        help=f"add N generated contacts (and a few groups for them) to the seed's data, "
        f"0 to {MAX_CONTACTS}: a large account (default 0)",
    )
    emulator.add_argument(
        "--callback-url",
        metavar="URL",
        help="post message statuses and incoming messages here, as SMSC posts them to the "
        "handler set in its account (end it with ?charset=utf-8 for UTF-8 fields)",
    )
    emulator.add_argument(
        "--callback-secret",
        metavar="SECRET",
        help="sign callbacks with md5 over id:phone:status:SECRET (needs --callback-url)",
    )

    commands.add_parser("schema", help="print the GraphQL schema (SDL)")

    token = commands.add_parser("token", help="manage the client tokens (in FACADE_DATA_DIR)")
    actions = token.add_subparsers(dest="action", required=True)
    issue = actions.add_parser("issue", help="issue a token and print it, once, on stdout")
    issue.add_argument("name", help="the client's name")
    issue.add_argument(
        "--scope",
        action="append",
        choices=[scope.value for scope in Scope],
        help="read (default), write or admin; repeatable; each includes the ones before it",
    )
    issue.add_argument("--account", default=DEFAULT_ACCOUNT, help="the SMSC account to act on")
    issue.add_argument("--expires", type=float, metavar="DAYS", help="default: never")
    listing = actions.add_parser("list", help="list the tokens (never the tokens themselves)")
    listing.add_argument("--json", action="store_true", help="a JSON array instead of a table")
    revoke = actions.add_parser("revoke", help="revoke a client's live tokens")
    revoke.add_argument("name")
    revoke.add_argument("--key", metavar="KEY_ID", help="only this key (as `token list` shows)")
    return parser


def _contact_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if not 0 <= count <= MAX_CONTACTS:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_CONTACTS}")
    return count


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(f"facade: {exc}", file=sys.stderr)
        return 2
    if settings.sandbox:
        print(
            "facade: SANDBOX MODE: no SMSC credentials are configured, so the embedded SMSC "
            f"emulator with demo data serves as SMSC (login {SANDBOX_LOGIN!r}, password "
            f"{SANDBOX_PASSWORD!r}). Set SMSC_LOGIN and SMSC_PASSWORD, or SMSC_APIKEY, to use SMSC.",
            file=sys.stderr,
        )
    else:
        names = ", ".join(settings.account_names)
        print(
            f"facade: serving SMSC accounts {names}; every request needs a client token "
            "(facade token issue NAME)",
            file=sys.stderr,
        )
    print(f"facade: listening on http://{args.host}:{args.port}", file=sys.stderr)
    # Every logger (ours, httpx, uvicorn, strawberry) through one handler, text or JSON, with
    # request ids; the app writes the access log itself, one line a request. The app installs the
    # redaction of secrets into every log record when it is created.
    logs.configure(settings.log_level, settings.log_format.value)
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        server_header=False,
        loop=args.loop,
        http=args.http,
        # SIGTERM: stop accepting, let requests in flight finish within this, then stop.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout)),
    )
    return 0


def _emulator(args: argparse.Namespace) -> int:
    if args.callback_secret is not None and args.callback_url is None:
        print("facade: --callback-secret needs --callback-url", file=sys.stderr)
        return 2
    data = f"{args.seed} data" + (f" + {args.contacts} contacts" if args.contacts else "")
    callbacks = "" if args.callback_url is None else f"; callbacks to {args.callback_url}"
    print(
        f"facade: SMSC emulator ({data}) on http://{args.host}:{args.port}/sys/ "
        f"(login {SANDBOX_LOGIN!r}, password {SANDBOX_PASSWORD!r}){callbacks}",
        file=sys.stderr,
    )
    app = create_emulator(
        seed=args.seed,
        contacts=args.contacts,
        callback_url=args.callback_url,
        callback_secret=args.callback_secret,
    )
    uvicorn.run(app, host=args.host, port=args.port, server_header=False)
    return 0


def _schema(_: argparse.Namespace) -> int:
    print(create_schema().as_str())
    return 0


def _token(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env(os.environ)
        if args.action == "issue" and args.account not in settings.account_names:
            print(
                f"facade: unknown account {args.account!r}; the configured accounts are: "
                + ", ".join(settings.account_names),
                file=sys.stderr,
            )
            return 2
        with TokenStore.in_dir(settings.data_dir) as store:
            run = {"issue": _token_issue, "list": _token_list, "revoke": _token_revoke}
            return run[args.action](store, args)
    except (ConfigError, InputError) as exc:
        print(f"facade: {exc}", file=sys.stderr)
        return 2


def _token_issue(store: TokenStore, args: argparse.Namespace) -> int:
    issued = store.issue(
        args.name,
        scopes=[Scope(scope) for scope in args.scope or [Scope.READ]],
        account=args.account,
        expires_days=args.expires,
    )
    record = issued.record
    expires = "never" if record.expires_at is None else _utc(record.expires_at, "%Y-%m-%d")
    print(issued.token)
    print(
        f"facade: issued key {record.key_id} for {record.name} (scopes "
        f"{', '.join(record.scope_names)}; account {record.account}; expires {expires}). "
        "It is shown once: store it now.",
        file=sys.stderr,
    )
    return 0


def _token_list(store: TokenStore, args: argparse.Namespace) -> int:
    records = store.records()
    now = datetime.datetime.now(datetime.UTC).timestamp()
    if args.json:
        print(json.dumps([_token_json(record, now) for record in records], indent=2))
        return 0
    rows = [("NAME", "KEY", "SCOPES", "ACCOUNT", "CREATED", "EXPIRES", "STATUS")]
    rows += [
        (
            record.name,
            record.key_id,
            ",".join(record.scope_names),
            record.account,
            _utc(record.created_at),
            "never" if record.expires_at is None else _utc(record.expires_at),
            record.status(now),
        )
        for record in records
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    if not records:
        print("facade: no client tokens yet (facade token issue NAME)", file=sys.stderr)
    return 0


def _token_revoke(store: TokenStore, args: argparse.Namespace) -> int:
    revoked = store.revoke(args.name, key_id=args.key)
    if not revoked:
        which = f"key {args.key} of {args.name}" if args.key else args.name
        print(f"facade: {which} has no live token; nothing was revoked", file=sys.stderr)
        return 1
    for record in revoked:
        print(f"facade: revoked key {record.key_id} of {record.name}", file=sys.stderr)
    return 0


def _token_json(record: TokenRecord, now: float) -> dict[str, object]:
    """One token for `token list --json`, in the API's camelCase vocabulary."""
    return {
        "name": record.name,
        "keyId": record.key_id,
        "scopes": record.scope_names,
        "account": record.account,
        "createdAt": _iso(record.created_at),
        "expiresAt": None if record.expires_at is None else _iso(record.expires_at),
        "revokedAt": None if record.revoked_at is None else _iso(record.revoked_at),
        "status": record.status(now),
    }


def _utc(timestamp: float, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime(pattern)


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(timespec="seconds")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run = {"serve": _serve, "emulator": _emulator, "schema": _schema, "token": _token}
    return run[args.command](args)
