"""The commands that talk to a running `credledger up` use its data folder: the same token secret, the same
embedded servers. `--data-dir D`, `CREDLEDGER_DATA_DIR=D`, or (with neither) the folder of the `up` that
serves the API port; a token from any other folder is refused. `credledger export` shows its progress and
says plainly when a range holds no events.

These `up`s run with no CREDLEDGER_JWT_SECRET / CREDLEDGER_MASTER_KEY (unlike tests/support.py's
process_env), so the secret comes from the data folder as on a user's machine. XDG_STATE_HOME and
XDG_DATA_HOME point into the test's folder: the "serving" notes and the platform's default data folder are
the test's own, never the user's."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest

from services.audit.verify import verify_bundle
from services.embedded import free_port
from tests.api.helpers import ORG
from tests.support import Infra, eventually, stop_up

pytestmark = pytest.mark.timeout(300)
CONFIGURED = ("DATABASE_URL", "NATS_URL", "CREDLEDGER_JWT_SECRET", "CREDLEDGER_MASTER_KEY", "CREDLEDGER_DATA_DIR")
CONFIGURED += ("CREDLEDGER_PORT", "CREDLEDGER_HOST", "API_DATABASE_URL")
TODAY = datetime.now(ZoneInfo("America/New_York")).date()


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """A user's shell with nothing configured, its per-user folders inside the test's."""
    env = {k: v for k, v in os.environ.items() if k not in CONFIGURED}
    env.update(XDG_STATE_HOME=str(home / "state"), XDG_DATA_HOME=str(home / "share"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def credledger(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", *args], env=env, capture_output=True, text=True, timeout=240
    )


class Up:
    def __init__(self, home: Path, data_dir: Path, env: dict[str, str]) -> None:
        self.home, self.data_dir, self.port = home, data_dir, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = home / f"up-{self.port}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services", "up", "--data-dir", str(data_dir), "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            eventually(lambda: "credledger is up" in self.log.read_text() or self.process.poll() is not None, 120)
            assert self.process.poll() is None, self.log.read_text()[-3000:]
        except BaseException:
            self.stop()
            raise

    def token(self, *args: str, **env: str) -> tuple[str, str]:
        """`credledger token --tenant demo --role firm_admin --user pat` plus ``args``: (token, stderr)."""
        done = credledger(
            "token", "--tenant", "demo", "--role", "firm_admin", "--user", "pat", *args, env=base_env(self.home, **env)
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip(), done.stderr

    def status(self, token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.get(self.base + "/v1/views/affiliation-status", headers=headers, timeout=30).status_code

    def stop(self) -> None:
        code = stop_up(self.process, self.data_dir, timeout=90)
        assert code == 0, self.log.read_text()[-3000:]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    """`credledger up --data-dir D` with nothing configured: embedded PostgreSQL and nats-server in D."""
    home = tmp_path_factory.mktemp("cli-home")
    up = Up(home, home / "D", base_env(home))
    try:
        yield up
    finally:
        up.stop()


def test_a_token_signed_for_the_up_data_folder_is_accepted_and_one_from_another_folder_is_not(
    embedded: Up,
) -> None:
    token, _ = embedded.token("--data-dir", str(embedded.data_dir))
    assert embedded.status(token) == 200
    token, _ = embedded.token(CREDLEDGER_DATA_DIR=str(embedded.data_dir))
    assert embedded.status(token) == 200

    other, stderr = embedded.token("--data-dir", str(embedded.home / "elsewhere"))
    assert embedded.status(other) == 401
    assert "no running credledger up uses" in stderr  # said before the 401 can puzzle anyone
    other, _ = embedded.token(CREDLEDGER_DATA_DIR=str(embedded.home / "elsewhere"))
    assert embedded.status(other) == 401


def test_the_readme_token_command_with_no_folder_signs_for_the_up_serving_the_port(embedded: Up) -> None:
    # The README's walk-through gives no folder and talks to the default port; CREDLEDGER_PORT stands for it.
    token, stderr = embedded.token(CREDLEDGER_PORT=str(embedded.port))
    assert embedded.status(token) == 200
    assert f"the credledger up on port {embedded.port}" in stderr
    # No `up` serves that port: the platform's default folder (here the test's XDG_DATA_HOME), another secret.
    token, stderr = embedded.token(CREDLEDGER_PORT=str(free_port()))
    assert embedded.status(token) == 401
    assert str(embedded.home / "share" / "credledger") in stderr


@pytest.mark.parametrize("via", ["--data-dir", "CREDLEDGER_DATA_DIR", "port"])
def test_parked_and_the_store_commands_reach_the_embedded_servers_of_the_up(embedded: Up, via: str) -> None:
    if via == "--data-dir":
        folder, env = ["--data-dir", str(embedded.data_dir)], base_env(embedded.home)
    elif via == "CREDLEDGER_DATA_DIR":
        folder, env = [], base_env(embedded.home, CREDLEDGER_DATA_DIR=str(embedded.data_dir))
    else:
        folder, env = [], base_env(embedded.home, CREDLEDGER_PORT=str(embedded.port))
    parked = credledger("parked", *folder, env=env)
    assert parked.returncode == 0, parked.stderr
    assert "parked event(s)" in parked.stdout
    for command in (["migrate"], ["verify"], ["snapshots"]):
        done = credledger(*command, *folder, env=env)
        assert done.returncode == 0, (command, done.stderr)


def test_a_folder_with_no_running_up_is_missing_configuration_and_named(embedded: Up) -> None:
    env = base_env(embedded.home)
    elsewhere = embedded.home / "no-up-here"
    for command in (["parked"], ["rebuild"], ["migrate"], ["relay"], ["project"], ["workers"], ["snapshots"]):
        done = credledger(*command, "--data-dir", str(elsewhere), env=env)
        assert done.returncode == 78, (command, done.returncode, done.stderr)
        assert str(elsewhere) in done.stderr and "Traceback" not in done.stderr


def test_export_shows_its_progress_and_says_when_a_range_holds_no_events(embedded: Up) -> None:
    token, _ = embedded.token("--data-dir", str(embedded.data_dir))
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(embedded.base + "/v1/organizations", json=ORG, headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    folder = ["--data-dir", str(embedded.data_dir)]
    env = base_env(embedded.home)

    out = embedded.home / "today.tar"
    done = credledger("export", "--tenant", "demo", "--from", str(TODAY - timedelta(days=1)), "--to", str(TODAY),
                      "--out", str(out), *folder, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # tqdm's bars on stderr (captured here, so not a terminal: shown all the same, as rebuild's are)
    for phase in ("demo: find the range", "events in the range", "views as of the end"):
        assert phase in done.stderr, done.stderr
    assert f"wrote {out}: " in done.stdout and "None" not in done.stdout
    assert verify_bundle(out).ok

    empty = embedded.home / "empty.tar"
    done = credledger("export", "--tenant", "demo", "--from", "2020-01-01", "--to", "2020-01-31",
                      "--out", str(empty), *folder, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no events of tenant demo from 2020-01-01 to 2020-01-31" in done.stdout
    assert "None" not in done.stdout
    report = verify_bundle(empty)
    assert report.ok and report.events == 0  # an empty range is still a bundle that checks out
    with tarfile.open(empty) as tar:
        manifest = msgspec.json.decode(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["chain"]["prev_link"] == manifest["chain"]["head_link"]

    # A tenant with no events at all is most likely mistyped: refused, nothing written.
    typo = embedded.home / "typo.tar"
    done = credledger("export", "--tenant", "dmeo", "--from", str(TODAY), "--to", str(TODAY),
                      "--out", str(typo), *folder, env=env)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no events in this store" in done.stderr and not typo.exists()


def test_with_the_machines_servers_the_token_secret_still_comes_from_the_data_folder(
    infra: Infra, tmp_path: Path
) -> None:
    """`up --data-dir D` on configured servers (DATABASE_URL, NATS_URL): no running.json, but the secret is D's."""
    database_url, namespace = infra.new_database(), infra.new_namespace()
    servers = {"DATABASE_URL": database_url, "NATS_URL": infra.nats_url, "CREDLEDGER_NAMESPACE": namespace}
    up = Up(tmp_path, tmp_path / "D", base_env(tmp_path, **servers))
    try:
        token, _ = up.token("--data-dir", str(up.data_dir))
        assert up.status(token) == 200
        token, _ = up.token(CREDLEDGER_PORT=str(up.port))
        assert up.status(token) == 200
        token, _ = up.token("--data-dir", str(tmp_path / "elsewhere"))
        assert up.status(token) == 401
        parked = credledger("parked", "--data-dir", str(up.data_dir), env=base_env(tmp_path, **servers))
        assert parked.returncode == 0, parked.stderr
    finally:
        up.stop()
    # Stopped: its note is gone, so a later token no longer claims to be for it.
    assert not (tmp_path / "state" / "credledger" / "serving" / f"{up.port}.json").exists()


def test_a_note_left_by_a_killed_up_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services import cli_data
    from services.config import Settings

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    port = free_port()
    settings = Settings.from_env(data_dir=tmp_path / "D", port=port)
    note = cli_data.announce(settings)
    assert note is not None and cli_data.serving(port) == tmp_path / "D"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    note.write_text(note.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {dead.pid}'))
    assert cli_data.serving(port) is None
    cli_data.withdraw(note)  # not this process's note any more: left alone
    assert note.exists()


def test_every_command_that_uses_a_service_accepts_data_dir() -> None:
    from services.cli import parser

    commands = {
        "token": ["--tenant", "t", "--role", "viewer"],
        "export": ["--tenant", "t", "--from", "2026-01-01", "--to", "2026-01-02"],
        "replay": ["--as-of", "2026-01-01"],
        "shred": ["--tenant", "t", "--confirm", "t"],
    }
    for name in ("token", "migrate", "relay", "project", "workers", "parked", "rebuild", "replay", "snapshots",
                 "verify", "export", "shred"):  # fmt: skip
        args = parser().parse_args([name, *commands.get(name, []), "--data-dir", "/some/where"])
        assert args.data_dir == Path("/some/where"), name
