"""`/v1/download-tasks`: deferred download (export) tasks and their files (downloads.php).

The list and one task come from `get_list` (cached, as GraphQL's `downloadTasks`). A task's file
comes from `get_file`, never cached: it is sent in chunks with SMSC's media type (`text/csv`
unless SMSC names another) and `Content-Disposition: attachment` with its name (RFC 6266; a
non-ASCII name as `filename*`, RFC 8187, next to an ASCII `filename`). SMSC answers a task that
does not exist and one that is not completed alike (error 3), so both are 404 NOT_FOUND with
`upstreamCode` 3: the task's `status` in the list tells them apart.
"""

import re
import urllib.parse
from typing import Final

from facade.errors import ErrorCode, NotFoundError
from facade.rest.inputs import IdPath
from facade.rest.operations import Call, NoParams, Reply, Resource
from facade.upstream.exchange import Fetched, Freshness
from facade.vocabulary.downloads import DownloadTask

PREFIX: Final = "/v1/download-tasks"
LIST_TTL: Final = "downloads.get_list"
FILE_TTL: Final = "downloads.get_file"
CSV: Final = "text/csv"
FILE_TYPES: Final = (CSV, "*/*")

resource = Resource(
    PREFIX,
    tag="Download tasks",
    description="Deferred exports of the account and their files.",
    examples={"id": "71"},
)


@resource.get(
    "", "listDownloadTasks", "Every download task.", response=list[DownloadTask], cache=LIST_TTL
)
async def list_download_tasks(call: Call[NoParams, NoParams, None]) -> Reply:
    fetched = await call.smsc.download_tasks()
    return Reply.read([DownloadTask.from_domain(t) for t in fetched.value], fetched)


@resource.get(
    "/{id}",
    "getDownloadTask",
    "One download task.",
    response=DownloadTask,
    cache=LIST_TTL,
    errors=(ErrorCode.NOT_FOUND,),
)
async def get_download_task(call: Call[IdPath, NoParams, None]) -> Reply:
    fetched = await call.smsc.download_tasks()
    found = next((t for t in fetched.value if t.id == call.path.id), None)
    if found is None:
        raise NotFoundError(f"There is no download task {call.path.id}.")
    return Reply.read(DownloadTask.from_domain(found), fetched)


@resource.get(
    "/{id}/file",
    "getDownloadTaskFile",
    "A completed task's file.",
    files=FILE_TYPES,
    cache=FILE_TTL,
    errors=(ErrorCode.NOT_FOUND,),
    file_example="id;phone;message;sent;status\r\n"
    "1;79161234567;Hello, Ivan!;01.06.2025 10:00:00;delivered\r\n",
    description="The file as SMSC gives it (CSV), streamed, with `Content-Disposition: "
    "attachment`. The facade does not keep files: `Cache-Control: private, max-age=0`, and "
    "`If-None-Match` saves the transfer, not the call to SMSC. 404 NOT_FOUND (`upstreamCode` 3) "
    "for a task that does not exist or is not completed.",
)
async def get_download_task_file(call: Call[IdPath, NoParams, None]) -> Reply:
    file = await call.smsc.download_file(id=call.path.id)
    media_type = file.media_type
    if media_type.startswith("text/"):
        # SMSC's charset parameter is unreliable; the file is in the charset the client asked for.
        media_type += f"; charset={call.smsc.config.charset}"
    name = file.file_name or f"download-{call.path.id}.csv"
    return Reply.file(
        file.content,
        media_type,
        Fetched(file, Freshness.MISS),
        **{"Content-Disposition": content_disposition(name)},
    )


_UNSAFE: Final = re.compile(r'[\x00-\x1f\x7f"\\/]')


def content_disposition(name: str) -> str:
    """`attachment` with `name` (RFC 6266): as `filename` when it is plain ASCII, else an ASCII
    `filename` fallback and the exact name as `filename*` (UTF-8, RFC 8187)."""
    safe = _UNSAFE.sub("_", name)
    fallback = safe.encode("ascii", "replace").decode("ascii").replace("?", "_")
    if fallback == name:
        return f'attachment; filename="{name}"'
    encoded = urllib.parse.quote(safe, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
