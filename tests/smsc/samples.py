"""Sample bodies (`tests/samples/<endpoint>/<case>.fmt<N>.txt`) as the `Reply` a command got.

The directory names the endpoint, the suffix the fmt that was asked; a name holding `cp1251` or
`koi8r` was asked in that charset (the file holds bytes in it), anything else in utf-8.
"""

import pathlib

from facade.smsc.wire import Endpoint, Fmt, Reply

SAMPLES = pathlib.Path(__file__).resolve().parent.parent / "samples"
_CHARSETS = {"cp1251": "windows-1251", "koi8r": "koi8-r"}


def sample_fmt(path: pathlib.Path) -> Fmt:
    return Fmt(int(path.name.rsplit(".fmt", 1)[1].split(".")[0]))


def reply(
    path: str,
    command: str,
    *,
    charset: str | None = None,
    content_type: str | None = None,
    content_disposition: str | None = None,
) -> Reply:
    file = SAMPLES / path
    if charset is None:
        charset = next((cs for key, cs in _CHARSETS.items() if key in file.name), "utf-8")
    return Reply(
        body=file.read_bytes(),
        endpoint=Endpoint(file.parent.name),
        command=command,
        fmt=sample_fmt(file),
        charset=charset,
        content_type=content_type,
        content_disposition=content_disposition,
    )


def all_samples() -> list[pathlib.Path]:
    return sorted(SAMPLES.glob("*/*.txt"))
