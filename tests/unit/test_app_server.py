"""`c360 app`: the Streamlit command, clear refusals before anything starts, and opening the browser."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360.app_server import (
    AppLaunchError,
    ensure_port_free,
    has_display,
    open_when_ready,
    prepare,
    streamlit_command,
)
from c360.cli.main import app as cli
from c360.config import Settings


def test_streamlit_always_runs_headless(tmp_path: Path) -> None:
    command = streamlit_command(tmp_path, port=8600, address="127.0.0.1")
    flags = command[5 : command.index("--")]
    options = dict(zip(flags[::2], flags[1::2], strict=True))
    # not headless, Streamlit's first run on a machine stops at an e-mail prompt (and fails without a tty)
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
    assert (options["--server.port"], options["--server.address"]) == ("8600", "127.0.0.1")
    assert command[-2:] == ("--home", str(tmp_path))


def test_no_platform_is_refused_with_the_command_to_build_it(tmp_path: Path) -> None:
    settings = Settings.load(home=tmp_path / "empty", env={})
    with pytest.raises(AppLaunchError, match="build it first with `c360 up"):
        prepare(settings, port=8600, address="127.0.0.1", open_browser=False)


def test_cli_exits_with_the_reason(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["app", "--home", str(tmp_path / "nothing"), "--no-open"])
    assert result.exit_code == 1
    assert "no platform at" in result.output
    assert "Traceback" not in result.output


def test_a_taken_port_is_named() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(AppLaunchError, match=f"port {port} on 127.0.0.1 is not available"):
            ensure_port_free("127.0.0.1", port)


def test_the_browser_opens_once_the_server_answers() -> None:
    opened: list[str] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        assert open_when_ready(url, timeout=5, opener=opened.append)
    assert opened == [url]


def test_no_browser_when_the_server_never_answers() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    opened: list[str] = []
    assert not open_when_ready(f"http://127.0.0.1:{port}", timeout=0.5, opener=opened.append)
    assert opened == []


def test_a_browser_opens_only_where_one_can_be_shown() -> None:
    assert not has_display({}, "linux")  # a server or CI: no text browser hijacking the terminal
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({}, "darwin")


def _serving(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_reaches_the_server_and_frees_its_port(stop: signal.Signals) -> None:
    """`serve` forwards SIGTERM/SIGINT to its server and returns only once the server has exited."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = (sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1")
    runner = (
        "import sys; from pathlib import Path; from c360.app_server import AppLaunch, serve; "
        f"sys.exit(serve(AppLaunch({server!r}, Path('.'), 'http://127.0.0.1:{port}', Path('.'))))"
    )
    process = subprocess.Popen([sys.executable, "-c", runner])
    try:
        deadline = time.monotonic() + 30
        while not _serving(port):
            assert process.poll() is None and time.monotonic() < deadline, "the server never started"
            time.sleep(0.1)
        process.send_signal(stop)
        assert process.wait(timeout=20) == 0
        assert not _serving(port), "the server outlived `c360 app`"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
