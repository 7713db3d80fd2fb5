"""The command line: help everywhere, db init, queue list, and the end-to-end promise."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aduan.cli import cli


def all_commands(group: click.Group = cli, prefix: str = "aduan") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        names.append(path)
        if isinstance(command, click.Group):
            names.extend(all_commands(command, path))
    return names


@pytest.mark.parametrize("command", ["aduan", *all_commands()])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [*command.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output) > 100


def test_db_init_loads_reference_data_and_is_repeatable(settings_env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "init"])
    assert first.exit_code == 0, first.output
    assert "wilayah: 14 baru" in first.output and "sumber:  3 baru" in first.output
    second = runner.invoke(cli, ["db", "init"])
    assert "wilayah: 0 baru, 0 diperbarui" in second.output
    assert "SKPD:    0 baru, 0 diperbarui" in second.output


def test_db_init_loads_kecamatan_and_villages_from_the_wilayah_table(
    settings_env: Path, tmp_path: Path
) -> None:
    """A table of our own writing in the Kemendagri format (kode, nama, level); rows of
    another province and rows without a parent are left out."""
    table = tmp_path / "wilayah.csv"
    table.write_text(
        "kode,nama,level\n63.01.01,Takisung,3\n63.01.01.2002,Tabanio,4\n"
        "63.71.01.1001,Kelayan Luar,4\n64.01.01,Di Provinsi Lain,3\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["db", "init", "--wilayah", str(table)])
    assert result.exit_code == 0, result.output
    assert "kecamatan dan desa/kelurahan: 2 baru" in result.output
    assert "kantor kecamatan: 1 baru" in result.output  # Takisung's office
    again = CliRunner().invoke(cli, ["db", "init", "--wilayah", str(table)])
    assert "kantor kecamatan: 0 baru" in again.output


def test_queue_list_json_on_an_empty_queue_is_an_empty_list(settings_env: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "upgrade"])
    result = runner.invoke(cli, ["queue", "list", "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_sources_list_shows_health(sqlite_engine: Engine) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "init"])
    result = runner.invoke(cli, ["sources", "list", "--json"])
    rows = json.loads(result.output)
    assert [r["name"] for r in rows][:1] == ["Contoh: Kabar Banua"]
    assert {"enabled", "last_success_at", "consecutive_failures", "disabled_reason"} <= set(rows[0])


@pytest.mark.flow
def test_console_script_end_to_end(tmp_path: Path) -> None:
    """What the README promises: init, ingest, ingest again adds 0, queue list --json."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "PREFECT_"))}
    env["ADUAN_DATA_DIR"] = str(tmp_path / "var")
    aduan = Path(sys.executable).with_name("aduan")

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(aduan), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("db", "init")
    first = run("ingest")
    assert re.search(r"Selesai dalam [0-9,]+ detik: 14 item baru", first)
    # A configured source that did not run says so, with the reason.
    assert "X: pencarian Kalimantan Selatan: tidak dijalankan" in first
    assert "ADUAN_X_BEARER_TOKEN" in first
    assert re.search(r"Selesai dalam .*: 0 item baru", run("ingest"))
    entries = json.loads(run("queue", "list", "--json"))
    assert len(entries) == 14
    assert {
        "id",
        "source_kind",
        "text",
        "suggested_topic",
        "suggested_agency",
        "confidence",
    } <= set(entries[0])
    assert (tmp_path / "var" / "aduan.db").is_file()
    assert (tmp_path / "var" / "prefect").is_dir()  # Prefect state stays in the data dir


def test_sources_can_be_disabled_and_enabled_again(sqlite_engine: Engine) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["db", "init"])
    off = runner.invoke(cli, ["sources", "disable", "Contoh: Kabar Banua"])
    assert off.exit_code == 0 and "dinonaktifkan" in off.output
    rows = json.loads(runner.invoke(cli, ["sources", "list", "--json"]).output)
    assert rows[0]["enabled"] is False and rows[0]["disabled_reason"] == "dinonaktifkan oleh admin"
    runner.invoke(cli, ["sources", "enable", "Contoh: Kabar Banua"])
    rows = json.loads(runner.invoke(cli, ["sources", "list", "--json"]).output)
    assert rows[0]["enabled"] is True
    missing = runner.invoke(cli, ["sources", "enable", "tidak ada"])
    assert missing.exit_code != 0 and "tidak ada" in missing.output


def test_x_source_is_created_disabled_without_a_token(sqlite_engine: Engine) -> None:
    result = CliRunner().invoke(cli, ["db", "init"])
    assert "X:       1 baru" in result.output and "ADUAN_X_BEARER_TOKEN" in result.output
    rows = json.loads(CliRunner().invoke(cli, ["sources", "list", "--json"]).output)
    x = next(r for r in rows if r["kind"] == "x")
    assert x["enabled"] is False and "ADUAN_X_BEARER_TOKEN" in x["disabled_reason"]
    # Enabling it without a token is refused with the reason, not "succeeded".
    refused = CliRunner().invoke(cli, ["sources", "enable", x["name"]])
    assert refused.exit_code == 1 and "token API X belum diatur" in refused.output
    rows = json.loads(CliRunner().invoke(cli, ["sources", "list", "--json"]).output)
    assert next(r for r in rows if r["kind"] == "x")["enabled"] is False


@pytest.mark.parametrize("order", ["token_first", "token_later"])
def test_x_source_runs_whichever_order_the_token_and_init_come_in(
    order: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aduan.settings import get_settings

    def init_with(token: str | None) -> dict[str, object]:
        if token:
            monkeypatch.setenv("ADUAN_X_BEARER_TOKEN", token)
        get_settings.cache_clear()
        assert CliRunner().invoke(cli, ["db", "init"]).exit_code == 0
        rows = json.loads(CliRunner().invoke(cli, ["sources", "list", "--json"]).output)
        return next(r for r in rows if r["kind"] == "x")

    if order == "token_first":
        x = init_with("token-rahasia")
    else:
        assert init_with(None)["enabled"] is False
        x = init_with("token-rahasia")
    assert x["enabled"] is True and x["disabled_reason"] is None
    # An admin's own switch-off is not undone by the next init.
    assert CliRunner().invoke(cli, ["sources", "disable", str(x["name"])]).exit_code == 0
    assert init_with("token-rahasia")["enabled"] is False


def test_account_administration_from_the_command_line(sqlite_engine: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "init"]).exit_code == 0
    added = runner.invoke(
        cli, ["user", "add", "budi", "--role", "viewer", "--password-stdin"],
        input="sandi-panjang-sekali\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    codes = json.loads(
        runner.invoke(cli, ["agencies", "list", "--region", "63.71", "--json"]).output
    )
    assert "6371-dishub" in {c["code"] for c in codes}
    assert {c["region_code"] for c in codes} == {"63.71"}
    wrong = runner.invoke(
        cli, ["user", "set-role", "budi", "agency_officer", "--agency", "6371-dishb"]
    )
    assert wrong.exit_code == 1 and "mungkin maksud Anda: 6371-dishub" in wrong.output
    ok = runner.invoke(
        cli, ["user", "set-role", "budi", "agency_officer", "--agency", "6371-dishub"]
    )
    assert ok.exit_code == 0, ok.output
    rows = json.loads(runner.invoke(cli, ["user", "list", "--json"]).output)
    assert rows == [
        {"username": "budi", "role": "agency_officer", "agency": "6371-dishub", "active": True,
         "last_login_at": None}
    ]  # fmt: skip
    short = runner.invoke(cli, ["user", "passwd", "budi", "--password-stdin"], input="pendek\n")
    assert short.exit_code == 1 and "minimal 10 karakter" in short.output
    changed = runner.invoke(
        cli, ["user", "passwd", "budi", "--password-stdin"], input="sandi-baru-panjang\n"
    )
    assert changed.exit_code == 0, changed.output
    from models import Event, User
    from triage.accounts import verify_password

    with Session(sqlite_engine) as session:
        user = session.scalars(select(User)).one()
        assert verify_password(user.password_hash, "sandi-baru-panjang")
        actions = set(session.scalars(select(Event.action).where(Event.entity_type == "user")))
        assert {"create", "role", "password"} <= actions
