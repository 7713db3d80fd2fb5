from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from aduan.settings import get_settings
from collectors.http import build_client


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with build_client(timeout=5, user_agent="aduan-test") as client:
        yield client


@pytest.fixture
def settings(settings_env):  # type: ignore[no-untyped-def]
    return get_settings()
