"""A real Label Studio server for tests: install (once), start, wait, stop, clean up.

``scripts/install_labelstudio.sh`` installs label-studio 1.23.2 into its own venv at
``.cache/labelstudio-venv``. :func:`make_ls_server_fixture` returns a session-scoped fixture;
every test module that needs a server defines its fixture with it, and all of them share
one server process (reference counted), which the last finaliser (or, as a backstop, an
``atexit`` hook) terminates before deleting its data directory.

The server runs on 127.0.0.1 and a free port with a fresh sqlite data directory, an admin
user and a legacy API token (``--enable-legacy-api-token``: Label Studio 1.23 disables
legacy tokens for new organisations otherwise).

Credentials come from :func:`credentials`, the one place that defines them: the environment
variables ``DUIKOU_TEST_LS_USERNAME``, ``DUIKOU_TEST_LS_PASSWORD`` and
``DUIKOU_TEST_LS_TOKEN`` when set (e.g. to log in to a kept test server by hand), otherwise
the address ``admin@duikou.test`` and a password and token generated afresh for each run,
so no password or token is written in the repository. Tests read them from the fixture's
:class:`LSServer`.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LS_VENV = ROOT / ".cache" / "labelstudio-venv"
LS_BIN = LS_VENV / "bin" / "label-studio"
INSTALL_SCRIPT = ROOT / "scripts" / "install_labelstudio.sh"
STARTUP_TIMEOUT_S = 180.0
DEFAULT_USERNAME = "admin@duikou.test"  # an address, not a secret (.test never resolves)


def credentials() -> tuple[str, str, str]:
    """(username, password, legacy API token) for the test server (see the module doc)."""
    env = os.environ.get
    return (env("DUIKOU_TEST_LS_USERNAME") or DEFAULT_USERNAME,
            env("DUIKOU_TEST_LS_PASSWORD") or f"dk-{secrets.token_urlsafe(18)}-A1",
            env("DUIKOU_TEST_LS_TOKEN") or secrets.token_hex(20))


@dataclass
class LSServer:
    """A running server: where it is and how to log in."""

    url: str
    api_key: str = field(repr=False)
    username: str
    password: str = field(repr=False)
    data_dir: Path
    log_path: Path
    startup_s: float
    process: subprocess.Popen = field(repr=False)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def ensure_installed() -> Path:
    """Run the install script unless the venv already has label-studio; return the CLI."""
    if not LS_BIN.exists():
        done = subprocess.run(["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True,
                              timeout=1800)
        if done.returncode != 0:
            pytest.fail(f"installing Label Studio failed:\n{done.stdout[-3000:]}"
                        f"\n{done.stderr[-3000:]}")
    return LS_BIN


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(data_dir: Path, username: str, password: str, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LABEL_STUDIO_", "DJANGO_", "DUIKOU_TEST_LS_"))}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "DJANGO_DB": "sqlite",
        "LABEL_STUDIO_USERNAME": username,
        "LABEL_STUDIO_PASSWORD": password,
        "LABEL_STUDIO_USER_TOKEN": token,
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(server: LSServer) -> None:
    """Terminate the server's process group (SIGTERM, then SIGKILL) and delete its data."""
    proc = server.process
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    shutil.rmtree(server.data_dir.parent, ignore_errors=True)


def start() -> LSServer:
    """Start a fresh server and wait (up to STARTUP_TIMEOUT_S) until /health answers."""
    cli = ensure_installed()
    base = Path(tempfile.mkdtemp(prefix="duikou-ls-"))
    data_dir, log_path = base / "data", base / "server.log"
    data_dir.mkdir()
    port = free_port()
    username, password, token = credentials()
    cmd = [str(cli), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port",
           str(port), "--data-dir", str(data_dir), "--username", username,
           "--enable-legacy-api-token"]
    # the password and token reach the server by environment only (LABEL_STUDIO_PASSWORD,
    # LABEL_STUDIO_USER_TOKEN, read by `label-studio start`), never on the command line
    # where `ps` shows them
    t0 = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=base,
                                env=_server_env(data_dir, username, password, token),
                                start_new_session=True)
    server = LSServer(f"http://127.0.0.1:{port}", token, username, password, data_dir,
                      log_path, 0.0, proc)
    while not _healthy(server.url):
        if proc.poll() is not None or time.monotonic() - t0 > STARTUP_TIMEOUT_S:
            tail = server.log_tail()
            stop(server)
            pytest.fail(f"Label Studio did not become healthy at {server.url} "
                        f"(exit code {proc.poll()}):\n{tail}")
        time.sleep(1.0)
    server.startup_s = time.monotonic() - t0
    return server


class _Shared:
    """One server per test session, shared by every module's fixture (reference counted)."""

    server: LSServer | None = None
    users = 0

    @classmethod
    def acquire(cls) -> LSServer:
        if cls.server is None or cls.server.process.poll() is not None:
            cls.server = start()
            atexit.register(stop, cls.server)
        cls.users += 1
        return cls.server

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users <= 0 and cls.server is not None:
            stop(cls.server)
            cls.server = None


def make_ls_server_fixture() -> Callable[[], Iterator[LSServer]]:
    """A session-scoped fixture yielding the shared :class:`LSServer`; define it per module
    as ``ls_server = make_ls_server_fixture()``."""

    @pytest.fixture(scope="session")
    def ls_server() -> Iterator[LSServer]:
        server = _Shared.acquire()
        try:
            yield server
        finally:
            _Shared.release()

    return ls_server
