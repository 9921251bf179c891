"""The ``aduan`` command line: one Typer app, one error handler."""
