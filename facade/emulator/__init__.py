"""An independent, stateful fake of SMSC's HTTP API (docs/smsc-wire.md), for tests and sandbox mode.

`create_emulator()` in `facade.emulator.app` builds the Starlette app; every assumption the
emulator makes beyond SMSC's pages is listed once, in `facade.emulator.assumptions`.
"""
