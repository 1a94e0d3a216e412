"""Files answered as attachments that must be complete before they are sent (an audit bundle, an XLSX report):
each is written for its one answer into a temporary folder of its own, which goes once the file is sent."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from litestar.background_tasks import BackgroundTask
from litestar.response import File


async def written_file(name: str, media_type: str, write: Callable[[Path], Awaitable[object]]) -> File:
    """``write`` makes the file at the path it is given; the answer sends it as the attachment ``name`` (a name
    of letters, digits, '.', '-' and '_', so that Content-Disposition carries it as it is) and removes the folder
    once sent, or at once if writing it fails."""
    folder = Path(tempfile.mkdtemp(prefix="credledger-download-"))
    try:
        await write(folder / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return File(
        folder / name,
        filename=name,
        media_type=media_type,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
