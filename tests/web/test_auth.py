"""Login, logout, sessions, CSRF and login throttling through real HTTP requests."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Event, Item, TriageState
from models.web import WebSession
from tests.web.conftest import PASSWORD, World, csrf_of, login


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_pages_need_login(client: TestClient) -> None:
    response = client.get("/antrean?topik=transport")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fantrean%3Ftopik%3Dtransport"


def test_login_sets_a_protected_cookie_and_lands_on_the_role_home(
    client: TestClient, world: World
) -> None:
    page = client.get("/login")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login", data={"username": "Operator", "password": PASSWORD, "form_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/antrean"
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith("aduan_session=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=lax" in cookie[0]
    assert client.get("/antrean").status_code == 200
    with Session(world.engine) as s:
        raw = client.cookies.get("aduan_session")
        assert raw and s.scalar(select(WebSession.token_hash)) != raw  # only a hash is stored


def test_login_follows_next_but_never_off_site(client: TestClient) -> None:
    for target, expected in (
        ("/aduan?status=done", "/aduan?status=done"),
        ("//evil.example", "/antrean"),
        ("https://evil.example", "/antrean"),
    ):
        client.cookies.clear()
        page = client.get("/login")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "form_token": token, "next": target},
        )
        assert response.headers["location"] == expected


def test_wrong_password_is_refused_and_throttled(client: TestClient) -> None:
    for _ in range(5):
        page = client.get("/login")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/login", data={"username": "admin", "password": "salah-salah", "form_token": token}
        )
        assert response.status_code == 401
        assert "Nama pengguna atau kata sandi salah" in response.text
    page = client.get("/login")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "form_token": token}
    )
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.text


def test_login_form_without_its_token_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "aduan_session" not in response.headers.get("set-cookie", "")


def test_post_without_csrf_token_changes_nothing(client: TestClient, world: World) -> None:
    login(client, "operator")
    item_id = world.items["spam"]
    response = client.post(f"/item/{item_id}/tolak", data={"alasan": "spam"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    response = client.post(f"/item/{item_id}/tolak", data={"alasan": "spam", "csrf_token": "palsu"})
    assert response.status_code == 403
    with Session(world.engine) as s:
        assert s.get(Item, item_id).triage_state is TriageState.PENDING  # type: ignore[union-attr]
        assert (
            s.scalar(select(func.count()).select_from(Event).where(Event.entity_type == "item"))
            == 0
        )


def test_logout_ends_the_session_server_side(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    stolen = client.cookies.get("aduan_session")
    response = client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303
    client.cookies.set("aduan_session", stolen or "")
    assert client.get("/antrean").status_code == 303  # the old cookie is dead
    with Session(world.engine) as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0


def test_inactive_user_cannot_log_in(client: TestClient, world: World) -> None:
    csrf = login(client, "admin")
    response = client.post(f"/pengguna/{world.users['viewer']}/aktif", data={"csrf_token": csrf})
    assert response.status_code == 303
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/login", data={"username": "viewer", "password": PASSWORD, "form_token": token}
    )
    assert response.status_code == 401


def test_csrf_token_is_per_session(client: TestClient) -> None:
    first = login(client, "operator")
    client.cookies.clear()
    second = login(client, "operator")
    assert first != second
    assert csrf_of(client) == second


def test_a_flash_message_is_shown_once(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    response = client.post("/antrean/massal", data={"csrf_token": csrf, "aksi": "tunda"})
    assert response.status_code == 303
    first = client.get(response.headers["location"])
    assert "Pilih minimal satu kartu." in first.text
    second = client.get("/antrean")
    assert "Pilih minimal satu kartu." not in second.text
