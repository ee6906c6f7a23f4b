"""Serving the Streamlit app locally: check the platform is built, then `streamlit run` the app folder.

The app itself lives in streamlit/ (deployed unchanged to Streamlit in Snowflake); locally it reads the
latest read-only snapshot under C360_HOME, whose path is passed as `-- --home PATH`. Streamlit always runs
headless: otherwise its first run on a machine stops at an e-mail prompt (and fails without a terminal).
c360 opens the browser itself once the server answers.

`c360 app` owns its server: SIGINT (Ctrl+C) and SIGTERM (a service manager, `kill`) are forwarded to
Streamlit, and `c360 app` exits only once Streamlit has stopped and freed its port (it is killed if it
does not stop within STOP_SECONDS). On Linux the server is also told to stop if `c360 app` itself dies
without a chance to forward anything (SIGKILL): prctl(PR_SET_PDEATHSIG), see prctl(2).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from c360 import names
from c360.config import Settings, Target
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.outputs import read_outputs
from c360.paths import STREAMLIT_DIR
from c360.snapshots import latest_snapshot

log = logging.getLogger(__name__)

APP_FILE: Final = STREAMLIT_DIR / names.STREAMLIT_MAIN_FILE
PROFILE_TABLE: Final = "customer_360_profile"
THEME: Final = {
    "theme.base": "light",
    "theme.primaryColor": "#29B5E8",
    "theme.backgroundColor": "#FFFFFF",
    "theme.secondaryBackgroundColor": "#F3F7FA",
    "theme.textColor": "#11243A",
}


STOP_SECONDS: Final = 15.0
FORWARDED_SIGNALS: Final = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
PR_SET_PDEATHSIG: Final = 1  # <linux/prctl.h>


class AppLaunchError(C360Error):
    """The app cannot start; the message says what to do."""


@dataclass(frozen=True)
class AppLaunch:
    command: tuple[str, ...]
    cwd: Path
    url: str
    source: Path  # the snapshot (or warehouse file) the app reads
    open_browser: bool = False


def check_platform(settings: Settings) -> Path:
    """The file the app will read; raises AppLaunchError when the platform or its gold layer is missing."""
    source = latest_snapshot(settings) or settings.warehouse_path
    if not source.exists():
        raise AppLaunchError(
            f"no platform at {settings.home}: build it first with `c360 up --home {settings.home}`"
        )
    session = open_reader(settings)
    try:
        built = session.table_exists(names.GOLD, PROFILE_TABLE)
    finally:
        session.close()
    if not built:
        raise AppLaunchError(
            f"the platform at {settings.home} has no gold tables yet ({names.GOLD}.{PROFILE_TABLE} is missing): "
            "run `c360 up` to finish building it"
        )
    return source


def ensure_port_free(address: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as exc:
            raise AppLaunchError(
                f"port {port} on {address} is not available ({exc.strerror}): pass --port"
            ) from None


def streamlit_command(home: Path, *, port: int, address: str = "localhost") -> tuple[str, ...]:
    """`python -m streamlit run streamlit/streamlit_app.py ... -- --home HOME` (used by the CLI and the tests)."""
    options = {
        "server.port": str(port),
        "server.address": address,
        "server.headless": "true",
        "server.fileWatcherType": "none",
        "browser.gatherUsageStats": "false",
        "client.toolbarMode": "minimal",
        **THEME,
    }
    flags = [part for key, value in options.items() for part in (f"--{key}", value)]
    return (sys.executable, "-m", "streamlit", "run", str(APP_FILE), *flags, "--", "--home", str(home))


def prepare(settings: Settings, *, port: int, address: str, open_browser: bool) -> AppLaunch:
    if settings.target is Target.snowflake:
        outputs = read_outputs(settings.outputs_path)
        where = (
            f" at {outputs.app_url}"
            if outputs and outputs.app_url
            else " in Snowsight (Projects » Streamlit)"
        )
        raise AppLaunchError(
            f"on the snowflake target the app runs as Streamlit in Snowflake ({names.STREAMLIT_APP}){where}; "
            "`c360 app` serves the local platform"
        )
    if not APP_FILE.is_file():
        raise AppLaunchError(f"the app is missing: {APP_FILE} not found")
    source = check_platform(settings)
    ensure_port_free(address, port)
    command = streamlit_command(settings.home, port=port, address=address)
    return AppLaunch(command, STREAMLIT_DIR, f"http://{address}:{port}", source, open_browser)


def serve(launch: AppLaunch) -> int:
    """Run Streamlit until it exits; a stop signal is forwarded to it and waited for. Returns 0 after a
    requested stop, else Streamlit's exit code."""
    log.info("starting %s", " ".join(launch.command))
    process = subprocess.Popen(launch.command, cwd=launch.cwd, preexec_fn=_stop_with_parent())
    stop = _StopForwarder(process)
    previous = {sig: signal.signal(sig, stop.forward) for sig in FORWARDED_SIGNALS}
    try:
        if launch.open_browser and has_display():
            threading.Thread(target=open_when_ready, args=(launch.url,), daemon=True).start()
        code = process.wait()  # a forwarded signal interrupts nothing here: the wait resumes (PEP 475)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop.cancel()
    if stop.requested:
        log.info("the app stopped (%s)", signal.Signals(stop.requested).name)
        return 0
    return code


class _StopForwarder:
    """Forwards a stop signal to the server; kills it if it has not stopped STOP_SECONDS later."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.requested: int | None = None
        self._killer: threading.Timer | None = None

    def forward(self, signum: int, _frame: object) -> None:
        self.requested = signum
        if self.process.poll() is not None:
            return
        forwarded = signum if signum in (signal.SIGINT, signal.SIGTERM) else signal.SIGTERM
        try:
            self.process.send_signal(forwarded)
        except ProcessLookupError:  # it has just exited
            return
        if self._killer is None:
            self._killer = threading.Timer(STOP_SECONDS, self._kill)
            self._killer.daemon = True
            self._killer.start()

    def _kill(self) -> None:
        if self.process.poll() is None:
            log.warning("the app did not stop within %.0f s: killing it", STOP_SECONDS)
            self.process.kill()

    def cancel(self) -> None:
        if self._killer is not None:
            self._killer.cancel()


def _stop_with_parent() -> Callable[[], None] | None:
    """On Linux, a pre-exec hook asking the kernel to SIGTERM the server when `c360 app` dies."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()

    def hook() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:  # the parent died before the hook ran
            os.kill(os.getpid(), signal.SIGTERM)

    return hook


def has_display(env: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether a graphical browser can open here (on Linux only with X11 or Wayland, as Streamlit decides);
    Python's webbrowser would otherwise start a text browser in the terminal."""
    env = dict(os.environ) if env is None else env
    return platform != "linux" or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _open_browser(url: str) -> None:
    from streamlit.cli_util import open_browser  # xdg-open / open / webbrowser, its output silenced

    open_browser(url)


def open_when_ready(
    url: str,
    *,
    timeout: float = 60.0,
    opener: Callable[[str], object] = _open_browser,
) -> bool:
    """Open `url` in a browser as soon as its server accepts connections; False if it never did."""
    host, _, port = url.removeprefix("http://").partition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        return False
    opener(url)
    return True
