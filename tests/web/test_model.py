"""The learning loop in the web app: /model shows the active model, how often each
model's suggestions were what the admins decided, the versions and the gate's word; an
admin retrains now, and the open queue gets the new model's suggestions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from aduan.settings import get_settings
from classifier.registry import ModelRegistry
from models import Item, Source, TriageDecision, TriageState
from models.item import ItemSuggestion
from tests.web.conftest import World, login


def _flash(client: TestClient, response: object) -> str:
    return client.get(response.headers["location"]).text  # type: ignore[attr-defined]


def _confirm(
    client: TestClient, csrf: str, world: World, key: str, topic: str, agency: str
) -> None:
    item_id = world.items[key]
    assert client.get(f"/item/{item_id}").status_code == 200  # opening it claims it
    response = client.post(
        f"/item/{item_id}/konfirmasi",
        data={
            "csrf_token": csrf,
            "judul": key,
            "topik": topic,
            "skpd": str(world.agencies[agency]),
            "wilayah": str(world.regions["63.71"]),
            "isi": key,
        },
    )
    assert response.status_code == 303, response.text


def _row(page: str, table: str, version: str) -> list[str]:
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<tr data-version="{re.escape(version)}"[^>]*>(.*?)</tr>', body, re.S)
    assert row, body
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row[1], re.S)
    ]


def test_the_page_says_how_often_each_models_suggestions_were_kept(
    client: TestClient, world: World
) -> None:
    with Session(world.engine) as s, s.begin():
        for key in ("lampu", "jalan"):  # both suggested the transport urusan
            suggestion = s.scalars(
                select(ItemSuggestion).where(ItemSuggestion.item_id == world.items[key])
            ).one()
            suggestion.function = "transport"
    csrf = login(client, "admin")
    # Suggested: transport / Dishub (kept), infrastructure / PUPR (topic corrected; PUPR's
    # urusan is public works, not the suggested transport).
    _confirm(client, csrf, world, "lampu", "transport", "6371-dishub")
    _confirm(client, csrf, world, "jalan", "environment", "6371-pupr")
    page = client.get("/model").text
    version, decisions, topic, skpd, function = _row(page, "agreement", "test")
    assert (version, decisions, topic) == ("test", "2", "50%")
    assert skpd.startswith("100%") and "dari 2" in skpd
    assert function == "50%"
    assert "Belum ada model aktif" in page  # nothing was tagged through the registry yet
    # Too few decisions for a retrain: the button is off and the server refuses too.
    assert re.search(r'<button type="submit" class="primary" disabled>Latih ulang', page)
    refused = client.post("/model/latih", data={"csrf_token": csrf})
    said = _flash(client, refused)
    assert "Baru 2 konfirmasi baru sejak model aktif dilatih; latih ulang perlu" in said
    assert "paling sedikit 30" in said


def _decided(world: World, first: int, count: int) -> None:
    """``count`` items confirmed by admins (labels for the retrain)."""
    with Session(world.engine) as s, s.begin():
        source = s.scalars(select(Source)).first()
        assert source is not None
        for n in range(first, first + count):
            item = Item(
                source_id=source.id,
                external_id=f"d{n}",
                content_hash=f"d{n}",
                text=f"lampu jalan mati di gang {n} Banjarmasin, gelap sekali",
                triage_state=TriageState.CONFIRMED,
            )
            s.add(item)
            s.flush()
            s.add(TriageDecision(item_id=item.id, state=TriageState.CONFIRMED, topic="transport"))


def test_an_admin_retrains_now_and_the_open_queue_follows(client: TestClient, world: World) -> None:
    _decided(world, 0, 35)
    csrf = login(client, "operator")
    page = client.get("/model").text
    assert "Latih ulang sekarang" not in page  # an operator sees the loop, an admin runs it
    assert client.post("/model/latih", data={"csrf_token": csrf}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf})

    csrf = login(client, "admin")
    started = client.post("/model/latih", data={"csrf_token": csrf})
    assert "Pelatihan ulang dimulai" in _flash(client, started)
    # TestClient runs the background task before it returns: the model is trained now.
    registry = ModelRegistry(get_settings().resolved_model_dir)
    version = registry.active_version()
    assert version is not None and registry.metadata(version)["kind"] == "retrain"
    page = client.get("/model").text
    row = _row(page, "versions", version)
    assert row[1] == "latih ulang" and row[-1] == "aktif"
    assert re.search(r'id="decisions-since">0<', page)
    with Session(world.engine) as s:
        current = dict(
            s.execute(
                select(Item.external_id, ItemSuggestion.model_version)
                .join(ItemSuggestion, ItemSuggestion.item_id == Item.id)
                .where(ItemSuggestion.superseded_at.is_(None))
            ).all()
        )
    assert current["spam"] == version and current["storm1"] == version  # waiting: re-tagged
    # The model has learnt every confirmation: nothing new to train on, nothing started.
    again = client.post("/model/latih", data={"csrf_token": csrf})
    assert "Baru 0 konfirmasi baru sejak model aktif dilatih" in _flash(client, again)
    _decided(world, 100, 35)
    soon = client.post("/model/latih", data={"csrf_token": csrf})
    assert "baru saja dimulai; tunggu sepuluh menit" in _flash(client, soon)
    assert ModelRegistry(get_settings().resolved_model_dir).active_version() == version
