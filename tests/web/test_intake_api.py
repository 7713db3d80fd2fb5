"""The public form (spam protection, queue landing), the QR code, and the JSON API."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Item, Source, SourceKind, User, utcnow
from tests.web.conftest import Clock, World
from triage.accounts import create_api_token
from triage.queue import QueueFilter, list_cards


def _submit(client: TestClient, clock: Clock, **fields: str):  # type: ignore[no-untyped-def]
    page = client.get("/lapor")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    clock.advance(seconds=10)
    data = {
        "form_token": token,
        "isi": "Lampu jalan di Jl. Ahmad Yani km 5 mati sejak seminggu.",
        "wilayah": "63.71",
    }
    data.update(fields)
    return client.post("/lapor", data=data)


def _web_items(world: World) -> list[Item]:
    with Session(world.engine) as s:
        return list(s.scalars(select(Item).join(Source).where(Source.kind == SourceKind.WEB_FORM)))


def test_public_submission_lands_in_the_queue(
    client: TestClient, world: World, clock: Clock
) -> None:
    r = _submit(client, clock, nama="Budi", kontak="0812 3456 7890")
    assert r.status_code == 200
    assert re.search(r'id="intake-number">WEB-\d{8}-[0-9A-F]{8}<', r.text)
    [item] = _web_items(world)
    assert "(Lokasi: Kota Banjarmasin)" in item.text
    assert item.raw["contact"] == "Budi / 0812 3456 7890"
    with Session(world.engine) as s:
        cards, _ = list_cards(s, QueueFilter(source_kind=SourceKind.WEB_FORM))
        assert [c.item.id for c in cards] == [item.id]
    anon = _submit(
        client,
        clock,
        isi="Sampah menumpuk di pasar lama tidak diangkut dua minggu.",
        nama="Siti",
        kontak="siti@example.com",
        anonim="1",
    )
    assert anon.status_code == 200
    newest = max(_web_items(world), key=lambda i: i.id)
    assert newest.raw["anonymous"] is True and newest.raw["contact"] is None


def test_spam_protection(client: TestClient, world: World, clock: Clock) -> None:
    # Honeypot filled or submitted faster than a person can type: not stored, and the
    # sender is told so (never "terima kasih"), with the text kept in the form.
    r = _submit(client, clock, website="http://spam.example")
    assert r.status_code == 400 and "intake-number" not in r.text
    assert "belum terkirim" in r.text and "Terima kasih" not in r.text
    page = client.get("/lapor")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/lapor", data={"form_token": token, "isi": "x" * 40, "wilayah": "63.71"})
    assert "intake-number" not in r.text
    assert "belum terkirim" in r.text and f">{'x' * 40}</textarea>" in r.text
    # No token at all.
    r = client.post("/lapor", data={"isi": "x" * 40, "wilayah": "63.71"})
    assert r.status_code == 403 and "kedaluwarsa" in r.text
    assert _web_items(world) == []
    # Validation messages in Indonesian, input kept.
    r = _submit(client, clock, isi="pendek", wilayah="99.99")
    assert r.status_code == 400
    assert "minimal 20 karakter" in r.text and "tidak dikenal" in r.text
    assert ">pendek</textarea>" in r.text
    # Too big.
    assert _submit(client, clock, isi="x" * 1_200_000).status_code == 413
    # Five per hour from one address.
    for _ in range(5):
        assert _submit(client, clock).status_code == 200
    r = _submit(client, clock)
    assert r.status_code == 429 and "Batas 5 laporan per jam" in r.text
    assert len(_web_items(world)) == 5
    clock.advance(hours=1)
    assert _submit(client, clock).status_code == 200


def test_hostile_submission_is_stored_as_text(
    client: TestClient, world: World, clock: Clock
) -> None:
    r = _submit(
        client,
        clock,
        isi="<script>alert(1)</script> jalan rusak parah di depan sekolah",
        nama="<b>x</b>",
    )
    assert r.status_code == 200
    [item] = _web_items(world)
    assert item.text.startswith("<script>alert(1)</script>")
    from tests.web.conftest import login

    login(client, "operator")
    html = client.get(f"/item/{item.id}").text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_qr_code_points_at_the_public_form(client: TestClient) -> None:
    svg = client.get("/lapor/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<?xml") and "<svg" in svg.text
    page = client.get("/lapor/qr")
    assert "http://testserver/lapor" in page.text and 'src="/lapor/qr.svg"' in page.text


def test_qr_code_uses_the_configured_public_url(world: World, clock: Clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from aduan.settings import get_settings
    from web.app import create_app

    monkeypatch.setenv("ADUAN_PUBLIC_URL", "https://lapor.kalselprov.go.id/")
    get_settings.cache_clear()
    app = create_app(settings=get_settings(), engine=world.engine, clock=clock)
    with TestClient(app) as c:
        assert "https://lapor.kalselprov.go.id/lapor" in c.get("/lapor/qr").text


def _token(world: World, username: str) -> str:
    with Session(world.engine) as s, s.begin():
        user = s.scalar(select(User).where(User.username == username))
        return create_api_token(s, user, "test", now=utcnow())


def test_api_needs_a_valid_token(client: TestClient, world: World) -> None:
    r = client.get("/api/v1/complaints")
    assert r.status_code == 401 and r.json()["detail"] == "Token API tidak ada atau tidak sah."
    r = client.get("/api/v1/complaints", headers={"Authorization": "Bearer adu_palsu"})
    assert r.status_code == 401


def test_api_scopes_by_role(client: TestClient, world: World) -> None:
    admin = {"Authorization": f"Bearer {_token(world, 'admin')}"}
    r = client.get("/api/v1/complaints", headers=admin)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 3 and {c["title"] for c in body["items"]} >= {"Aduan verified"}
    assert sum(c["overdue"] for c in body["items"]) == 2
    r = client.get("/api/v1/complaints?status=verified", headers=admin)
    assert [c["title"] for c in r.json()["items"]] == ["Aduan verified"]
    officer = {"Authorization": f"Bearer {_token(world, 'dishub')}"}
    titles = {c["title"] for c in client.get("/api/v1/complaints", headers=officer).json()["items"]}
    assert titles == {"Aduan dishub_fwd", "Aduan verified"}
    r = client.get(f"/api/v1/complaints/{world.complaints['pupr_fwd']}", headers=officer)
    assert r.status_code == 404
    viewer = {"Authorization": f"Bearer {_token(world, 'viewer')}"}
    assert client.get("/api/v1/complaints", headers=viewer).status_code == 403
    stats = client.get("/api/v1/stats", headers=viewer)
    assert stats.status_code == 200
    assert {r["name"] for r in stats.json()["by_agency"]} == {
        "Dinas Perhubungan Kota Banjarmasin",
        "Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin",
    }
    assert client.get("/api/v1/complaints?limit=100000", headers=admin).status_code == 400


def test_api_has_openapi_docs(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/v1/complaints", "/api/v1/complaints/{complaint_id}", "/api/v1/stats"} <= set(
        spec["paths"]
    )
    assert not any(p.startswith("/antrean") for p in spec["paths"])
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert client.get("/api/docs").status_code == 200


def test_revoked_token_stops_working(client: TestClient, world: World) -> None:
    from models.web import ApiToken

    token = _token(world, "admin")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/stats", headers=headers).status_code == 200
    with Session(world.engine) as s, s.begin():
        for row in s.scalars(select(ApiToken)):
            row.revoked_at = utcnow() - timedelta(seconds=1)
    assert client.get("/api/v1/stats", headers=headers).status_code == 401
    with Session(world.engine) as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_api_odd_queries_never_cause_a_500(client: TestClient, world: World) -> None:
    admin = {"Authorization": f"Bearer {_token(world, 'admin')}"}
    for query in ("q=%00", "topic=%00x", "status=x", "offset=-1", "limit=abc", "q=" + "a" * 500):
        r = client.get(f"/api/v1/complaints?{query}", headers=admin)
        assert r.status_code in (200, 400), (query, r.status_code)
        assert "detail" in r.json() or "items" in r.json()
    assert client.get("/api/v1/complaints/abc", headers=admin).status_code == 400


def test_the_receipt_number_carries_the_local_date(
    client: TestClient, world: World, clock: Clock
) -> None:
    from datetime import UTC, datetime

    clock.now = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 1 December, 01:30 WITA
    r = _submit(client, clock)  # submitted ten seconds later
    assert re.search(r'id="intake-number">WEB-20261201-[0-9A-F]{8}<', r.text), r.text[-500:]


def test_qr_page_warns_without_a_public_url_and_offers_downloads(client: TestClient) -> None:
    page = client.get("/lapor/qr")
    assert 'id="qr-warning"' in page.text and "ADUAN_PUBLIC_URL belum diisi" in page.text
    png = client.get("/lapor/qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert "attachment" in png.headers["content-disposition"]
    svg = client.get("/lapor/qr.svg?unduh=1")
    assert "attachment" in svg.headers["content-disposition"]


def test_api_docs_work_offline(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "//" not in page.text.replace("http://testserver", "")
    assert "/api/docs/static/swagger-ui-bundle.js" in page.text
    js = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and "SwaggerUIBundle" in js.text
    assert client.get("/api/docs/static/swagger-ui.css").status_code == 200


def _receipt(page: str) -> tuple[str, str]:
    number = re.search(r'id="intake-number">([^<]+)<', page)
    secret = re.search(r'id="intake-secret">([^<]+)<', page)
    assert number and secret, page[-800:]
    return number.group(1), secret.group(1)


def test_citizen_follows_their_report_with_number_and_secret(
    client: TestClient, world: World, clock: Clock
) -> None:
    from models import Complaint, FollowUp, IntakeReceipt, TriageState
    from tests.web.conftest import login

    number, secret = _receipt(_submit(client, clock, nama="Budi", kontak="0812 3456 7890").text)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", secret)
    with Session(world.engine) as s:
        receipt = s.scalars(select(IntakeReceipt)).one()
        assert secret.replace("-", "") not in receipt.secret_hash  # only a keyed hash is kept
    page = client.post("/lapor/status", data={"nomor": number.lower(), "kode": secret.lower()})
    assert page.status_code == 200
    assert "menunggu pemeriksaan petugas" in page.text
    # A wrong secret, and an unknown number, get the same answer.
    wrong = client.post("/lapor/status", data={"nomor": number, "kode": "AAAA-AAAA"})
    unknown = client.post("/lapor/status", data={"nomor": "WEB-20260101-00000000", "kode": secret})
    assert wrong.status_code == unknown.status_code == 404
    assert "tidak cocok" in wrong.text and "tidak cocok" in unknown.text
    # Confirmed into a complaint, forwarded, followed up: public notes only, redacted.
    [item] = _web_items(world)
    with Session(world.engine) as s, s.begin():
        c = Complaint(
            title="Lampu jalan mati", description="x", topic="infrastructure",
            agency_id=world.agencies["6371-pupr"],
        )  # fmt: skip
        s.add(c)
        s.flush()
        c.assign_tracking_number()
        db_item = s.get(Item, item.id)
        db_item.complaint_id, db_item.triage_state = c.id, TriageState.CONFIRMED
        cid = c.id
    csrf = login(client, "operator")
    client.post(f"/aduan/{cid}/status", data={"csrf_token": csrf, "status": "verified"})
    client.post(f"/aduan/{cid}/teruskan", data={"csrf_token": csrf})
    client.cookies.clear()
    csrf = login(client, "pupr")
    client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={
            "csrf_token": csrf, "publik": "1",
            "catatan": "Lampu diganti Kamis. Hubungi petugas 0812-9999-8888.",
        },
    )  # fmt: skip
    client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "INTERNAL: kontraktor lalai"},
    )
    client.cookies.clear()
    page = client.post("/lapor/status", data={"nomor": number, "kode": secret}).text
    assert "Sedang ditindaklanjuti SKPD" in page
    assert "Dinas Pekerjaan Umum" in page or "PUPR" in page
    assert "Lampu diganti Kamis" in page and "[nomor telepon disamarkan]" in page
    assert "0812-9999-8888" not in page and "INTERNAL" not in page
    assert "Budi" not in page and "0812 3456 7890" not in page  # the reporter's own contact
    with Session(world.engine) as s:
        assert s.scalars(select(FollowUp)).all()  # both notes exist; one is public


def test_status_lookups_are_rate_limited(client: TestClient, world: World, clock: Clock) -> None:
    for _ in range(30):
        client.post("/lapor/status", data={"nomor": "WEB-1", "kode": "AAAA"})
    r = client.post("/lapor/status", data={"nomor": "WEB-1", "kode": "AAAA"})
    assert r.status_code == 429 and "Terlalu banyak percobaan" in r.text


def test_a_rejected_report_says_why_in_plain_words(
    client: TestClient, world: World, clock: Clock
) -> None:
    from models import RejectReason

    number, secret = _receipt(_submit(client, clock).text)
    [item] = _web_items(world)
    with Session(world.engine) as s, s.begin():
        from triage.actions import Actor, reject_item

        reject_item(s, item.id, Actor(name="admin"), reason=RejectReason.DUPLICATE, now=utcnow())
    page = client.post("/lapor/status", data={"nomor": number, "kode": secret}).text
    assert "Tidak diteruskan" in page and "sudah dilaporkan" in page
