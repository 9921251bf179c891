"""Every ``aduan`` command is registered and its help renders (no broken option declarations)."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from aduan.cli.main import app


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if hasattr(command, "commands"):  # a group
        return [
            path
            for name, sub in sorted(command.commands.items())
            for path in _paths(sub, (*prefix, name))
        ]
    return [prefix]


COMMANDS = _paths(typer.main.get_command(app))


@pytest.fixture(autouse=True)
def _no_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    # The root callback points structlog at the runner's stdout, closed after the test.
    monkeypatch.setattr("aduan.cli.main.bootstrap.configure_logging", lambda settings: None)


def test_the_readme_commands_are_all_there() -> None:
    names = {" ".join(p) for p in COMMANDS}
    for expected in (
        "submit", "act", "show", "track", "list", "sweep", "scheduler", "serve", "db upgrade",
        "catalog list", "orgchart show", "users password", "calendar add", "notify dispatch",
        "open311 key", "report stats", "report survey result",
    ):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_shows_its_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
