"""Every role against every route: allowed roles get through, the others get 403.

The table below is the access policy written down independently of the code; a
test fails when a route exists that the table does not cover.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Source, utcnow
from tests.web.conftest import World, login
from web import admin, auth, complaints, exports, intake, item, model, queue, reports, responses

A, OP, S, V = "admin", "operator", "dishub", "viewer"  # S: an agency officer (Dishub)
STAFF = {A, OP}
ALL = {A, OP, S, V}
PUBLIC = "public"

POLICY: dict[tuple[str, str], set[str] | str] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ALL,
    ("GET", "/"): ALL,
    ("GET", "/antrean"): STAFF,
    ("POST", "/antrean/filter"): STAFF,
    ("POST", "/antrean/filter/{filter_id}/hapus"): STAFF,
    ("POST", "/antrean/massal"): STAFF,
    ("GET", "/item/{item_id}"): STAFF,
    ("POST", "/item/{item_id}/konfirmasi"): STAFF,
    ("POST", "/item/{item_id}/gabung"): STAFF,
    ("POST", "/item/{item_id}/tolak"): STAFF,
    ("POST", "/item/{item_id}/tunda"): STAFF,
    ("POST", "/item/{item_id}/antrean-utama"): STAFF,
    ("GET", "/aduan"): {A, OP, S},
    ("GET", "/aduan/{complaint_id}"): {A, OP, S},
    ("POST", "/aduan/{complaint_id}/teruskan"): STAFF,
    ("POST", "/aduan/{complaint_id}/tindak-lanjut"): {A, OP, S},
    ("POST", "/aduan/{complaint_id}/status"): {A, OP, S},
    ("POST", "/aduan/{complaint_id}/kembalikan"): {S},
    ("POST", "/aduan/{complaint_id}/lapor-id"): STAFF,
    ("GET", "/aduan-ekspor.csv"): {A, OP, S},
    ("GET", "/aduan-ekspor.xlsx"): {A, OP, S},
    ("GET", "/laporan"): ALL,  # an agency officer sees their own SKPD
    ("GET", "/laporan/grafik/{name}.svg"): ALL,
    ("GET", "/laporan/daftar"): ALL,
    ("GET", "/laporan/unduh"): ALL,
    ("GET", "/lapor"): PUBLIC,
    ("POST", "/lapor"): PUBLIC,
    ("GET", "/lapor/qr"): PUBLIC,
    ("GET", "/lapor/qr.svg"): PUBLIC,
    ("GET", "/lapor/qr.png"): PUBLIC,
    ("GET", "/pengguna"): {A},
    ("POST", "/pengguna"): {A},
    ("POST", "/pengguna/{user_id}/aktif"): {A},
    ("GET", "/sumber"): {A},
    ("POST", "/sumber/{source_id}/aktif"): {A},
    ("POST", "/sumber/feed"): {A},
    ("POST", "/sumber/{source_id}/ubah"): {A},
    ("POST", "/sumber/{source_id}/jalankan"): {A},
    ("GET", "/model"): {A, OP},
    ("POST", "/model/latih"): {A},
    ("POST", "/pengguna/{user_id}/ubah"): {A},
    ("GET", "/lampiran/{attachment_id}"): {A, OP, S},
    ("POST", "/aduan/{complaint_id}/ubah"): STAFF,
    ("GET", "/templat-tanggapan"): {A, OP, S},
    ("POST", "/templat-tanggapan"): {A, OP, S},
    ("POST", "/templat-tanggapan/{template_id}/ubah"): {A, OP, S},
    ("POST", "/templat-tanggapan/{template_id}/hapus"): {A, OP, S},
    ("GET", "/lapor/status"): PUBLIC,
    ("POST", "/lapor/status"): PUBLIC,
}


def _routes() -> list[tuple[str, str]]:
    found = []
    modules = (auth, queue, item, complaints, exports, reports, intake, admin, responses, model)
    for module in modules:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods - {"HEAD"}:
                found.append((method, route.path))
    return sorted(found, key=lambda r: (r[1] == "/logout", r))


def test_policy_covers_every_route() -> None:
    assert set(_routes()) == set(POLICY)


def _url(path: str, world: World) -> str:
    with Session(world.engine) as s:
        source_id = s.scalar(select(Source.id).order_by(Source.id))
    return (
        path.replace("{item_id}", str(world.items["storm0"]))
        .replace("{complaint_id}", str(world.complaints["dishub_fwd"]))
        .replace("{user_id}", str(world.users["operator2"]))
        .replace("{source_id}", str(source_id))
        .replace("{filter_id}", "999999")
        .replace("{attachment_id}", "999999")
        .replace("{template_id}", "999999")
        .replace("{name}", "topik")
    )


@pytest.mark.parametrize("role", [*sorted(ALL), "anonymous"])
def test_every_role_against_every_route(client: TestClient, world: World, role: str) -> None:
    csrf = login(client, role) if role != "anonymous" else ""
    for method, path in _routes():
        allowed = POLICY[(method, path)]
        url = _url(path, world)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf})
        where = f"{role} {method} {path} -> {response.status_code}"
        if allowed == PUBLIC:
            assert response.status_code < 500, where
            continue
        if role == "anonymous":
            assert response.status_code == 303, where
            assert response.headers["location"].startswith("/login?next="), where
        elif role in allowed:
            assert response.status_code in (200, 303, 400, 404), where
            if response.status_code == 303 and path != "/logout":
                assert not response.headers["location"].startswith("/login"), where
        else:
            assert response.status_code == 403, where
            assert "tidak berhak" in response.text, where


def test_officer_sees_only_own_agency(client: TestClient, world: World) -> None:
    login(client, "pupr")
    mine, theirs = world.complaints["pupr_fwd"], world.complaints["dishub_fwd"]
    listing = client.get("/aduan")
    assert "Aduan pupr_fwd" in listing.text
    assert "Aduan dishub_fwd" not in listing.text
    # A filter in the URL does not widen the scope.
    listing = client.get(f"/aduan?skpd={world.agencies['6371-dishub']}")
    assert "Aduan dishub_fwd" not in listing.text
    assert client.get(f"/aduan/{mine}").status_code == 200
    assert client.get(f"/aduan/{theirs}").status_code == 404
    export = client.get("/aduan-ekspor.csv")
    assert "Aduan pupr_fwd" in export.text and "dishub_fwd" not in export.text


MALFORMED: list[dict[str, object]] = [
    {
        "content": b"\xff\xfe\x00garbage=\x80\x81",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    },
    {"content": b'{"aksi": "tolak"}', "headers": {"content-type": "application/json"}},
    {
        "content": b'--x\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        b"\r\nabc\r\n--x--\r\n",
        "headers": {"content-type": "multipart/form-data; boundary=x"},
    },
    {"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=x"}},
    {
        "data": {
            "item": ["1", "abc", "-5"],
            "aksi": "tolak",
            "alasan": "x" * 50,
            "skpd": "1e9",
            "status": "selesai!!",
            "judul": "\x00",
        }
    },
    {"data": {f"f{n}": "x" for n in range(700)}},
]


def test_malformed_posts_never_cause_a_500(client: TestClient, world: World) -> None:
    csrf = login(client, "admin")
    client.headers["x-csrf-token"] = csrf
    for method, path in _routes():
        if method != "POST" or path == "/logout":
            continue
        for payload in MALFORMED:
            response = client.post(_url(path, world), **payload)  # type: ignore[arg-type]
            assert response.status_code < 500, f"{path} {payload!r:.80} -> {response.status_code}"
            if response.status_code >= 400:
                assert "text/html" in response.headers["content-type"]


def test_odd_query_strings_never_cause_a_500(client: TestClient, world: World) -> None:
    login(client, "admin")
    odd = [
        "hal=-1", "hal=99999999999999", "hal=abc", "q=" + "%25" * 500, "q=%00%ff",
        "status=%3Cscript%3E", "skpd=99999999999999999999", "dari=2026-02-31",
        "sampai=9999-99-99", "yakin_min=1e309", "yakin_maks=-inf", "yakin_min=nan",
        "terlambat=1&status=done", "topik=" + "x" * 5000,
    ]  # fmt: skip
    for page in ("/antrean", "/aduan", "/aduan-ekspor.csv", "/aduan-ekspor.xlsx"):
        for query in odd:
            response = client.get(f"{page}?{query}")
            assert response.status_code < 500, f"{page}?{query[:60]} -> {response.status_code}"


def test_the_403_page_keeps_the_navigation_and_logout(client: TestClient, world: World) -> None:
    login(client, "viewer")
    page = client.get("/antrean")
    assert page.status_code == 403
    assert 'action="/logout"' in page.text and 'href="/laporan"' in page.text


def test_officer_reports_cover_their_own_skpd_only(client: TestClient, world: World) -> None:
    login(client, "dishub")
    today = utcnow().astimezone(ZoneInfo("Asia/Makassar")).date()
    period = f"{today - timedelta(days=30)}..{today}"
    page = client.get(f"/laporan?periode={period}&skpd={world.agencies['6371-pupr']}")
    assert page.status_code == 200
    assert "Dinas Perhubungan Kota Banjarmasin" in page.text.split("</h1>", 1)[1][:300]
    follow = page.text.split("Tindak lanjut per SKPD</h2>", 1)[1].split("</table>", 1)[0]
    assert "Dinas Perhubungan Kota Banjarmasin" in follow and "Pekerjaan Umum" not in follow
    listing = client.get(f"/laporan/daftar?periode={period}&ukuran=diteruskan")
    assert listing.text.count("<tr>") == 2  # header + the one Dishub complaint
    xlsx = client.get(f"/laporan/unduh?periode={period}&format=md")
    assert "Pekerjaan Umum" not in xlsx.text.split("## Tindak lanjut per SKPD", 1)[1]


def test_enabling_x_without_a_token_is_refused_on_the_web(client: TestClient, world: World) -> None:
    from models import SourceKind

    with Session(world.engine) as s, s.begin():
        x = Source(kind=SourceKind.X, name="X sebutan", config={}, enabled=False)
        s.add(x)
        s.flush()
        source_id = x.id
    csrf = login(client, "admin")
    r = client.post(f"/sumber/{source_id}/aktif", data={"csrf_token": csrf})
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "token API X belum diatur" in page.text
    with Session(world.engine) as s:
        assert s.get(Source, source_id).enabled is False


def test_admin_changes_role_email_and_password_on_the_web(client: TestClient, world: World) -> None:
    from models import Event, User

    csrf = login(client, "admin")
    target = world.users["operator2"]
    r = client.post(
        f"/pengguna/{target}/ubah",
        data={
            "csrf_token": csrf,
            "peran": "agency_officer",
            "skpd": "6371-dishub",
            "email": "kabid@dishub.test",
            "password": "sandi-baru-panjang-1",
        },
    )
    page = client.get(r.headers["location"])
    assert "operator2: peran, email, kata sandi." in page.text
    with Session(world.engine) as s:
        user = s.get(User, target)
        assert user.role.value == "agency_officer" and user.email == "kabid@dishub.test"
        assert user.agency_id == world.agencies["6371-dishub"]
        actions = set(
            s.scalars(
                select(Event.action).where(Event.entity_type == "user", Event.entity_id == target)
            )
        )
        assert {"role", "email", "password"} <= actions
    bad = client.post(
        f"/pengguna/{target}/ubah",
        data={"csrf_token": csrf, "peran": "agency_officer", "skpd": "6371-dishbu"},
    )
    assert "Gagal" in client.get(bad.headers["location"]).text
    mine = client.post(
        f"/pengguna/{world.users['admin']}/ubah", data={"csrf_token": csrf, "peran": "viewer"}
    )
    assert "peran admin akun sendiri" in client.get(mine.headers["location"]).text
    client.cookies.clear()
    login(client, "operator2", "sandi-baru-panjang-1")
    assert client.get("/aduan?perlu=1").status_code == 200  # now an SKPD officer
