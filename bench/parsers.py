"""Parser timings: hostile fmt 1 lines (cost must grow linearly with commas) and large lists.

Run: .venv/bin/python bench/parsers.py
"""

import contextlib
import time
from collections.abc import Callable
from typing import Any

from facade.errors import UpstreamProtocolError
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.parse.jobs import parse_jobs
from facade.smsc.parse.templates import parse_templates
from facade.smsc.wire import Endpoint, Fmt, Reply

Parser = Callable[[Reply], Any]


def timed(parser: Parser, endpoint: Endpoint, command: str, body: str, fmt: Fmt) -> float:
    reply = Reply(body=body.encode(), endpoint=endpoint, command=command, fmt=fmt)
    started = time.perf_counter()
    with contextlib.suppress(UpstreamProtocolError):
        parser(reply)
    return time.perf_counter() - started


def hostile() -> None:
    print("hostile fmt 1 lines: seconds by number of pieces (linear growth expected)")
    cases: list[tuple[str, Parser, Endpoint, str, Callable[[int], str]]] = [
        (
            "contacts-digits",
            parse_contacts,
            Endpoint.PHONES,
            "get",
            lambda n: "7999," + "1," * n + "x",
        ),
        ("contacts-phones", parse_contacts, Endpoint.PHONES, "get", lambda n: "7999," * n + "x"),
        (
            "templates",
            parse_templates,
            Endpoint.TEMPLATES,
            "get",
            lambda n: "1," + "sms,a,0," * (n // 4),
        ),
        ("jobs", parse_jobs, Endpoint.JOBS, "get_all", lambda n: "1,a," + "2,," * (n // 3)),
    ]
    for name, parser, endpoint, command, make in cases:
        row = [
            f"{timed(parser, endpoint, command, make(n), Fmt.CSV):7.3f}"
            for n in (10_000, 20_000, 40_000)
        ]
        print(f"  {name:16} 10k={row[0]} 20k={row[1]} 40k={row[2]}")


def large_lists(count: int = 10_000) -> None:
    print(f"{count} templates, seconds per fmt")
    json_body = (
        "["
        + ",\n".join(
            f'{{\n"id": {i},\n"name": "Шаблон {i}, \\"q\\"",\n"format": "sms",\n"sender": "SMSC",\n"flag": 0,\n"message": "Текст, {i}"\n}}'
            for i in range(count)
        )
        + "]"
    )
    csv_body = "\n".join(f'{i},Шаблон {i}, "q",sms,SMSC,0,Текст, {i}' for i in range(count))
    text_body = "\n".join(
        f'id = {i}, name = Шаблон {i}, "q", format = sms, sender = SMSC, flag = 0, message = Текст, {i}'
        for i in range(count)
    )
    xml_body = (
        "<list>\n"
        + "".join(
            f'<template>\n<id>{i}</id>\n<name>Шаблон {i}, "q"</name>\n<format>sms</format>\n<sender>SMSC</sender>\n<flag>0</flag>\n<message>Текст, {i}</message>\n</template>\n'
            for i in range(count)
        )
        + "</list>"
    )
    for fmt, body in (
        (Fmt.TEXT, text_body),
        (Fmt.CSV, csv_body),
        (Fmt.XML, xml_body),
        (Fmt.JSON, json_body),
    ):
        print(
            f"  fmt{int(fmt)} {timed(parse_templates, Endpoint.TEMPLATES, 'get', body, fmt):7.3f}"
        )


if __name__ == "__main__":
    hostile()
    large_lists()
