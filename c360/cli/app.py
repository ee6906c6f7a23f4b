"""`c360 app`: serve the Streamlit app on the local platform under C360_HOME."""

from __future__ import annotations

from typing import Annotated

import typer

from c360.app_health import HealthProbe
from c360.app_server import prepare, serve
from c360.cli.options import HomeOption, TargetOption
from c360.cli.output import fail, stderr
from c360.config import Settings
from c360.errors import C360Error


def app(
    port: Annotated[int, typer.Option(help="port to serve on", min=1, max=65_535)] = 8501,
    address: Annotated[
        str, typer.Option(help="address to bind (0.0.0.0 to share on the network)")
    ] = "localhost",
    open_browser: Annotated[
        bool,
        typer.Option(
            "--open/--no-open", help="open a browser tab once the app is up (where a display exists)"
        ),
    ] = True,
    target: TargetOption = None,
    home: HomeOption = None,
) -> None:
    """Start the app (Segment Explorer, Customer 360, AI Assistant, Campaign Performance, Pipeline Health)."""
    try:
        settings = Settings.load(target=target, home=home, create_home=False)
        launch = prepare(settings, port=port, address=address, open_browser=open_browser)
    except C360Error as exc:
        fail(str(exc))
    stderr.print(
        f"[bold]c360 app[/] on {launch.url} · data {launch.source} · Ctrl+C to stop", highlight=False
    )
    probe = HealthProbe(settings, launch.url).start()  # feeds the app-health alerts (c360/app_health.py)
    try:
        code = serve(launch)
    finally:
        probe.stop()
    raise typer.Exit(code=code)
