from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from aduan.settings import Settings, get_settings


def test_defaults_are_sqlite_in_the_data_dir_and_wita(settings_env: Path) -> None:
    settings = get_settings()
    assert settings.resolved_database_url == f"sqlite:///{settings_env / 'var' / 'aduan.db'}"
    assert settings.timezone == "Asia/Makassar"
    assert settings.follow_up_days == 3
    assert settings.x_bearer_token is None
    assert settings.resolved_model_dir == settings_env / "var" / "models"


def test_environment_and_dotenv_are_read(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (settings_env / ".env").write_text("ADUAN_FOLLOW_UP_DAYS=5\nADUAN_X_BEARER_TOKEN=abc\n")
    monkeypatch.setenv("ADUAN_TIMEZONE", "Asia/Jakarta")
    settings = Settings()
    assert settings.follow_up_days == 5
    assert settings.x_bearer_token.get_secret_value() == "abc"
    assert "abc" not in repr(settings)
    assert settings.timezone == "Asia/Jakarta"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADUAN_TIMEZONE", "Mars/Olympus"),
        ("ADUAN_FOLLOW_UP_DAYS", "0"),
        ("ADUAN_FOLLOW_UP_DAYS", "tiga"),
    ],
)
def test_bad_values_are_refused_with_the_setting_named(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.removeprefix("ADUAN_").lower()):
        Settings()
