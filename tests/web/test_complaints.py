"""Complaint lifecycle over HTTP: forward with working-day deadlines, follow-up,
"bukan wewenang" re-routing, overdue list, SP4N-LAPOR! id, exports, reports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Complaint, ComplaintStatus, Event, FollowUp, Item, TriageDecision, utcnow
from reports.exports import EXPORT_COLUMNS
from tests.web.conftest import Clock, World, login

WITA = ZoneInfo("Asia/Makassar")


def _flash(client: TestClient, location: str) -> str:
    return client.get(location).text


def test_forward_counts_three_working_days_past_holidays(
    client: TestClient, world: World, clock: Clock
) -> None:
    # Wednesday 23 Dec 2026, 10:00 WITA: 24 Dec (cuti bersama), 25 Dec (Natal) and the
    # weekend do not count -> Mon 28, Tue 29, Wed 30 -> due 30 Dec 23:59:59 WITA.
    clock.now = datetime(2026, 12, 23, 10, 0, tzinfo=WITA).astimezone(UTC)
    csrf = login(client, "operator")
    cid = world.complaints["verified"]
    r = client.post(
        f"/aduan/{cid}/teruskan",
        data={"csrf_token": csrf, "skpd": str(world.agencies["6371-dishub"])},
    )
    assert r.status_code == 303
    with Session(world.engine) as s:
        c = s.get(Complaint, cid)
        assert c.status is ComplaintStatus.FORWARDED
        assert c.due_at == datetime(2026, 12, 30, 23, 59, 59, tzinfo=WITA)
    page = client.get(f"/aduan/{cid}")
    assert "30 Des 2026 23:59 WITA" in page.text


def test_officer_follows_up_and_finishes(client: TestClient, world: World) -> None:
    csrf = login(client, "dishub")
    cid = world.complaints["dishub_fwd"]
    r = client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "Tim sudah ke lokasi", "status": "in_progress"},
    )
    assert r.status_code == 303
    r = client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "Lampu sudah diganti", "status": "done"},
    )
    with Session(world.engine) as s:
        c = s.get(Complaint, cid)
        assert c.status is ComplaintStatus.DONE
        assert c.first_follow_up_at is not None and c.finished_at is not None
        notes = list(s.scalars(select(FollowUp.note).where(FollowUp.complaint_id == cid)))
        assert notes == ["Tim sudah ke lokasi", "Lampu sudah diganti"]
    page = client.get(f"/aduan/{cid}")
    assert "Lampu sudah diganti" in page.text and "selesai" in page.text
    # A move the officer may not make is refused with a message.
    r = client.post(
        f"/aduan/{cid}/status", data={"csrf_token": csrf, "status": "closed", "catatan": "x"}
    )
    assert "tidak boleh" in _flash(client, r.headers["location"])
    # Empty follow-up note.
    r = client.post(f"/aduan/{cid}/tindak-lanjut", data={"csrf_token": csrf, "catatan": " "})
    assert "Gagal" in _flash(client, r.headers["location"])


def test_not_our_authority_goes_back_and_is_rerouted(client: TestClient, world: World) -> None:
    cid = world.complaints["dishub_fwd"]
    with Session(world.engine) as s, s.begin():
        item = s.get(Item, world.items["lampu"])
        item.complaint_id = cid
        item.triage_state = item.triage_state.CONFIRMED
    csrf = login(client, "dishub")
    r = client.post(
        f"/aduan/{cid}/kembalikan", data={"csrf_token": csrf, "alasan": "jalan kota, bukan lampu"}
    )
    assert r.headers["location"] == "/aduan"
    with Session(world.engine) as s:
        assert s.get(Complaint, cid).status is ComplaintStatus.VERIFIED
    client.cookies.clear()
    csrf = login(client, "operator")
    page = client.get(f"/aduan/{cid}")
    assert "bukan wewenang: jalan kota, bukan lampu" in page.text
    assert "dikembalikan: bukan wewenang" in page.text
    # Marked, and first in the operator's list until it is forwarded again.
    listing = client.get("/aduan").text
    first_row = listing.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert f"/aduan/{cid}" in first_row and "bukan wewenang — teruskan ulang" in first_row
    assert "dikembalikan oleh Dinas Perhubungan Kota Banjarmasin" in first_row
    r = client.post(
        f"/aduan/{cid}/teruskan",
        data={"csrf_token": csrf, "skpd": str(world.agencies["6371-pupr"])},
    )
    assert "teruskan ulang" not in client.get("/aduan").text
    with Session(world.engine) as s:
        c = s.get(Complaint, cid)
        assert c.status is ComplaintStatus.FORWARDED
        assert c.agency_id == world.agencies["6371-pupr"]
        assert s.scalar(select(Event.id).where(Event.action == "reroute")) is not None
        # The corrected agency becomes the newest training label of the item.
        latest = s.scalars(
            select(TriageDecision)
            .where(TriageDecision.item_id == world.items["lampu"])
            .order_by(TriageDecision.id.desc())
        ).first()
        assert latest.agency_id == world.agencies["6371-pupr"]
    client.cookies.clear()
    login(client, "pupr")
    assert client.get(f"/aduan/{cid}").status_code == 200


def test_overdue_complaints_are_flagged_and_listed(client: TestClient, world: World) -> None:
    login(client, "operator")
    page = client.get("/aduan?terlambat=1")
    assert "Aduan dishub_fwd" in page.text and "Aduan pupr_fwd" in page.text
    assert "Aduan verified" not in page.text
    assert "2 terlambat" in page.text
    assert page.text.count('class="badge late"') == 2
    detail = client.get(f"/aduan/{world.complaints['dishub_fwd']}")
    assert "terlambat: tenggat" in detail.text


def test_lapor_id_and_search(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    cid = world.complaints["verified"]
    client.post(f"/aduan/{cid}/lapor-id", data={"csrf_token": csrf, "lapor_id": "LAPOR-8812345"})
    with Session(world.engine) as s:
        assert s.get(Complaint, cid).lapor_tracking_id == "LAPOR-8812345"
    page = client.get("/aduan?q=LAPOR-8812345")
    assert "Aduan verified" in page.text and "Aduan dishub_fwd" not in page.text
    assert "Aduan pupr_fwd" in client.get("/aduan?q=pupr_").text


def test_exports_follow_the_filter_and_defuse_formulas(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    cid = world.complaints["verified"]
    with Session(world.engine) as s, s.begin():
        s.get(Complaint, cid).title = '=HYPERLINK("http://evil")'
    r = client.get("/aduan-ekspor.csv?status=verified")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert len(rows) == 2
    assert rows[1][3].startswith("'=HYPERLINK")
    assert rows[1][8] == "diverifikasi"
    x = client.get("/aduan-ekspor.xlsx?terlambat=1")
    sheet = load_workbook(io.BytesIO(x.content)).active
    values = list(sheet.values)
    assert tuple(values[0]) == EXPORT_COLUMNS
    assert len(values) == 3 and all(v[14] == "Ya" for v in values[1:])
    assert csrf


def test_report_page_shows_follow_up_rates(client: TestClient, world: World) -> None:
    csrf = login(client, "dishub")
    client.post(
        f"/aduan/{world.complaints['dishub_fwd']}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "selesai", "status": "done"},
    )
    client.cookies.clear()
    login(client, "viewer")
    today = utcnow().astimezone(ZoneInfo("Asia/Makassar")).date()
    period = f"{today - timedelta(days=30)}..{today}"  # forwarded 9 days ago
    page = client.get(f"/laporan?periode={period}")
    assert page.status_code == 200
    tables = page.text.split("Tindak lanjut per SKPD</h2>", 1)[1]
    row = tables.split("Dinas Perhubungan Kota Banjarmasin</td>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row.replace("\n", ""))
    # n, % ditindaklanjuti, % selesai, % dalam proses
    assert [re.sub(r"<[^>]+>", "", c) for c in cells[:4]] == ["1", "100%", "100%", "0%"]
    assert "ukuran=selesai" in row  # every number links to the complaints behind it
    region = tables.split("Tindak lanjut per kabupaten/kota</h2>", 1)[1]
    row = region.split("Kota Banjarmasin</td>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row.replace("\n", ""))
    assert [re.sub(r"<[^>]+>", "", c) for c in cells[:2]] == ["2", "50%"]
    listing = client.get(
        re.findall(r'href="(/laporan/daftar\?[^"]*ukuran=selesai[^"]*)"', row)[0].replace(
            "&amp;", "&"
        )
    )
    assert listing.status_code == 200 and listing.text.count("<tr>") == 2  # header + 1


def test_the_timeline_reads_in_indonesian(client: TestClient, world: World) -> None:
    cid = world.complaints["verified"]
    csrf = login(client, "operator")
    client.post(f"/aduan/{cid}/lapor-id", data={"csrf_token": csrf, "lapor_id": "LAPOR-1"})
    client.post(
        f"/aduan/{cid}/teruskan",
        data={"csrf_token": csrf, "skpd": str(world.agencies["6371-pupr"])},
    )
    page = client.get(f"/aduan/{cid}")
    timeline = page.text.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "aduan #" in timeline and "ID SP4N-LAPOR! dicatat" in timeline
    assert "SKPD tujuan diganti" in timeline and "status diubah" in timeline
    for english in ("complaint #", " create", "lapor_id", "reroute"):
        assert english not in timeline, english


def test_an_officer_lands_on_what_needs_action_with_days_left(
    client: TestClient, world: World, clock: Clock
) -> None:
    login(client, "dishub")
    page = client.get("/", follow_redirects=True)
    assert page.url.path == "/aduan" and page.url.query == b"perlu=1"
    assert "<h1>Perlu tindakan</h1>" in page.text
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") == 1  # the one forwarded to Dishub; not the verified one
    assert "terlambat" in body.split('class="days-left">', 1)[1].split("</td>", 1)[0]
    # A fresh forwarding shows the working days left.
    with Session(world.engine) as s, s.begin():
        c = s.get(Complaint, world.complaints["dishub_fwd"])
        c.due_at = clock.now + timedelta(days=14)
    body = client.get("/aduan?perlu=1").text.split("<tbody>", 1)[1]
    left = body.split('class="days-left">', 1)[1].split("</td>", 1)[0]
    assert re.fullmatch(r"\d+ hari kerja lagi", left), left


def test_one_form_per_status_and_the_default_is_the_normal_next_step(
    client: TestClient, world: World
) -> None:
    login(client, "operator")

    def form(cid: int, form_id: str) -> str:
        page = client.get(f"/aduan/{cid}").text
        return page.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0] if form_id in page else ""

    verified = form(world.complaints["verified"], "status-form")
    assert '<option value="" selected>— pilih status —</option>' in verified
    assert 'value="rejected" selected' not in verified and 'value="rejected"' in verified
    forwarded = world.complaints["pupr_fwd"]
    status_form = form(forwarded, "status-form")
    assert 'value="in_progress"' not in status_form and 'value="done"' not in status_form
    assert 'value="in_progress" selected' in form(forwarded, "follow-up-form")
    with Session(world.engine) as s, s.begin():
        s.get(Complaint, forwarded).status = ComplaintStatus.IN_PROGRESS
    assert 'value="done" selected' in form(forwarded, "follow-up-form")
    with Session(world.engine) as s, s.begin():
        s.get(Complaint, forwarded).status = ComplaintStatus.DONE
    assert 'value="in_progress" selected' in form(forwarded, "status-form")  # re-open
