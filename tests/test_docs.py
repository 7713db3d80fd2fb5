"""The README stays true: every CLI command and every setting is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aduan.settings import Settings
from tests.aduan.test_cli import all_commands

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", all_commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`{command}" in README, f"{command} is missing from README.md"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_table(field: str) -> None:
    variable = f"ADUAN_{field.upper()}"
    assert re.search(rf"^\| `{variable}` \|", README, re.MULTILINE), variable


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    section = README.split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert len(commands) == 2
    ci = (Path(__file__).resolve().parent.parent / ".ci/run").read_text()
    assert ci.strip().splitlines()[-1] == commands[1].strip()
