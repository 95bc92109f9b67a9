"""downloads.php: deferred download tasks (`get_list`) and a completed task's file (`get_file`).

Task records are an assumption the emulator shares (docs/smsc-wire.md; smsc-downloads.txt names
the fields): `id, name, status, created, time, file`, status 0 pending, 1 in progress,
2 completed, 3 cancelled, 4 failed, any other kept as `DownloadTaskStatus.UNKNOWN`; `time` and
`file` are empty until known. `get_file` answers the file itself (CSV), not an envelope.
"""

import codecs
import re
import urllib.parse
from typing import TYPE_CHECKING

from facade.domain.downloads import DownloadFile, DownloadTask
from facade.smsc.enums import DOWNLOAD_TASK_STATUSES
from facade.smsc.envelope import file_envelope_error
from facade.smsc.parse.fields import CODE, ID, MOMENT, TEXT, Field, Record
from facade.smsc.parse.records import RecordSpec, read_list

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["DEFAULT_FILE_MEDIA_TYPE", "parse_download_file", "parse_download_tasks"]

# smsc-downloads.txt: "you will be able to download a file ... in csv format".
DEFAULT_FILE_MEDIA_TYPE = "text/csv"

_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(rf"\s*(?P<type>{_TCHARS}/{_TCHARS})\s*(?:;.*)?", re.DOTALL)
_PARAMETER = re.compile(
    rf';\s*(?P<key>{_TCHARS})\s*=\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<token>[^;\s]*))'
)
_EXTENDED = re.compile(r"(?P<charset>[!#$%&+^_`{}~0-9A-Za-z-]+)'[^']*'(?P<value>.*)", re.DOTALL)

SPEC = RecordSpec(
    fields=(
        Field("id", ID),
        Field("name", TEXT, optional=True),
        Field("status", CODE),
        Field("created", MOMENT, optional=True, omissible=True),
        Field("time", MOMENT, optional=True, omissible=True),
        Field("file", TEXT, optional=True, omissible=True),
    ),
    xml_item="task",
)


def parse_download_tasks(reply: "Reply") -> list[DownloadTask]:
    """The tasks of a `get_list` reply; error 3 or an empty list read as `[]`."""
    return read_list(reply, SPEC, _task)


def parse_download_file(reply: "Reply") -> DownloadFile:
    """A completed task's file: the body as it came, unless the whole body is an error envelope.

    The file name comes from `Content-Disposition` (`filename*=` of RFC 6266/5987 preferred over
    `filename=`), the media type from `Content-Type` without its parameters (its charset is
    unreliable, docs/smsc-wire.md: the content is in the charset that was requested).
    """
    error = file_envelope_error(reply)
    if error is not None:
        raise error
    return DownloadFile(
        content=reply.body,
        file_name=_file_name(reply),
        media_type=_media_type(reply),
    )


def _task(record: Record) -> DownloadTask:
    status_raw = record.integer("status")
    return DownloadTask(
        id=record.text("id"),
        name=record.text("name"),
        status=DOWNLOAD_TASK_STATUSES.decode(status_raw),
        status_raw=status_raw,
        created_at=record.moment("created"),
        start_at=record.moment("time"),
        file_name=record.optional_text("file"),
    )


def _media_type(reply: "Reply") -> str:
    header = reply.content_type
    if header is None or not header.strip():
        return DEFAULT_FILE_MEDIA_TYPE
    match = _MEDIA_TYPE.fullmatch(header)
    if match is None:
        raise reply.protocol_error("unreadable Content-Type of the file")
    return match["type"].lower()


def _file_name(reply: "Reply") -> str | None:
    header = reply.content_disposition
    if header is None:
        return None
    parameters: dict[str, str] = {}
    for match in _PARAMETER.finditer(header):
        quoted = match["quoted"]
        value = match["token"] if quoted is None else re.sub(r"\\(.)", r"\1", quoted)
        parameters.setdefault(match["key"].lower(), value)
    extended = parameters.get("filename*")
    if extended is not None:
        name = _extended_value(extended)
        if name is not None:
            return name
    plain = parameters.get("filename")
    if plain:
        return plain
    if extended is not None:
        raise reply.protocol_error("unreadable filename* in Content-Disposition")
    return None


def _extended_value(value: str) -> str | None:
    """RFC 5987 `charset'language'percent-encoded`, or None when it does not decode."""
    match = _EXTENDED.fullmatch(value)
    if match is None:
        return None
    try:
        codecs.lookup(match["charset"])
        name = urllib.parse.unquote(match["value"], encoding=match["charset"], errors="strict")
    except (LookupError, UnicodeDecodeError):
        return None
    return name or None
