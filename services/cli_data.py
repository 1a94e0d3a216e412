"""Which data folder a command uses, so that it signs and connects exactly as the running `credledger up` does.

The data folder holds the token secret and the PII master key (unless configured) and, while an embedded
`up` runs, where its servers listen (running.json). A command that talks to a running service or its data
takes the folder from, in order:

1. ``--data-dir``;
2. ``CREDLEDGER_DATA_DIR``;
3. the folder of the `credledger up` serving the API port this command would talk to (``CREDLEDGER_PORT``,
   8000 by default) on this machine, if one runs. Why: the README's walk-through says `credledger token`
   with no folder, then talks to localhost:8000; after `credledger up --data-dir D` that token must be
   signed with D's secret, or the API answers 401;
4. the platform's user data folder.

Step 3 reads a small note `up` keeps, while it serves, in the user's state folder (never a shared one such
as /tmp: a note planted by another user could point a command at another database): the folder's path,
the port and the process id, never a secret.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import platformdirs

from services.config import Settings, running_embedded

DATA_DIR_HELP = (
    "the data folder of the `credledger up` to use (default: $CREDLEDGER_DATA_DIR, else the folder of the "
    "`credledger up` serving $CREDLEDGER_PORT (8000) here, else the platform's user data folder)"
)


def add_data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP)


def _notes() -> Path:
    # XDG_STATE_HOME on Linux: per user, under the home folder.
    return platformdirs.user_state_path("credledger") / "serving"


def _note(port: int) -> Path:
    return _notes() / f"{port}.json"


def announce(settings: Settings) -> Path | None:
    """`up`, once its API listens: note which data folder serves this port. Returns the note's path (None
    if it could not be written: the commands then need --data-dir, nothing else changes)."""
    path = _note(settings.port)
    body = {"pid": os.getpid(), "port": settings.port, "host": settings.host, "data_dir": str(settings.data_dir)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(body))
        os.replace(partial, path)  # whole or not at all: a reader never sees half a note
    except OSError:
        return None
    return path


def withdraw(path: Path | None) -> None:
    """`up`, stopping: remove its note, unless another `up` has taken the port since and written its own."""
    note = _read(path) if path is not None else None
    if note is not None and note.get("pid") == os.getpid():
        path.unlink(missing_ok=True)  # type: ignore[union-attr]


def _read(path: Path) -> dict[str, object] | None:
    try:
        if path.stat().st_uid != os.getuid():  # only this user's own notes
            return None
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but not ours: not a note this user's `up` wrote
        return False
    return True


def serving(port: int) -> Path | None:
    """The data folder of the live `credledger up` serving ``port``, if any. A note left by a killed `up`
    (SIGKILL, out of memory) names a dead process and is ignored."""
    found = _read(_note(port))
    if found is None or not _alive(found.get("pid")) or not isinstance(found.get("data_dir"), str):
        return None
    return Path(found["data_dir"])  # type: ignore[arg-type]


def folders_served() -> set[Path]:
    """The data folders of every live `credledger up` of this user."""
    if not _notes().is_dir():
        return set()
    found = set()
    for path in _notes().glob("*.json"):
        note = _read(path)
        if note and _alive(note.get("pid")) and isinstance(note.get("data_dir"), str):
            found.add(Path(note["data_dir"]).resolve())  # type: ignore[arg-type]
    return found


def client_settings(data_dir: Path | None) -> tuple[Settings, str]:
    """The settings of a command that uses a running service or its data, and where its folder came from
    (for messages: "--data-dir", "CREDLEDGER_DATA_DIR", "the credledger up on port N", "default")."""
    settings = Settings.from_env()
    if data_dir is not None:
        return replace(settings, data_dir=data_dir), "--data-dir"
    if os.environ.get("CREDLEDGER_DATA_DIR"):
        return settings, "CREDLEDGER_DATA_DIR"
    found = serving(settings.port)
    if found is not None and found != settings.data_dir:  # (the default folder itself is no news)
        return replace(settings, data_dir=found), f"the credledger up on port {settings.port}"
    return settings, "default"


def external_settings(args: argparse.Namespace, needs_nats: bool = True) -> Settings | None:
    """DATABASE_URL / NATS_URL, or else the embedded servers of a running `credledger up`."""
    settings, source = client_settings(getattr(args, "data_dir", None))
    settings = running_embedded(settings)
    if not settings.database_url or (needs_nats and not settings.nats_url):
        print(
            "This command needs DATABASE_URL (and NATS_URL), or a running `credledger up` with embedded servers "
            f"on the data folder: none runs on {settings.data_dir} ({source}); give its --data-dir.",
            file=sys.stderr,
        )
        return None
    return settings
