"""The `facade` command line: `serve` and `emulator`."""

import argparse
import os
import sys
from collections.abc import Sequence

import uvicorn

from facade.app import create_app
from facade.emulator.app import create_emulator
from facade.errors import ConfigError
from facade.graphql.schema import create_schema
from facade.settings import SANDBOX_LOGIN, SANDBOX_PASSWORD, Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_EMULATOR_PORT = 8900


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facade", description="A GraphQL + REST facade for SMSC.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service, configured from the environment")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)

    emulator = commands.add_parser("emulator", help="run the SMSC emulator alone")
    emulator.add_argument("--host", default=DEFAULT_HOST)
    emulator.add_argument("--port", type=int, default=DEFAULT_EMULATOR_PORT)
    emulator.add_argument("--seed", choices=("demo", "empty"), default="demo")

    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    return parser


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
        print("facade: serving SMSC through the configured account", file=sys.stderr)
    print(f"facade: listening on http://{args.host}:{args.port}", file=sys.stderr)
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=settings.log_level.lower(),
        server_header=False,
    )
    return 0


def _emulator(args: argparse.Namespace) -> int:
    print(
        f"facade: SMSC emulator ({args.seed} data) on http://{args.host}:{args.port}/sys/ "
        f"(login {SANDBOX_LOGIN!r}, password {SANDBOX_PASSWORD!r})",
        file=sys.stderr,
    )
    uvicorn.run(
        create_emulator(seed=args.seed), host=args.host, port=args.port, server_header=False
    )
    return 0


def _schema(_: argparse.Namespace) -> int:
    print(create_schema().as_str())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run = {"serve": _serve, "emulator": _emulator, "schema": _schema}[args.command]
    return run(args)
