"""The ``aduan`` command line. Messages for admins are in Bahasa Indonesia."""

from __future__ import annotations

import json
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from aduan import __version__
from aduan.db import get_engine, session_scope
from aduan.settings import apply_prefect_defaults, get_settings

__all__ = ["main"]


def _echo_table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    click.echo(line)
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aduan")
def cli() -> None:
    """aduan: unggahan warga dan berita daring menjadi aduan yang ditindaklanjuti.

    Pengaturan dibaca dari variabel lingkungan ADUAN_* dan berkas .env (lihat README).
    """


# --- db ---------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Basis data: migrasi skema dan data referensi."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Jalankan migrasi Alembic sampai versi terbaru."""
    from aduan.migrate import current_revision, upgrade_database

    engine = get_engine()
    upgrade_database(engine)
    click.echo(f"Skema basis data pada revisi {current_revision(engine)} ({_where(engine.url)}).")


@db.command("init")
@click.option(
    "--feeds",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Berkas YAML daftar feed (bawaan: ADUAN_FEEDS_FILE atau contoh bawaan).",
)
@click.option(
    "--wilayah",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tabel kode wilayah Kemendagri (CSV: kode,nama,level) untuk memuat kecamatan Kalsel.",
)
def db_init(feeds: Path | None, wilayah: Path | None) -> None:
    """Migrasi skema, lalu muat wilayah, daftar SKPD dan sumber. Aman diulang."""
    from aduan.migrate import upgrade_database
    from aduan.reference import (
        SAMPLE_FEEDS_FILE,
        load_agencies,
        load_districts,
        load_regions,
        load_sources,
        load_x_source,
    )

    engine = get_engine()
    upgrade_database(engine)
    settings = get_settings()
    feeds_file = feeds or settings.feeds_file or SAMPLE_FEEDS_FILE
    with session_scope(engine) as session:
        regions = load_regions(session)
        districts = load_districts(session, wilayah) if wilayah else None
        agencies = load_agencies(session)
        sources = load_sources(session, feeds_file)
        x_source = load_x_source(session, token_configured=settings.x_bearer_token is not None)
    click.echo(f"Basis data siap: {_where(engine.url)}")
    click.echo(f"  wilayah: {regions}")
    if districts is not None:
        click.echo(f"  kecamatan: {districts} (dari {wilayah})")
    click.echo(f"  SKPD:    {agencies}")
    click.echo(f"  sumber:  {sources} (dari {feeds_file})")
    x_state = "aktif" if settings.x_bearer_token else "nonaktif: ADUAN_X_BEARER_TOKEN belum diisi"
    click.echo(f"  X:       {x_source} ({x_state})")


def _local(when: datetime | None, tz: tzinfo) -> str:
    """A UTC time as admins read it: local time with the zone's name (WITA)."""
    return when.astimezone(tz).strftime("%d-%m-%Y %H:%M %Z") if when else "-"


def _where(url: Any) -> str:
    return url.render_as_string(hide_password=True)


# --- ingest -----------------------------------------------------------------------------


@cli.command()
@click.option(
    "--source", "sources", multiple=True, help="Hanya sumber dengan nama ini (boleh berulang)."
)
@click.option("--json", "as_json", is_flag=True, help="Cetak ringkasan sebagai JSON.")
def ingest(sources: tuple[str, ...], as_json: bool) -> None:
    """Jalankan alur pengumpulan (Prefect) sekali: ambil, simpan, beri label, antrekan."""
    apply_prefect_defaults(get_settings())
    from flows.ingest import ingest as ingest_flow

    report = ingest_flow(source_names=list(sources) or None)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    rows = [
        [
            s["source_name"],
            s["kind"],
            s["status"],
            s["fetched"],
            s["new"],
            s["duplicates"],
            s["errors"],
        ]
        for s in report["sources"]
    ]
    _echo_table(rows, ["sumber", "jenis", "status", "diambil", "baru", "duplikat", "galat"])
    for s in report["sources"]:
        if s["message"]:
            click.echo(f"  ! {s['source_name']}: {s['message']}")
    click.echo(
        f"Selesai: {report['new']} item baru, {report['tagged']} diberi label, "
        f"{report['errors']} galat."
    )
    with session_scope() as session:
        from triage.queue import count_queue

        pending = count_queue(session)
    click.echo(f"Antrean triase: {pending} item menunggu. Lihat: aduan queue list")


# --- import -----------------------------------------------------------------------------


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=KOLOM",
    help="Pasangkan kolom berkas ke isian: text, title, date, author, contact, region, url, id.",
)
@click.option("--partial", is_flag=True, help="Simpan baris yang valid walau ada baris salah.")
@click.option("--dry-run", is_flag=True, help="Hanya periksa; tidak menyimpan apa pun.")
def import_(path: Path, mappings: tuple[str, ...], partial: bool, dry_run: bool) -> None:
    """Impor aduan yang dikumpulkan manual dari berkas CSV atau XLSX.

    Semua baris diperiksa dulu. Tanpa --partial, satu baris salah membatalkan seluruh berkas.
    Mengimpor berkas yang sama lagi tidak menambah apa pun.
    """
    from aduan.pipeline import process_new_items
    from collectors.manual import guess_mapping, manual_source, parse_rows, read_table
    from collectors.store import store_items
    from models.base import utcnow

    overrides = {}
    for pair in mappings:
        name, sep, column = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"format --map adalah FIELD=KOLOM, bukan {pair!r}")
        overrides[name.strip()] = column
    try:
        header, rows = read_table(path)
        mapping = guess_mapping(header, overrides)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    report = parse_rows(header, rows, mapping, file_name=path.name)
    for error in report.errors:
        click.echo(f"  baris {error.row}: {error.message}", err=True)
    click.echo(
        f"{report.rows} baris dibaca: {len(report.items)} valid, {len(report.errors)} salah."
    )
    if report.errors and not partial:
        raise click.ClickException(
            "tidak ada yang disimpan karena ada baris salah; perbaiki berkasnya atau pakai "
            "--partial untuk menyimpan baris yang valid saja"
        )
    if dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
        return
    now = utcnow()
    with session_scope() as session:
        source_id = manual_source(session)
        stored = store_items(session, source_id, report.items, now=now)
        processed = process_new_items(session, stored.new_ids, now=now)
    click.echo(
        f"Tersimpan: {len(stored.new_ids)} aduan baru, {stored.duplicates} sudah ada sebelumnya, "
        f"{processed.tagged} diberi label. Lihat: aduan queue list"
    )


# --- classifier -------------------------------------------------------------------------


@cli.group()
def classifier() -> None:
    """Model klasifikasi: latih, evaluasi, promosikan, daftar versi."""


_model_dir_option = click.option(
    "--model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Direktori registri model (bawaan: ADUAN_MODEL_DIR).",
)


def _data_options(func):  # type: ignore[no-untyped-def]
    func = click.option(
        "--agency-column", default="instansi", show_default=True, help="Kolom SKPD/instansi tujuan."
    )(func)
    func = click.option(
        "--topic-column",
        default=None,
        help="Kolom topik; tanpa ini topik diturunkan dari instansi.",
    )(func)
    func = click.option(
        "--text-column", default="keluhan", show_default=True, help="Kolom isi aduan."
    )(func)
    return click.option(
        "--data",
        "data_path",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Berkas CSV data berlabel.",
    )(func)


def _load_data(
    data_path: Path, text_column: str, topic_column: str | None, agency_column: str | None
):  # type: ignore[no-untyped-def]
    from classifier.train import load_training_csv

    try:
        return load_training_csv(
            data_path,
            text_column=text_column,
            topic_column=topic_column,
            agency_column=agency_column or None,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def _print_metrics(metrics: dict[str, Any]) -> None:
    for task in ("topic", "agency"):
        if task not in metrics:
            continue
        m = metrics[task]
        click.echo(
            f"{task}: akurasi {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f}  "
            f"top-3 {m['top3_accuracy']:.3f}  akurasi@80% {m['accuracy_at_80_coverage']:.3f}"
        )
        for label, c in m.get("per_class", {}).items():
            click.echo(
                f"    {label[:45]:45s} P {c['precision']:.2f}  R {c['recall']:.2f}  "
                f"F1 {c['f1']:.2f}  n={c['support']}"
            )


@classifier.command("train")
@_data_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Direktori registri model (bawaan: ADUAN_MODEL_DIR).",
)
@click.option(
    "--holdout-fraction",
    default=0.15,
    show_default=True,
    type=click.FloatRange(0, 0.5),
    help="Bagian data terbaru yang disisihkan sebagai holdout tetap (sekali saja).",
)
@click.option("--no-activate", is_flag=True, help="Simpan versi baru tanpa mempromosikannya.")
def classifier_train(
    data_path: Path,
    text_column: str,
    topic_column: str | None,
    agency_column: str,
    out: Path | None,
    holdout_fraction: float,
    no_activate: bool,
) -> None:
    """Latih model topik, instansi dan relevansi dari CSV berlabel, lalu lewati gerbang promosi."""
    from classifier.lifecycle import train_and_register
    from classifier.registry import ModelRegistry

    data = _load_data(data_path, text_column, topic_column, agency_column)
    registry = ModelRegistry(out or get_settings().resolved_model_dir)
    outcome = train_and_register(
        registry, data, holdout_fraction=holdout_fraction, activate=not no_activate
    )
    click.echo(
        f"Versi {outcome.version}: dilatih pada {len(data)} baris (holdout tetap: "
        f"{registry.holdout_path})."
    )
    if outcome.metrics:
        for task in ("topic", "agency"):
            if task in outcome.metrics:
                m = outcome.metrics[task]
                click.echo(
                    f"  holdout {task}: akurasi {m['accuracy']:.3f}, "
                    f"macro-F1 {m['macro_f1']:.3f}, top-3 {m['top3_accuracy']:.3f}"
                )
    if outcome.promotion is not None:
        state = "dipromosikan" if outcome.promotion.promoted else "TIDAK dipromosikan"
        click.echo(f"  {state}: {outcome.promotion.reason}")


@classifier.command("evaluate")
@_data_options
@click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Registri (model aktifnya) atau direktori satu versi.",
)
@click.option("--json", "as_json", is_flag=True, help="Cetak satu objek JSON.")
def classifier_evaluate(
    data_path: Path,
    text_column: str,
    topic_column: str | None,
    agency_column: str,
    model_path: Path | None,
    as_json: bool,
) -> None:
    """Ukur model pada CSV berlabel: akurasi, macro-F1, per kelas, top-3, akurasi@80%."""
    from classifier.bootstrap import ensure_active_model
    from classifier.lifecycle import load_bundle
    from classifier.registry import ModelRegistry
    from classifier.train import evaluate_bundle

    data = _load_data(data_path, text_column, topic_column, agency_column)
    if model_path is None:
        model_path = get_settings().resolved_model_dir
        ensure_active_model(ModelRegistry(model_path))
    try:
        bundle, version = load_bundle(model_path)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    metrics = evaluate_bundle(bundle, data)
    if as_json:
        out = {"n": metrics["n"], "model_version": version}
        for task in ("topic", "agency"):
            if task in metrics:
                out[task] = {
                    k: metrics[task][k]
                    for k in ("accuracy", "macro_f1", "top3_accuracy", "accuracy_at_80_coverage")
                }
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"Model {version} pada {metrics['n']} baris:")
    _print_metrics(metrics)


@classifier.command("promote")
@click.argument("version")
@_model_dir_option
@click.option(
    "--holdout",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV holdout (text, topic, agency); bawaan: holdout tetap registri.",
)
@click.option("--force", is_flag=True, help="Promosikan walau lebih buruk (tercatat).")
def classifier_promote(
    version: str, model_dir: Path | None, holdout: Path | None, force: bool
) -> None:
    """Aktifkan VERSION hanya jika tidak lebih buruk dari model aktif pada holdout tetap."""
    from classifier.lifecycle import promote, read_holdout
    from classifier.registry import ModelRegistry

    registry = ModelRegistry(model_dir or get_settings().resolved_model_dir)
    holdout_path = holdout or registry.holdout_path
    if not holdout_path.is_file():
        raise click.ClickException(f"holdout tidak ada: {holdout_path}")
    try:
        result = promote(registry, version, holdout=read_holdout(holdout_path), force=force)
    except (KeyError, LookupError, FileNotFoundError) as exc:
        raise click.ClickException(f"versi tidak ditemukan: {version}") from exc
    click.echo(("Dipromosikan: " if result.promoted else "Ditolak: ") + result.reason)
    if not result.promoted:
        raise SystemExit(1)


@classifier.command("list")
@_model_dir_option
def classifier_list(model_dir: Path | None) -> None:
    """Daftar versi model dengan jenis, data latih dan metrik holdout; * = aktif."""
    from classifier.registry import ModelRegistry

    registry = ModelRegistry(model_dir or get_settings().resolved_model_dir)
    active = registry.active_version()
    for meta in registry.versions():
        holdout = meta.get("metrics", {}).get("holdout") or {}
        topic = holdout.get("topic", {}).get("accuracy")
        mark = "*" if meta["version"] == active else " "
        click.echo(
            f"{mark} {meta['version']}  {meta['kind']:9s} {meta['training_rows']:6d} baris"
            f"  akurasi topik holdout: {topic if topic is not None else '-'}"
        )


# --- queue ------------------------------------------------------------------------------


@cli.group()
def queue() -> None:
    """Antrean triase: item yang menunggu keputusan admin."""


@queue.command("list")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON (daftar objek).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option(
    "--order",
    type=click.Choice(["newest", "uncertain"]),
    default="newest",
    show_default=True,
    help="newest: terbaru dahulu; uncertain: model paling ragu dahulu.",
)
def queue_list(as_json: bool, limit: int, offset: int, order: str) -> None:
    """Tampilkan item yang menunggu triase dengan saran label."""
    from classifier.taxonomy import load_taxonomy
    from triage.queue import count_queue, list_queue

    with session_scope() as session:
        entries = list_queue(session, limit=limit, offset=offset, order=order)
        total = count_queue(session)
    if as_json:
        click.echo(json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo("Antrean kosong. Jalankan 'aduan ingest' untuk mengambil item baru.")
        return
    taxonomy = load_taxonomy()
    tz = get_settings().tz
    for e in entries:
        when = (
            e.published_at.astimezone(tz).strftime("%d-%m-%Y %H:%M WITA") if e.published_at else "-"
        )
        conf = f"{e.confidence:.0%}" if e.confidence is not None else "-"
        flag = " [perlu ditinjau]" if e.needs_review else ""
        click.echo(f"#{e.id} [{e.source_kind}] {when} - {e.source_name}")
        click.echo(f"  {(e.title or e.text)[:110]}")
        click.echo(
            f"  topik: {taxonomy.topic_label(e.suggested_topic)} | "
            f"SKPD: {e.suggested_agency or '-'} | wilayah: {e.suggested_region or '-'} | "
            f"keyakinan: {conf}{flag}"
        )
    click.echo(f"Menampilkan {len(entries)} dari {total} item menunggu.")


# --- sources ----------------------------------------------------------------------------


@cli.group()
def sources() -> None:
    """Sumber pengumpulan dan kesehatannya."""


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Cetak sebagai JSON.")
def sources_list(as_json: bool) -> None:
    """Daftar sumber: aktif atau tidak, sukses terakhir, kegagalan beruntun, alasan nonaktif."""
    from models.item import Item
    from models.source import Source

    with session_scope() as session:
        counts = dict(
            session.execute(select(Item.source_id, func.count()).group_by(Item.source_id)).all()
        )
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind.value,
                "enabled": s.enabled,
                "items": counts.get(s.id, 0),
                "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
                "consecutive_failures": s.consecutive_failures,
                "last_error": s.last_error,
                "disabled_reason": s.disabled_reason,
            }
            for s in session.scalars(select(Source).order_by(Source.id))
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    tz = get_settings().tz
    table = []
    for r in rows:
        last = r["last_success_at"]
        shown = (
            __import__("datetime")
            .datetime.fromisoformat(last)
            .astimezone(tz)
            .strftime("%d-%m %H:%M")
            if last
            else "-"
        )
        state = "aktif" if r["enabled"] else f"nonaktif: {r['disabled_reason'] or '-'}"
        table.append(
            [r["id"], r["name"], r["kind"], state, r["items"], shown, r["consecutive_failures"]]
        )
    _echo_table(table, ["id", "nama", "jenis", "status", "item", "sukses terakhir", "gagal"])


# --- users ------------------------------------------------------------------------------


@cli.group()
def user() -> None:
    """Akun pengguna aplikasi triase."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "operator", "agency_officer", "viewer"]),
    help="admin (Diskominfo), operator (triase), agency_officer (SKPD), viewer.",
)
@click.option("--agency", "agency_code", help="Kode SKPD untuk agency_officer, mis. 6371-dishub.")
@click.option("--full-name", help="Nama lengkap.")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari standar input.")
def user_add(
    username: str, role: str, agency_code: str | None, full_name: str | None, password_stdin: bool
) -> None:
    """Tambah pengguna USERNAME; kata sandi ditanyakan (atau dari stdin), disimpan argon2."""
    from models.enums import UserRole
    from triage.accounts import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)
    try:
        with session_scope() as session:
            created = create_user(
                session,
                username,
                password,
                role=UserRole(role),
                agency_code=agency_code,
                full_name=full_name,
            )
            name, shown_role = created.username, created.role.label
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Pengguna '{name}' dibuat dengan peran {shown_role}.")


def _set_enabled(name: str, enabled: bool) -> None:
    from models.event import record_event
    from models.source import Source

    with session_scope() as session:
        source = session.scalar(select(Source).where(Source.name == name))
        if source is None:
            raise click.ClickException(f"sumber '{name}' tidak ada (lihat: aduan sources list)")
        before = {"enabled": source.enabled, "disabled_reason": source.disabled_reason}
        if enabled:
            source.enabled = True
            source.disabled_reason = None
            source.consecutive_failures = 0
        else:
            source.disable("dinonaktifkan oleh admin")
        record_event(
            session,
            actor="cli",
            entity_type="source",
            entity_id=source.id,
            action="enable" if enabled else "disable",
            before=before,
            after={"enabled": source.enabled},
        )
    click.echo(f"Sumber '{name}' {'diaktifkan' if enabled else 'dinonaktifkan'}.")


@sources.command("enable")
@click.argument("name")
def sources_enable(name: str) -> None:
    """Aktifkan lagi sumber NAME (misalnya setelah dinonaktifkan karena gagal beruntun)."""
    _set_enabled(name, True)


@sources.command("disable")
@click.argument("name")
def sources_disable(name: str) -> None:
    """Nonaktifkan sumber NAME; pengumpulan melewatinya sampai diaktifkan lagi."""
    _set_enabled(name, False)


# --- web and API --------------------------------------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Alamat yang didengarkan.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def web(host: str, port: int, workers: int) -> None:
    """Jalankan aplikasi web triase (antrean, aduan, formulir publik, API)."""
    import uvicorn

    from aduan.db import get_engine
    from aduan.migrate import upgrade_database

    upgrade_database(get_engine())
    click.echo(f"aduan web di http://{host}:{port}/ (formulir publik: /lapor, API: /api/docs)")
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@cli.group()
def token() -> None:
    """Token untuk API JSON baca-saja."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="Nama/keterangan token.")
def token_create(username: str, name: str) -> None:
    """Buat token API untuk USERNAME; token hanya ditampilkan sekali."""
    from models.base import utcnow
    from models.user import User
    from web.security import create_api_token

    with session_scope() as session:
        account = session.scalar(select(User).where(User.username == username.lower()))
        if account is None:
            raise click.ClickException(f"pengguna '{username}' tidak ada")
        value = create_api_token(session, account, name[:80], now=utcnow())
    click.echo(value)


@token.command("revoke")
@click.argument("username")
def token_revoke(username: str) -> None:
    """Cabut semua token API milik USERNAME."""
    from sqlalchemy import update

    from models.base import utcnow
    from models.user import User
    from models.web import ApiToken

    with session_scope() as session:
        account = session.scalar(select(User).where(User.username == username.lower()))
        if account is None:
            raise click.ClickException(f"pengguna '{username}' tidak ada")
        result = session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == account.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    click.echo(f"{result.rowcount} token dicabut.")


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
