"""The web app in a real browser (Debian's chromium driven by Playwright) over real HTTP.

``make test`` installs chromium with apt when it is missing. Set ADUAN_SCREENSHOTS to a
directory to save screenshots of the main pages (docs/screenshots was made that way).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aduan.settings import get_settings
from models import Complaint, Item, TriageState
from tests.web.conftest import PASSWORD, World, build_world
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
SHOTS = os.environ.get("ADUAN_SCREENSHOTS")

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser_world(sqlite_engine: Engine) -> World:
    from aduan.reference import load_agencies, load_regions

    with Session(sqlite_engine) as s, s.begin():
        load_regions(s)
        load_agencies(s)
    return build_world(sqlite_engine)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(browser_world: World) -> Iterator[str]:
    app = create_app(settings=get_settings(), engine=browser_world.engine)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("CI: Debian chromium is not installed (make test installs it)")
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("dialog", lambda dialog: dialog.accept())
        yield pg
        context.close()
        browser.close()
        assert errors == [], errors


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def _login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_operator_filters_confirms_and_rejects(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    world = browser_world
    page.goto("/")
    assert page.url.endswith("/login?next=%2F")
    _shot(page, "login")
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    assert page.locator(".card").count() == 5
    _shot(page, "queue")
    page.select_option("select[name=topik]", "transport")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url("**topik=transport**")
    assert page.locator(".card").count() == 2
    # Open the traffic-light card and confirm it into a complaint.
    page.click(f'.card[data-item="{world.items["lampu"]}"] a.button')
    page.wait_for_url(f"**/item/{world.items['lampu']}?kembali=**")
    _shot(page, "item")
    page.fill("input[name=judul]", "Lampu lalu lintas mati di simpang")
    page.click("#confirm-btn")
    # Back on the same filtered view, not the whole queue.
    page.wait_for_url("**/antrean?**topik=transport**")
    assert "dibuat" in page.locator(".flash").inner_text()
    # Reject one from its own page.
    page.goto(f"/item/{world.items['spam']}")
    page.select_option("#reject-reason", "spam")
    page.click("#reject-btn")
    page.wait_for_url("**/antrean**")
    assert "ditolak" in page.locator(".flash").inner_text()
    with Session(world.engine) as s:
        complaint = s.scalar(select(Complaint).where(Complaint.title.like("Lampu lalu lintas%")))
        assert complaint is not None and complaint.status.value == "verified"
        assert s.get(Item, world.items["spam"]).triage_state is TriageState.REJECTED
    # The model page counts the confirmation against the model that suggested it.
    page.click("nav a[href='/model']")
    page.wait_for_url("**/model")
    cells = page.locator('#agreement tr[data-version="test"] td')
    assert [cells.nth(i).inner_text() for i in (1, 2)] == ["1", "100%"]
    assert page.locator("#retrain-form").count() == 0  # an operator reads; an admin retrains
    _shot(page, "model")


def test_bulk_reject_with_keyboard(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    world = browser_world
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    # j moves to the first card, x selects it; the second one by clicking.
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.locator(".card .pick").nth(1).check()
    assert page.locator("#selected-count").inner_text() == "2 dipilih"
    first = int(page.locator(".card").nth(0).get_attribute("data-item"))
    second = int(page.locator(".card").nth(1).get_attribute("data-item"))
    page.select_option("select[name=alasan_massal]", "not_complaint")
    page.click("#bulk-reject")  # confirm() dialog accepted by the fixture
    page.wait_for_selector(".flash")
    assert "item ditolak" in page.locator(".flash").inner_text()
    assert page.locator(".card").count() == 3
    with Session(world.engine) as s:
        for item_id in (first, second):
            assert s.get(Item, item_id).triage_state is TriageState.REJECTED


def test_agency_officer_sees_only_their_complaints(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    _login(page, "pupr")
    page.wait_for_url("**/aduan?perlu=1")  # lands on "Perlu tindakan"
    assert page.locator("h1").inner_text() == "Perlu tindakan"
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "Aduan pupr_fwd" in rows.first.inner_text()
    assert "hari kerja" in rows.first.locator(".days-left").inner_text()
    _shot(page, "complaints-officer")
    page.click("table.list tbody tr a")
    page.fill("#follow-up-form textarea", "Tim PUPR sudah meninjau lokasi")
    page.click("#follow-up-form button")
    page.wait_for_selector(".flash")
    assert page.locator("#complaint-status").inner_text() == "ditindaklanjuti"
    _shot(page, "complaint")
    page.goto(f"/aduan/{browser_world.complaints['dishub_fwd']}")
    assert "tidak ditemukan" in page.content()
    page.goto("/antrean")
    assert "tidak berhak" in page.content()


def test_hostile_post_shows_as_text_and_runs_nothing(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    for url in ("/antrean", f"/item/{browser_world.items['xss']}"):
        page.goto(url)
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned === undefined")
        assert page.locator("img[src=x]").count() == 0
        assert "<script>window.__pwned=1</script>" in page.locator("body").inner_text()


def test_public_form_and_qr(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    page.goto("/lapor")
    _shot(page, "public-form")
    page.fill(
        "textarea[name=isi]", "Jembatan kayu di desa kami lapuk dan berbahaya bagi anak sekolah."
    )
    page.select_option("select[name=wilayah]", "63.03")
    page.wait_for_timeout(3200)  # people take longer than 3 s to fill a form in
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#intake-number")
    assert page.locator("#intake-number").inner_text().startswith("WEB-")
    page.goto("/lapor/qr")
    assert page.locator("img[alt^='Kode QR']").evaluate("img => img.naturalWidth") > 0
    _shot(page, "qr")


def test_viewer_reads_the_report_switches_period_and_charts_render(  # type: ignore[no-untyped-def]
    page, browser_world: World
) -> None:
    from models import utcnow
    from models.workdays import Deadlines, load_holidays
    from tests.reports.sample import populate

    settings = get_settings()
    with Session(browser_world.engine) as s, s.begin():
        populate(s, utcnow(), Deadlines(3, settings.tz, load_holidays()))
    console: list[str] = []
    page.on(
        "console",
        lambda msg: console.append(f"{msg.text} {msg.location}") if msg.type == "error" else None,
    )
    _login(page, "viewer")
    page.goto("/laporan")
    charts = page.locator(".charts img")
    assert charts.count() == 4

    def rendered() -> list[int]:
        page.wait_for_load_state("networkidle")
        return [img.evaluate("i => i.complete && i.naturalWidth") for img in charts.all()]

    assert all(w > 0 for w in rendered()), rendered()
    assert "item relevan" in page.locator(".headline").inner_text()
    assert page.locator("#berulang + p + table tbody tr").count() >= 1
    # Switch to the previous month with the period picker.
    previous = page.locator("#periode option").nth(1)
    code = previous.get_attribute("value")
    page.select_option("#periode", code)
    page.click("#report-filter button[type=submit]")
    page.wait_for_url(f"**periode={code}**")
    assert all(w > 0 for w in rendered())
    assert code in page.locator("#periode").input_value()
    _shot(page, "report")
    page.locator(".charts").scroll_into_view_if_needed()
    _shot(page, "report-charts")
    page.locator("h2:has-text('Tindak lanjut per SKPD')").scroll_into_view_if_needed()
    _shot(page, "report-follow-up")
    # A number opens the list behind it.
    page.locator(".headline a").first.click()
    page.wait_for_url("**/laporan/daftar?**")
    assert page.locator("#report-list tbody tr").count() >= 1
    assert console == [], console


def test_skpd_selector_search_picks_the_matching_skpd(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    from models import Agency

    with Session(browser_world.engine) as s:
        target = s.scalar(select(Agency.id).where(Agency.code == "6372-dishub"))
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    page.goto(f"/item/{browser_world.items['lampu']}")
    search = page.locator("input.select-search")
    assert search.count() == 1
    search.fill("perhubungan banjarbaru")
    assert page.locator('select[name="skpd"]').input_value() == str(target)
    visible = page.locator('select[name="skpd"] option:not([hidden])').count()
    assert 1 <= visible <= 3  # the suggestion group may repeat it


def test_the_local_office_rule_offers_the_kecamatan_office_as_the_skpd(  # type: ignore[no-untyped-def]
    page, browser_world: World
) -> None:
    """With the official table loaded, a matter for the local office names the office of
    its kecamatan; one click puts it in the confirm form, the admin's button forwards it."""
    from aduan.reference import load_district_offices
    from models import Agency, Region, RegionLevel
    from models.item import ItemSuggestion

    world = browser_world
    with Session(world.engine) as s, s.begin():
        city = s.scalars(select(Region).where(Region.code == "63.71")).one()
        s.add(
            Region(
                code="63.71.01",
                name="Kecamatan Banjarmasin Selatan",
                short_name="Banjarmasin Selatan",
                level=RegionLevel.DISTRICT,
                parent_id=city.id,
                aliases=[],
            )
        )
        s.flush()
        assert load_district_offices(s).created == 1
        office = s.scalars(select(Agency).where(Agency.code == "63.71.01-kantor")).one()
        suggestion = s.scalars(
            select(ItemSuggestion).where(ItemSuggestion.item_id == world.items["jalan"])
        ).one()
        suggestion.details = {
            **suggestion.details,
            "local_office": {
                "level": "kelurahan",
                "reason": "urusan kantor lokal (surat pengantar)",
                "place": None,
                "area": "Kecamatan Banjarmasin Selatan, Kota Banjarmasin",
                "agency_id": office.id,
                "agency": office.name,
            },
        }
        office_id = office.id
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    page.goto(f"/item/{world.items['jalan']}")
    skpd = page.locator('select[name="skpd"]')
    assert skpd.input_value() == str(world.agencies["6371-pupr"])  # the function's SKPD
    page.click("button.pick-skpd")
    assert skpd.input_value() == str(office_id)
    page.fill("input[name=judul]", "Surat pengantar tidak dilayani")
    page.click("#confirm-forward-btn")
    page.wait_for_url("**/antrean**")
    assert "Kantor Kecamatan Banjarmasin Selatan" in page.locator(".flash").inner_text()
    with Session(world.engine) as s:
        complaint = s.scalar(select(Complaint).where(Complaint.title.like("Surat pengantar%")))
        assert complaint is not None and complaint.agency_id == office_id


def test_confirm_and_forward_in_one_step(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    page.goto(f"/item/{browser_world.items['lampu']}")
    page.fill("input[name=judul]", "Lampu lalu lintas mati di simpang")
    page.locator("input.select-search").fill("perhubungan banjarmasin")
    page.click("#confirm-forward-btn")
    page.wait_for_url("**/antrean**")
    assert "diteruskan ke Dinas Perhubungan Kota Banjarmasin" in page.locator(".flash").inner_text()
    with Session(browser_world.engine) as s:
        complaint = s.scalar(select(Complaint).where(Complaint.title.like("Lampu lalu lintas%")))
        assert complaint is not None and complaint.status.value == "forwarded"
        assert complaint.due_at is not None


def test_no_key_decides_an_item_on_its_own(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    item_url = f"/item/{browser_world.items['lampu']}"
    page.goto(item_url)
    for key in "kgtjxo":  # the old confirm/merge/reject keys and the queue's keys
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert page.url.endswith(item_url)
    with Session(browser_world.engine) as s:
        assert s.get(Item, browser_world.items["lampu"]).triage_state is TriageState.PENDING
    page.keyboard.press("c")
    assert page.evaluate("document.activeElement.id") == "confirm-title"
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reject-reason"


def test_complaint_pages_fit_a_phone(page, browser_world: World) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    for url in ("/aduan", f"/aduan/{browser_world.complaints['dishub_fwd']}", "/laporan"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        for link in page.locator("header.top nav a").all():  # every header link reachable
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, url
        logout = page.locator("header.top .logout button").bounding_box()
        assert logout is not None and logout["x"] + logout["width"] <= 390, url
    page.goto("/aduan")
    _shot(page, "complaints-phone")


def test_personal_data_is_hidden_before_forwarding_and_can_be_corrected(  # type: ignore[no-untyped-def]
    page, browser_world: World
) -> None:
    world = browser_world
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    page.goto(f"/item/{world.items['jalan']}")
    preview = page.locator("#redaction-preview").inner_text()
    assert "NIK/nomor KK" in preview and "nomor telepon" in preview
    assert "6371012345670001" not in page.locator("#confirm-title").input_value()
    body = page.locator("textarea[name=isi]").input_value()
    assert "[NIK disamarkan]" in body and "081234567890" not in body
    _shot(page, "item-redaction")
    page.click("#confirm-forward-btn")
    page.wait_for_url("**/antrean**")
    with Session(world.engine) as s:
        complaint = s.scalar(
            select(Complaint).where(Complaint.description.like("%Banjarmasin Utara%"))
        )
        assert complaint is not None
        assert "6371012345670001" not in complaint.title + complaint.description
        assert "081234567890" not in complaint.title + complaint.description
        cid = complaint.id
    # The SKPD officer sees the redacted complaint and no raw sources.
    page.context.clear_cookies()
    _login(page, "pupr")
    page.goto(f"/aduan/{cid}")
    text = page.locator("body").inner_text()
    assert "6371012345670001" not in text and "081234567890" not in text
    assert page.locator("text=Sumber (").count() == 0
    # An admin corrects the title afterwards; the timeline records it.
    page.context.clear_cookies()
    _login(page, "admin")
    page.goto(f"/aduan/{cid}")
    page.click("#edit-complaint summary")
    page.fill(
        "#edit-form input[name=judul]", "Jalan berlubang di Banjarmasin Utara, hp 0812 3456 7890"
    )
    page.click("#edit-form button[type=submit]")
    page.wait_for_url(f"**/aduan/{cid}")
    assert "Aduan diperbarui" in page.locator(".flash").inner_text()
    assert "[nomor telepon disamarkan]" in page.locator("h1").inner_text()
    assert "diubah" in page.locator("#timeline").inner_text()


def test_a_hurried_citizen_keeps_the_text_and_can_follow_the_report(  # type: ignore[no-untyped-def]
    page, browser_world: World
) -> None:
    text = "Lampu penerangan jalan di Jl. Veteran mati total sejak tiga malam."
    page.goto("/lapor")
    page.fill("textarea[name=isi]", text)
    page.select_option("select[name=wilayah]", "63.71")
    page.click("#intake-form button[type=submit]")  # within the minimum fill time
    page.wait_for_selector(".flash-error")
    assert "belum terkirim" in page.locator(".flash-error").inner_text()
    assert page.locator("textarea[name=isi]").input_value() == text
    assert page.locator("#intake-number").count() == 0
    page.wait_for_timeout(3200)
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#intake-secret")
    number = page.locator("#intake-number").inner_text()
    secret = page.locator("#intake-secret").inner_text()
    _shot(page, "public-receipt")
    page.click("a[href='/lapor/status']")
    page.fill("input[name=nomor]", number)
    page.fill("input[name=kode]", secret)
    page.click("#status-lookup button[type=submit]")
    page.wait_for_selector("#public-stage")
    assert "menunggu pemeriksaan" in page.locator("#public-stage").inner_text()
    _shot(page, "public-status")


def test_news_that_is_not_a_complaint_is_swept_from_its_own_view(  # type: ignore[no-untyped-def]
    page, browser_world: World
) -> None:
    world = browser_world
    _login(page, "operator")
    page.wait_for_url("**/antrean")
    assert page.locator(f'.card[data-item="{world.items["festival"]}"]').count() == 0
    assert page.locator("#view-low .count").inner_text() == "1"
    assert page.locator(".card .badge.relevance").count() == page.locator(".card").count()
    page.click("#view-low")
    page.wait_for_url("**tampilan=low**")
    card = page.locator(f'.card[data-item="{world.items["festival"]}"]')
    assert "relevansi 2%" in card.inner_text()
    _shot(page, "queue-low-relevance")
    assert page.locator("#bulk-reason").input_value() == "not_complaint"
    page.check("#select-all")
    page.click("#bulk-reject")  # confirm() dialog accepted by the fixture
    page.wait_for_url("**tampilan=low**")
    assert "1 item ditolak" in page.locator(".flash").inner_text()
    assert page.locator("#view-low .count").inner_text() == "0"
    with Session(world.engine) as s:
        assert s.get(Item, world.items["festival"]).triage_state is TriageState.REJECTED
