"""`sys/templates.php`: add, chg, del, get (reference/smsc-templates.txt; docs/smsc-wire.md).

Creation answers `ID - <id>` / `<template>`; changes answer `{"result": "OK"}` in fmt 3, as the
templates page says (unlike phones.php's bare `OK`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import MAX_FLAG_BIT, PARAMETERS_ERROR, RECORD_NOT_FOUND
from facade.emulator.command import CommandError, Context, Handler, Reply
from facade.emulator.records import Template, template_record
from facade.emulator.render import render_created, render_list, render_ok

if TYPE_CHECKING:
    from collections.abc import Mapping

# docs/smsc-wire.md, "templates.php get=1": the fixed set of message formats.
FORMATS: Final = ("", "sms", "flash", "bin", "push", "mms", "call", "mail", "viber")
_FLAG: Final = re.compile(r"fl\[(\d{1,2})\]", re.ASCII)
FIRST_ID: Final = 1001


def apply_flags(flag: int, params: Mapping[str, str]) -> int:
    """`fl[N]=1` sets bit value `2**(N-1)`, `fl[N]=0` clears it (docs/smsc-wire.md [A])."""
    for name, value in params.items():
        match = _FLAG.fullmatch(name)
        if not match:
            continue
        bit = int(match[1])
        if not 1 <= bit <= MAX_FLAG_BIT or value not in ("0", "1"):
            raise CommandError(PARAMETERS_ERROR)
        mask = 1 << (bit - 1)
        flag = flag | mask if value == "1" else flag & ~mask
    return flag


def _find(ctx: Context) -> Template:
    template = ctx.data.templates.get(ctx.number("id"))
    if template is None:
        raise CommandError(RECORD_NOT_FOUND)
    return template


def add(ctx: Context) -> Reply:
    template = Template(
        id=0,
        name=ctx.required("name"),
        message=ctx.required("msg"),
        format=ctx.choice("format", FORMATS, ""),
        sender=ctx.text("sender"),
        flag=apply_flags(0, ctx.params),
    )
    template.id = ctx.data.next_id("template", start=FIRST_ID)
    ctx.data.templates[template.id] = template
    return Reply(render_created(ctx.fmt, template.id, label="ID - ", xml_root="template"))


def change(ctx: Context) -> Reply:
    template = _find(ctx)
    name = ctx.params.get("name")
    message = ctx.params.get("msg")
    if name == "" or message == "":
        raise CommandError(PARAMETERS_ERROR)
    format_ = ctx.params.get("format", template.format)
    if format_ not in FORMATS:
        raise CommandError(PARAMETERS_ERROR)
    flag = apply_flags(template.flag, ctx.params)
    template.name = name or template.name
    template.message = message or template.message
    template.format = format_
    template.sender = ctx.params.get("sender", template.sender)
    template.flag = flag
    return Reply(render_ok(ctx.fmt, json_result=True))


def delete(ctx: Context) -> Reply:
    del ctx.data.templates[_find(ctx).id]
    return Reply(render_ok(ctx.fmt, json_result=True))


def get(ctx: Context) -> Reply:
    records = [template_record(t) for _, t in sorted(ctx.data.templates.items())]
    return Reply(render_list(ctx.fmt, records, tag="template"))


COMMANDS: Final[dict[str, Handler]] = {"add": add, "chg": change, "del": delete, "get": get}
