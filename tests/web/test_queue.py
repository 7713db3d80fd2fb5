"""The queue page and the triage actions over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Agency,
    Complaint,
    ComplaintStatus,
    Event,
    Item,
    ItemSuggestion,
    Source,
    SourceKind,
    TriageDecision,
    TriageState,
)
from models.base import utcnow
from models.enums import RejectReason
from tests.web.conftest import Clock, World, login


def _cards(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="card"[^>]*data-item="(\d+)"', html)]


def test_one_card_per_cluster_with_mentions_highlighted(client: TestClient, world: World) -> None:
    login(client, "operator")
    page = client.get("/antrean")
    assert page.status_code == 200
    cards = _cards(page.text)
    assert world.items["storm0"] in cards
    assert world.items["storm1"] not in cards and world.items["storm2"] not in cards
    assert len(cards) == 5
    assert "3 serupa" in page.text
    assert '<mark class="m-agency" title="instansi">Dishub</mark>' in page.text
    assert '<mark class="m-region" title="wilayah">Banjarmasin</mark>' in page.text
    assert "7 item menunggu" in page.text


def test_hostile_text_is_escaped_and_bad_links_dropped(client: TestClient, world: World) -> None:
    login(client, "operator")
    for url in (
        "/antrean",
        f"/item/{world.items['xss']}",
        f"/aduan/{world.complaints['verified']}",
    ):
        html = client.get(url).text
        assert "<script>window.__pwned" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
        assert 'href="javascript:' not in html
    response = client.get("/antrean")
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_filters_and_sorts(client: TestClient, world: World) -> None:
    login(client, "operator")
    transport = _cards(client.get("/antrean?topik=transport").text)
    assert set(transport) == {world.items["lampu"], world.items["xss"]}
    unsure = _cards(client.get("/antrean?urut=uncertain").text)
    assert unsure[0] == world.items["spam"]
    largest = _cards(client.get("/antrean?urut=largest").text)
    assert largest[0] == world.items["storm0"]
    low = _cards(client.get("/antrean?yakin_maks=50").text)
    assert world.items["lampu"] not in low and world.items["spam"] in low
    only_x = _cards(client.get("/antrean?sumber=x").text)
    assert world.items["lampu"] not in only_x and world.items["xss"] in only_x
    agency = world.agencies["6371-pupr"]
    assert set(_cards(client.get(f"/antrean?skpd={agency}").text)) == {
        world.items["jalan"],
        world.items["storm0"],
    }
    bad = client.get("/antrean?dari=kemarin&yakin_min=abc&urut=acak&skpd=x1")
    assert bad.status_code == 200
    assert "tidak sah" in bad.text and "urutan tidak dikenal" in bad.text


def test_paging_keeps_the_filter(client: TestClient, world: World) -> None:
    login(client, "operator")
    from web import queue as pages

    old = pages.PAGE_SIZE
    pages.PAGE_SIZE = 2
    try:
        first = client.get("/antrean?sumber=x")
        assert len(_cards(first.text)) == 2
        assert "sumber=x&amp;hal=2" in first.text
        second = client.get("/antrean?sumber=x&hal=2")
        assert set(_cards(first.text)).isdisjoint(_cards(second.text))
    finally:
        pages.PAGE_SIZE = old


def test_confirm_redacts_personal_data_and_records_a_label(
    client: TestClient, world: World
) -> None:
    csrf = login(client, "operator")
    item_id = world.items["jalan"]
    page = client.get(f"/item/{item_id}")
    assert "Data pribadi disamarkan" in page.text
    assert "[NIK disamarkan]" in page.text and "<del>6371012345670001</del>" in page.text
    response = client.post(
        f"/item/{item_id}/konfirmasi",
        data={
            "csrf_token": csrf,
            "judul": "Jalan berlubang di Banjarmasin Utara",
            "topik": "infrastructure",
            "skpd": str(world.agencies["6371-pupr"]),
            "wilayah": str(world.regions["63.71"]),
            # The admin edited the preview but left a phone number in: still redacted.
            "isi": "Jalan berlubang. Hubungi 0812-3456-7890.",
            "samarkan": "1",
        },
    )
    assert response.status_code == 303
    with Session(world.engine) as s:
        complaint = s.scalar(select(Complaint).where(Complaint.title.like("Jalan berlubang%")))
        assert complaint is not None
        assert "0812" not in complaint.description
        assert "[nomor telepon disamarkan]" in complaint.description
        item = s.get(Item, item_id)
        assert item.triage_state is TriageState.CONFIRMED and item.complaint_id == complaint.id
        decision = s.scalar(select(TriageDecision).where(TriageDecision.item_id == item_id))
        assert decision.topic == "infrastructure"
        assert decision.agency_id == world.agencies["6371-pupr"]
        actions = set(s.scalars(select(Event.action).where(Event.actor == "operator")))
        assert {"confirmed", "create", "status"} <= actions
    follow = client.get(response.headers["location"])
    assert complaint.tracking_number in follow.text


def test_confirming_a_cluster_merges_its_copies(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    response = client.post(
        f"/item/{world.items['storm0']}/konfirmasi",
        data={"csrf_token": csrf, "judul": "Banjir", "topik": "environment", "isi": "Banjir"},
    )
    assert response.status_code == 303
    with Session(world.engine) as s:
        states = {s.get(Item, world.items[k]).triage_state for k in ("storm0", "storm1", "storm2")}
        assert states == {TriageState.CONFIRMED, TriageState.MERGED}
        assert s.scalar(select(func.count()).select_from(Complaint)) == 4


def test_merge_reject_defer_and_bulk(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    target = world.complaints["verified"]
    with Session(world.engine) as s:
        number = s.get(Complaint, target).tracking_number
    r = client.post(
        f"/item/{world.items['lampu']}/gabung", data={"csrf_token": csrf, "aduan": number}
    )
    assert r.status_code == 303
    r = client.post(
        f"/item/{world.items['spam']}/tolak",
        data={"csrf_token": csrf, "alasan": "spam", "catatan": "iklan"},
    )
    assert r.status_code == 303
    r = client.post(f"/item/{world.items['xss']}/tunda", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert world.items["xss"] in _cards(client.get("/antrean?status=deferred").text)
    r = client.post(
        "/antrean/massal",
        data={
            "csrf_token": csrf,
            "aksi": "tolak",
            "alasan_massal": "not_complaint",
            "item": [str(world.items["jalan"]), str(world.items["storm0"])],
        },
    )
    assert r.status_code == 303
    with Session(world.engine) as s:

        def state(key: str) -> TriageState:
            return s.get(Item, world.items[key]).triage_state  # type: ignore[union-attr]

        assert state("lampu") is TriageState.MERGED
        assert s.get(Item, world.items["lampu"]).complaint_id == target
        assert state("spam") is TriageState.REJECTED
        assert state("xss") is TriageState.DEFERRED
        assert all(
            state(k) is TriageState.REJECTED for k in ("jalan", "storm0", "storm1", "storm2")
        )
        reasons = set(s.scalars(select(TriageDecision.reject_reason)))
        assert {RejectReason.SPAM, RejectReason.NOT_COMPLAINT} <= reasons
    assert _cards(client.get("/antrean").text) == []


def test_bad_form_input_gets_a_message_not_a_500(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    item_id = world.items["lampu"]
    r = client.post(
        f"/item/{item_id}/konfirmasi",
        data={"csrf_token": csrf, "judul": "x", "topik": "bukan-topik", "isi": "x"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/item/{item_id}"
    assert "topik tidak dikenal" in client.get(r.headers["location"]).text
    r = client.post(
        f"/item/{item_id}/konfirmasi",
        data={"csrf_token": csrf, "judul": "x", "topik": "transport", "isi": "x", "skpd": "abc"},
    )
    assert r.status_code == 303
    r = client.post(
        f"/item/{item_id}/gabung", data={"csrf_token": csrf, "aduan": "ADU-0000-999999"}
    )
    assert "tidak ditemukan" in client.get(r.headers["location"]).text
    r = client.post("/antrean/massal", data={"csrf_token": csrf, "aksi": "hapus"})
    assert r.status_code == 303
    assert client.get("/item/abc").status_code == 400
    assert "Isian tidak sah" in client.get("/item/abc").text
    assert client.get("/item/999999").status_code == 404
    big = client.post(
        f"/item/{item_id}/tolak",
        data={"csrf_token": csrf, "alasan": "spam", "catatan": "x" * 2_000_000},
    )
    assert big.status_code == 413
    long_field = client.post(
        f"/item/{item_id}/tolak",
        data={"csrf_token": csrf, "alasan": "spam", "catatan": "x" * 30_000},
    )
    assert long_field.status_code == 413
    with Session(world.engine) as s:
        assert s.get(Item, item_id).triage_state is TriageState.PENDING  # type: ignore[union-attr]


def test_two_admins_never_process_the_same_item(
    client: TestClient, world: World, clock: Clock
) -> None:
    item_id = world.items["lampu"]
    login(client, "operator")
    assert "sedang ditangani" not in client.get(f"/item/{item_id}").text
    client.cookies.clear()
    csrf2 = login(client, "operator2")
    page = client.get(f"/item/{item_id}")
    assert "sedang ditangani operator" in page.text
    assert "sedang ditangani operator" in client.get("/antrean").text
    r = client.post(f"/item/{item_id}/tolak", data={"csrf_token": csrf2, "alasan": "spam"})
    assert "sedang ditangani admin lain" in client.get(r.headers["location"]).text
    clock.advance(minutes=11)
    r = client.post(f"/item/{item_id}/tolak", data={"csrf_token": csrf2, "alasan": "spam"})
    assert r.headers["location"].startswith("/antrean")
    with Session(world.engine) as s:
        assert s.get(Item, item_id).triage_state is TriageState.REJECTED  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(TriageDecision)) == 1


def test_saved_filters(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    r = client.post(
        "/antrean/filter",
        data={"csrf_token": csrf, "nama": "Transport", "query": "topik=transport"},
    )
    assert r.headers["location"] == "/antrean?topik=transport"
    page = client.get("/antrean")
    assert '<a href="/antrean?topik=transport">Transport</a>' in page.text
    filter_id = re.search(r"/antrean/filter/(\d+)/hapus", page.text).group(1)  # type: ignore[union-attr]
    client.cookies.clear()
    csrf2 = login(client, "operator2")
    assert "Transport" not in client.get("/antrean").text  # filters are personal
    r = client.post(f"/antrean/filter/{filter_id}/hapus", data={"csrf_token": csrf2})
    assert r.status_code == 404


def test_personal_data_never_reaches_the_complaint_title(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    item_id = world.items["jalan"]
    page = client.get(f"/item/{item_id}")
    suggested = re.search(r'name="judul"[^>]*value="([^"]*)"', page.text)
    assert suggested is not None and "6371012345670001" not in suggested.group(1)
    # The admin typed the reporter's NIK and number into the title: still redacted.
    client.post(
        f"/item/{item_id}/konfirmasi",
        data={
            "csrf_token": csrf,
            "judul": "Jalan rusak, pelapor NIK 6371012345670001 HP 0812-3456-7890",
            "topik": "infrastructure",
            "skpd": str(world.agencies["6371-pupr"]),
            "wilayah": str(world.regions["63.71"]),
            "isi": "Jalan berlubang.",
            "samarkan": "1",
        },
    )
    with Session(world.engine) as s:
        title = s.scalar(select(Complaint.title).where(Complaint.title.like("Jalan rusak%")))
    assert title is not None
    assert "6371012345670001" not in title and "0812" not in title
    assert "[NIK disamarkan]" in title and "[nomor telepon disamarkan]" in title


def test_source_icons_ship_with_the_app(client: TestClient, world: World) -> None:
    login(client, "operator")
    page = client.get("/antrean").text
    assert '<img class="icon" src="/static/icons/x.svg" alt="X (Twitter)"' in page
    for emoji in ("📰", "📝", "📱", "𝕏"):
        assert emoji not in page
    icon = client.get("/static/icons/news.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_the_count_follows_the_filter_and_a_decision_returns_to_the_filtered_view(
    client: TestClient, world: World
) -> None:
    csrf = login(client, "operator")
    everything = re.search(r"(\d+) item menunggu", client.get("/antrean").text)
    page = client.get("/antrean?sumber=x")
    only_x = re.search(r"(\d+) item sesuai filter menunggu", page.text)
    assert everything and only_x and int(only_x.group(1)) < int(everything.group(1))
    with Session(world.engine) as s:
        open_x = s.scalar(
            select(func.count(Item.id))
            .join(Source)
            .where(Source.kind == SourceKind.X, Item.triage_state == TriageState.PENDING)
        )
    assert int(only_x.group(1)) == open_x
    link = re.search(r'href="(/item/(\d+)\?kembali=[^"]+)"', page.text)
    assert link is not None and "sumber%3Dx" in link.group(1)
    item_page = client.get(link.group(1).replace("&amp;", "&"))
    assert 'name="kembali" value="/antrean?sumber=x"' in item_page.text
    r = client.post(
        f"/item/{link.group(2)}/tunda",
        data={"csrf_token": csrf, "kembali": "/antrean?sumber=x"},
    )
    assert r.headers["location"] == "/antrean?sumber=x"


def test_the_skpd_selector_is_grouped_with_the_suggestion_first(
    client: TestClient, world: World
) -> None:
    login(client, "operator")
    with Session(world.engine) as s:
        suggested = s.scalar(
            select(ItemSuggestion.agency_id).where(ItemSuggestion.is_current(world.items["jalan"]))
        )
        name = s.scalar(select(Agency.name).where(Agency.id == suggested))
    page = client.get(f"/item/{world.items['jalan']}")
    select_html = page.text.split('<select name="skpd" data-search>', 1)[1].split("</select>", 1)[0]
    groups = re.findall(r'<optgroup label="([^"]+)">', select_html)
    assert groups[0] == "Disarankan" and groups[1] == "Provinsi Kalimantan Selatan"
    assert {"Kota Banjarmasin", "Kabupaten Banjar"} <= set(groups)
    first = select_html.split('<optgroup label="Disarankan">', 1)[1].split("</optgroup>", 1)[0]
    assert f'<option value="{suggested}" selected>{name}</option>' in first
    assert select_html.count(" selected>") == 1


def test_confirm_and_forward_in_one_step_or_not_at_all(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    item_id = world.items["jalan"]
    form = {
        "csrf_token": csrf,
        "judul": "Jalan berlubang di Banjarmasin Utara",
        "topik": "infrastructure",
        "skpd": "",
        "wilayah": str(world.regions["63.71"]),
        "isi": "Jalan berlubang, NIK 6371012345670001.",
        "samarkan": "1",
        "teruskan": "1",
    }
    failed = client.post(f"/item/{item_id}/konfirmasi", data=form)
    assert failed.status_code == 303 and failed.headers["location"] == f"/item/{item_id}"
    with Session(world.engine) as s:  # without an SKPD nothing was created at all
        assert s.scalar(select(Complaint).where(Complaint.title.like("Jalan berlubang%"))) is None
        assert s.get(Item, item_id).triage_state is TriageState.PENDING
    form["skpd"] = str(world.agencies["6371-pupr"])
    done = client.post(f"/item/{item_id}/konfirmasi", data=form)
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "dibuat dan diteruskan ke Dinas Pekerjaan Umum dan Penataan Ruang Kota" in page.text
    with Session(world.engine) as s:
        c = s.scalar(select(Complaint).where(Complaint.title.like("Jalan berlubang%")))
        assert c is not None and c.status is ComplaintStatus.FORWARDED
        assert c.due_at is not None and c.forwarded_at is not None
        assert "6371012345670001" not in c.description  # the redacted text went out


def test_news_that_is_not_a_complaint_waits_in_its_own_view(
    client: TestClient, world: World
) -> None:
    csrf = login(client, "operator")
    main = client.get("/antrean").text
    assert world.items["festival"] not in _cards(main)
    assert "7 item menunggu" in main
    assert re.search(r'id="view-low"[^>]*>kemungkinan bukan aduan <span class="count">1<', main)
    # Every card shows its relevance and whether it needs review.
    assert "relevansi 90%" in main and "perlu ditinjau" in main
    low = client.get("/antrean?tampilan=low").text
    assert _cards(low) == [world.items["festival"]]
    assert "relevansi 2%" in low and 'class="badge lowrel relevance"' in low
    # The sweep's reason is preselected as "bukan aduan"; on the item page too.
    assert re.search(r'<option value="not_complaint" selected>', low)
    item_page = client.get(f"/item/{world.items['festival']}").text
    assert re.search(r'<option value="not_complaint" selected>', item_page)
    assert 'value="not_complaint" selected' not in client.get(f"/item/{world.items['lampu']}").text
    # Filter and sort by relevance / needs-review.
    review = _cards(client.get("/antrean?tinjau=ya").text)
    assert world.items["jalan"] in review and world.items["lampu"] not in review
    assert (
        _cards(client.get("/antrean?tampilan=all&urut=relevant").text)[-1]
        == world.items["festival"]
    )
    # One click brings it back to the main queue; it stays there.
    r = client.post(
        f"/item/{world.items['festival']}/antrean-utama",
        data={"csrf_token": csrf, "kembali": "/antrean?tampilan=low"},
    )
    assert r.headers["location"] == "/antrean?tampilan=low"
    assert world.items["festival"] in _cards(client.get("/antrean").text)
    assert _cards(client.get("/antrean?tampilan=low").text) == []
    # A public-form report always enters the main queue, however low it scores.
    with Session(world.engine) as s, s.begin():
        form = Source.ensure(s, SourceKind.WEB_FORM, "Formulir publik")
        s.flush()
        item = Item(
            source_id=form.id, external_id="f1", content_hash="f1", text="halo admin",
            published_at=utcnow(),
        )  # fmt: skip
        s.add(item)
        s.flush()
        item.suggestions.append(
            ItemSuggestion(
                topic="other",
                topic_confidence=0.2,
                agency_confidence=0.1,
                relevance=0.01,
                confidence=0.1,
                needs_review=True,
                model_version="t",
                details={},
            )
        )
        form_id = item.id
    assert form_id in _cards(client.get("/antrean").text)
    assert form_id not in _cards(client.get("/antrean?tampilan=low").text)


def test_a_low_relevance_sweep_is_a_training_label(client: TestClient, world: World) -> None:
    csrf = login(client, "operator")
    r = client.post(
        "/antrean/massal",
        data={
            "csrf_token": csrf,
            "aksi": "tolak",
            "alasan_massal": "not_complaint",
            "item": [str(world.items["festival"])],
            "kembali": "/antrean?tampilan=low",
        },
    )
    assert r.headers["location"] == "/antrean?tampilan=low"
    with Session(world.engine) as s:
        from classifier.decisions import decision_labels

        decision = s.scalars(
            select(TriageDecision).where(TriageDecision.item_id == world.items["festival"])
        ).one()
        assert decision.reject_reason is RejectReason.NOT_COMPLAINT
        # The retrain flow reads it as a negative for the relevance model.
        assert any("Festival Pasar Terapung" in t for t in decision_labels(s).negatives)


def test_the_preview_lists_personal_data_of_the_title_too(client: TestClient, world: World) -> None:
    with Session(world.engine) as s, s.begin():
        s.get(Item, world.items["lampu"]).title = "Lampu mati, hubungi saya 0813-4949-1111"
    login(client, "operator")
    page = client.get(f"/item/{world.items['lampu']}").text
    preview = page.split('id="redaction-preview"', 1)[1].split("</div>", 1)[0]
    assert "<del>0813-4949-1111</del>" in preview
    assert 'value="Lampu mati, hubungi saya [nomor telepon disamarkan]"' in page


def test_local_office_suggestion_is_shown_escaped_on_card_and_item(
    client: TestClient, world: World
) -> None:
    """The local-office rule's flag reaches the admin on the card and the item page; its
    place comes from the post's text, so it is escaped like the text itself."""
    item_id = world.items["lampu"]
    with Session(world.engine) as session, session.begin():
        suggestion = session.scalar(
            select(ItemSuggestion).where(ItemSuggestion.is_current(item_id))
        )
        suggestion.details = {
            **suggestion.details,
            "local_office": {
                "level": "kelurahan",
                "reason": "menyebut lurah",
                "place": "gang <b onmouseover=alert(1)>Mawar",
                "area": "Kelurahan Kuin Utara, Kecamatan Banjarmasin Utara, Kota Banjarmasin",
            },
            "review_flags": ["kantor_lokal"],
        }
    login(client, "operator")
    for url in ("/antrean", f"/item/{item_id}"):
        html = client.get(url).text
        assert "kantor kelurahan setempat" in html and "menyebut lurah" in html
        assert "<b onmouseover" not in html
        assert "gang &lt;b onmouseover=alert(1)&gt;Mawar" in html
        assert "Kelurahan Kuin Utara, Kecamatan Banjarmasin Utara, Kota Banjarmasin" in html


def test_a_post_with_no_region_says_so_on_card_and_item(client: TestClient, world: World) -> None:
    """The "wilayah" review flag (no kabupaten/kota and no SKPD named): the SKPD shown is
    the provincial one, a guess the admin is told about."""
    item_id = world.items["lampu"]
    login(client, "operator")
    assert "wilayah belum diketahui" not in client.get(f"/item/{item_id}").text
    with Session(world.engine) as session, session.begin():
        suggestion = session.scalar(
            select(ItemSuggestion).where(ItemSuggestion.is_current(item_id))
        )
        suggestion.details = {**suggestion.details, "review_flags": ["wilayah"]}
    with Session(world.engine) as session:
        region_id = session.scalar(
            select(ItemSuggestion.region_id).where(ItemSuggestion.is_current(item_id))
        )
    for url in ("/antrean", f"/item/{item_id}"):
        html = client.get(url).text
        # With a region (from the author's profile): said where it came from.
        assert ("wilayah dari petunjuk" if region_id else "wilayah belum diketahui") in html
    with Session(world.engine) as session, session.begin():
        suggestion = session.scalar(
            select(ItemSuggestion).where(ItemSuggestion.is_current(item_id))
        )
        suggestion.region_id = None
    for url in ("/antrean", f"/item/{item_id}"):
        assert "wilayah belum diketahui" in client.get(url).text
    assert "pilih SKPD kabupaten/kota itu" in client.get(f"/item/{item_id}").text


def test_the_view_counts_are_all_minus_low_and_match_each_views_own_count(world: World) -> None:
    """The page counts "main" as all minus "low"; that holds only because the two views
    are exact complements, NULL-safe. Checked against each view's own count, with an item
    never tagged, one brought back by an admin and one from the public form, under several
    filters."""
    from dataclasses import replace

    from triage.queue_cards import QueueFilter, count_filtered, count_views

    with Session(world.engine) as s, s.begin():
        source = s.scalars(select(Source).where(Source.kind == SourceKind.RSS)).first()
        form = Source(kind=SourceKind.WEB_FORM, name="Formulir", config={})
        s.add(form)
        s.flush()
        for key, src in (("untagged", source), ("form", form)):
            s.add(Item(source_id=src.id, external_id=key, content_hash=key, text=key))
        festival = s.get(Item, world.items["festival"])
        festival.kept_in_queue = True
        s.add(Item(source_id=source.id, external_id="iklan", content_hash="iklan", text="Promo"))
        s.flush()
        low_item = s.scalars(select(Item).where(Item.external_id == "iklan")).one()
        low_item.suggestions.append(
            ItemSuggestion(
                topic="other", topic_confidence=0.9, agency_confidence=0.9, relevance=0.01,
                model_version="test", details={},
            )
        )  # fmt: skip
    with Session(world.engine) as s:
        for flt in (
            QueueFilter(relevance_threshold=0.5),
            QueueFilter(relevance_threshold=0.5, topic="transport"),
            QueueFilter(relevance_threshold=0.5, source_kind=SourceKind.X),
            QueueFilter(relevance_threshold=0.95),
        ):
            totals = count_views(s, flt)
            own = {v: count_filtered(s, replace(flt, view=v)) for v in ("main", "low", "all")}
            assert totals == own, (flt, totals, own)
        assert count_views(s, QueueFilter(relevance_threshold=0.5))["low"] >= 1
