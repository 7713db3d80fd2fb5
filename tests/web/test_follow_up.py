"""Follow-up notes with attachments, public and internal notes, response templates, and
an admin's correction of a confirmed complaint — over HTTP, with the roles that may."""

from __future__ import annotations

import io
import struct
import zlib

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Attachment, Complaint, Event, FollowUp, ResponseTemplate, TriageDecision
from tests.web.conftest import World, login


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _flash(client: TestClient, response: object) -> str:
    return client.get(response.headers["location"]).text  # type: ignore[attr-defined]


def test_officer_attaches_a_photo_that_only_authorised_roles_fetch(
    client: TestClient, world: World
) -> None:
    cid = world.complaints["dishub_fwd"]
    csrf = login(client, "dishub")
    photo = _png()
    r = client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "Lampu sudah diganti", "status": "done"},
        files=[
            ("lampiran", ("../../etc/foto lokasi.PNG", io.BytesIO(photo), "image/png")),
        ],
    )
    assert r.status_code == 303
    with Session(world.engine) as s:
        att = s.scalars(select(Attachment)).one()
        assert att.filename == "foto lokasi.png" and att.size == len(photo)
        assert att.content_type == "image/png"
        assert s.get(Complaint, cid).status.value == "done"
    page = client.get(f"/aduan/{cid}").text
    assert f'href="/lampiran/{att.id}"' in page and "foto lokasi.png" in page
    got = client.get(f"/lampiran/{att.id}")
    assert got.status_code == 200 and got.content == photo
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    # Another SKPD's officer, a viewer and the public do not get it.
    client.cookies.clear()
    login(client, "pupr")
    assert client.get(f"/lampiran/{att.id}").status_code == 404
    client.cookies.clear()
    login(client, "viewer")
    assert client.get(f"/lampiran/{att.id}").status_code == 403
    client.cookies.clear()
    assert client.get(f"/lampiran/{att.id}").status_code == 303  # to the login page
    login(client, "operator")
    assert client.get(f"/lampiran/{att.id}").content == photo


def test_hostile_and_oversized_files_are_refused_and_nothing_is_saved(
    client: TestClient, world: World
) -> None:
    cid = world.complaints["dishub_fwd"]
    csrf = login(client, "dishub")
    page = b"<html><script>alert(1)</script></html>"
    r = client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "lihat foto"},
        files=[("lampiran", ("foto.jpg", io.BytesIO(page), "image/jpeg"))],
    )
    assert "bukan foto (JPEG, PNG, WebP) atau PDF" in _flash(client, r)
    big = b"%PDF-1.4\n" + b"0" * 5_100_000
    r = client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "surat"},
        files=[("lampiran", ("surat.pdf", io.BytesIO(big), "application/pdf"))],
    )
    assert "terlalu besar" in _flash(client, r)
    r = client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "empat foto"},
        files=[("lampiran", (f"f{n}.png", io.BytesIO(_png()), "image/png")) for n in range(4)],
    )
    assert r.status_code == 400 and "paling banyak 3 lampiran" in r.text
    # A file is refused on a form that takes none.
    r = client.post(
        f"/aduan/{cid}/status",
        data={"csrf_token": csrf, "status": "in_progress"},
        files=[("lampiran", ("f.png", io.BytesIO(_png()), "image/png"))],
    )
    assert r.status_code == 400
    with Session(world.engine) as s:
        assert s.scalars(select(FollowUp)).all() == []
        assert s.scalars(select(Attachment)).all() == []


def test_public_and_internal_notes_are_marked(client: TestClient, world: World) -> None:
    cid = world.complaints["dishub_fwd"]
    csrf = login(client, "dishub")
    client.post(
        f"/aduan/{cid}/tindak-lanjut",
        data={"csrf_token": csrf, "catatan": "Dijadwalkan Senin", "publik": "1"},
    )
    client.post(
        f"/aduan/{cid}/tindak-lanjut", data={"csrf_token": csrf, "catatan": "anggaran habis"}
    )
    with Session(world.engine) as s:
        notes = {f.note: f.is_public for f in s.scalars(select(FollowUp))}
    assert notes == {"Dijadwalkan Senin": True, "anggaran habis": False}
    page = client.get(f"/aduan/{cid}").text
    assert 'class="badge public">publik' in page and ">internal</span>" in page


def test_response_templates_per_skpd(client: TestClient, world: World) -> None:
    csrf = login(client, "dishub")
    # An officer's template is always their own SKPD's, whatever the form says.
    r = client.post(
        "/templat-tanggapan",
        data={
            "csrf_token": csrf,
            "judul": "Dijadwalkan",
            "isi": "Perbaikan dijadwalkan minggu ini.",
            "skpd": str(world.agencies["6371-pupr"]),
        },
    )
    assert "Templat disimpan" in _flash(client, r)
    with Session(world.engine) as s:
        own = s.scalars(select(ResponseTemplate)).one()
        assert own.agency_id == world.agencies["6371-dishub"]
        s.add(
            ResponseTemplate(
                agency_id=world.agencies["6371-pupr"], title="PUPR saja", body="jalan kami"
            )
        )
        s.add(ResponseTemplate(agency_id=None, title="Umum", body="Terima kasih."))
        s.commit()
        pupr_id = s.scalar(select(ResponseTemplate.id).where(ResponseTemplate.title == "PUPR saja"))
    page = client.get(f"/aduan/{world.complaints['dishub_fwd']}").text
    assert 'id="template-picker"' in page
    assert 'data-body="Perbaikan dijadwalkan minggu ini."' in page
    assert "Umum (umum)" in page and "PUPR saja" not in page
    assert "PUPR saja" not in client.get("/templat-tanggapan").text
    r = client.post(
        f"/templat-tanggapan/{pupr_id}/ubah",
        data={"csrf_token": csrf, "judul": "diambil alih", "isi": "x"},
    )
    assert "templat tidak ditemukan" in _flash(client, r)
    r = client.post(f"/templat-tanggapan/{pupr_id}/hapus", data={"csrf_token": csrf})
    assert "templat tidak ditemukan" in _flash(client, r)
    # Staff manage every SKPD's templates.
    client.cookies.clear()
    csrf = login(client, "admin")
    r = client.post(f"/templat-tanggapan/{pupr_id}/hapus", data={"csrf_token": csrf})
    assert "Templat dihapus" in _flash(client, r)


def test_admin_corrects_a_confirmed_complaint_and_the_log_keeps_no_personal_data(
    client: TestClient, world: World
) -> None:
    cid = world.complaints["verified"]
    csrf = login(client, "admin")
    r = client.post(
        f"/aduan/{cid}/ubah",
        data={
            "csrf_token": csrf,
            "judul": "Jalan rusak, hub 081234567890",
            "isi": "NIK 6371012345670001 jalan berlubang di Kayu Tangi",
            "topik": "infrastructure",
            "skpd": str(world.agencies["6371-pupr"]),
            "wilayah": str(world.regions["63.71"]),
            "samarkan": "1",
        },
    )
    assert "Aduan diperbarui" in _flash(client, r)
    with Session(world.engine) as s:
        c = s.get(Complaint, cid)
        assert c.title == "Jalan rusak, hub [nomor telepon disamarkan]"
        assert c.description == "NIK [NIK disamarkan] jalan berlubang di Kayu Tangi"
        assert c.topic == "infrastructure" and c.agency_id == world.agencies["6371-pupr"]
        event = s.scalars(select(Event).where(Event.action == "edit")).one()
        assert event.after["title"] == "diubah" and event.after["topic"] == "infrastructure"
        assert "Aduan verified" not in str(event.before) and "0812" not in str(event.after)
    page = client.get(f"/aduan/{cid}").text
    assert "isi atau label aduan diubah" not in page  # label: "diubah" on "aduan"
    assert "aduan #" in page and "diubah" in page
    # After forwarding, the SKPD is changed by re-routing, not by editing.
    client.post(f"/aduan/{cid}/teruskan", data={"csrf_token": csrf})
    r = client.post(
        f"/aduan/{cid}/ubah",
        data={
            "csrf_token": csrf,
            "judul": "Jalan rusak",
            "isi": "jalan berlubang",
            "topik": "infrastructure",
            "skpd": str(world.agencies["6371-dishub"]),
            "wilayah": str(world.regions["63.71"]),
        },
    )
    assert "teruskan ulang" in _flash(client, r)
    # An officer cannot edit.
    client.cookies.clear()
    csrf = login(client, "pupr")
    r = client.post(f"/aduan/{cid}/ubah", data={"csrf_token": csrf, "judul": "x", "isi": "y"})
    assert r.status_code == 403


def test_relabelling_a_complaint_is_a_training_decision(client: TestClient, world: World) -> None:
    cid = world.complaints["verified"]
    with Session(world.engine) as s, s.begin():
        from models import Item, TriageState

        item = s.get(Item, world.items["lampu"])
        item.complaint_id, item.triage_state = cid, TriageState.CONFIRMED
    csrf = login(client, "operator")
    client.post(
        f"/aduan/{cid}/ubah",
        data={
            "csrf_token": csrf,
            "judul": "Aduan verified",
            "isi": "Isi",
            "topik": "infrastructure",
            "skpd": str(world.agencies["6371-pupr"]),
            "wilayah": str(world.regions["63.71"]),
        },
    )
    with Session(world.engine) as s:
        latest = s.scalars(
            select(TriageDecision)
            .where(TriageDecision.item_id == world.items["lampu"])
            .order_by(TriageDecision.id.desc())
        ).first()
        assert latest is not None and latest.topic == "infrastructure"
        assert latest.agency_id == world.agencies["6371-pupr"]
