"""The `c360` command line: one Typer app, one module per command."""
