"""``aduan classifier``: train, evaluate, promote and list model versions."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from aduan.cli._common import cli, model_dir_option
from aduan.settings import get_settings

if TYPE_CHECKING:
    from classifier.train import TrainingSet

F = TypeVar("F", bound=Callable[..., Any])


@cli.group()
def classifier() -> None:
    """Model klasifikasi: latih, evaluasi, promosikan, daftar versi."""


def _data_options(func: F) -> F:
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
) -> TrainingSet:
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


#: How the three scored tasks are named to an admin.
TASK_NAMES = {"topic": "topik", "agency": "instansi", "function": "urusan"}


def _print_metrics(metrics: dict[str, Any]) -> None:
    for task, name in TASK_NAMES.items():
        if task not in metrics:
            continue
        m = metrics[task]
        click.echo(
            f"{name}: akurasi {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f}  "
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
    from aduan.progress import format_seconds
    from classifier.lifecycle import remember_history, train_and_register
    from classifier.registry import ModelRegistry

    started = time.monotonic()
    data = _load_data(data_path, text_column, topic_column, agency_column)
    registry = ModelRegistry(out or get_settings().resolved_model_dir)
    click.echo(f"Melatih pada {len(data)} baris ...", err=True)

    def stage(name: str) -> None:
        click.echo(f"  [{format_seconds(time.monotonic() - started)}] {name} selesai", err=True)

    outcome = train_and_register(
        registry,
        data,
        holdout_fraction=holdout_fraction,
        activate=not no_activate,
        on_stage=stage,
    )
    click.echo(
        f"Versi {outcome.version}: dilatih pada {len(data)} baris dalam "
        f"{format_seconds(time.monotonic() - started)} (holdout tetap: {registry.holdout_path})."
    )
    if outcome.metrics:
        for task, name in TASK_NAMES.items():
            if task in outcome.metrics:
                m = outcome.metrics[task]
                click.echo(
                    f"  holdout {name}: akurasi {m['accuracy']:.3f}, "
                    f"macro-F1 {m['macro_f1']:.3f}, top-3 {m['top3_accuracy']:.3f}"
                )
    if outcome.promotion is not None:
        state = "dipromosikan" if outcome.promotion.promoted else "TIDAK dipromosikan"
        click.echo(f"  {state}: {outcome.promotion.reason}")
    if not no_activate and (outcome.promotion is None or outcome.promotion.promoted):
        kept = remember_history(registry, data)
        click.echo(
            f"  Riwayat berlabel disimpan di {kept}: pelatihan ulang malam memakainya "
            "bersama contoh bawaan dan keputusan admin."
        )


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
    from classifier.registry import ModelRegistry, UntrustedModelError
    from classifier.train import evaluate_bundle

    data = _load_data(data_path, text_column, topic_column, agency_column)
    if model_path is None:
        model_path = get_settings().resolved_model_dir
        ensure_active_model(ModelRegistry(model_path))
    try:
        bundle, version = load_bundle(model_path)
    except (LookupError, UntrustedModelError) as exc:
        raise click.ClickException(str(exc)) from exc
    metrics = evaluate_bundle(bundle, data)
    if as_json:
        out = {"n": metrics["n"], "model_version": version}
        for task in ("topic", "agency", "function"):
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
@model_dir_option
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
@model_dir_option
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


def _with_local_prefect(module: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``run()`` (a flow of ``module``) against a Prefect server of its own when
    PREFECT_API_URL is not set, as ``aduan ingest`` does; a server that does not start is
    a clear error, not a traceback."""
    from aduan.prefect_server import PrefectServerError, local_prefect_server
    from aduan.settings import apply_prefect_defaults

    settings = get_settings()
    apply_prefect_defaults(settings)
    try:
        with local_prefect_server(settings, preload=[module]):
            return run()
    except PrefectServerError as exc:
        raise click.ClickException(str(exc)) from exc


@classifier.command("retrain")
@click.option(
    "--base-data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV berlabel sebagai riwayat; bawaan: riwayat yang disimpan 'classifier train'.",
)
@click.option(
    "--min-decisions",
    default=30,
    show_default=True,
    type=click.IntRange(0, None),
    help="Keputusan admin baru (sejak model aktif) minimum sebelum melatih ulang.",
)
@click.option("--json", "as_json", is_flag=True, help="Hasil sebagai JSON.")
def classifier_retrain(base_data: Path | None, min_decisions: int, as_json: bool) -> None:
    """Latih ulang sekarang dari contoh tim, riwayat dan keputusan admin (alur 'retrain',
    yang juga berjalan tiap malam); lolos gerbang: jadi model aktif dan antrean diberi saran
    baru."""
    from aduan.progress import format_seconds

    def run() -> dict[str, Any]:
        from flows.retrain import retrain

        return retrain(base_data=str(base_data) if base_data else None, min_decisions=min_decisions)

    started = time.monotonic()
    result = _with_local_prefect("flows.retrain", run)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    took = format_seconds(time.monotonic() - started)
    if result.get("skipped"):
        click.echo(
            f"Baru {result['new_decisions']} keputusan admin sejak model aktif dilatih (perlu "
            f"{min_decisions}): model tidak dilatih ulang. Selesai dalam {took}."
        )
        return
    click.echo(
        f"Model {result['version']} dilatih pada {result['trained_rows']} baris "
        f"({result['decisions']} keputusan admin): {result['reason']}."
    )
    if result["promoted"]:
        click.echo(
            f"Model aktif sekarang {result['version']}; {result['retagged']} item antrean "
            f"diberi saran baru. Selesai dalam {took}."
        )
    else:
        click.echo(f"Model aktif tidak berubah. Selesai dalam {took}.")


@classifier.command("reclassify")
@click.option("--only-missing", is_flag=True, help="Hanya item yang belum punya saran (backfill).")
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Proses Dask lokal."
)
@click.option(
    "--dask-address", default=None, help="Klaster Dask yang sudah ada, mis. tcp://10.0.0.5:8786."
)
@click.option(
    "--chunk-size", default=10_000, show_default=True, type=click.IntRange(100, 1_000_000)
)
def classifier_reclassify(
    only_missing: bool, workers: int, dask_address: str | None, chunk_size: int
) -> None:  # fmt: skip
    """Beri saran ulang semua item dengan model aktif, per potongan, di Dask."""
    from aduan.progress import format_seconds

    def run() -> dict[str, Any]:
        from flows.reclassify import reclassify

        return reclassify(
            only_missing=only_missing,
            workers=workers,
            dask_address=dask_address,
            chunk_size=chunk_size,
        )

    started = time.monotonic()
    result = _with_local_prefect("flows.reclassify", run)
    click.echo(
        f"{result['items']} item dalam {result['chunks']} potongan; {result['written']} saran "
        f"baru; selesai dalam {format_seconds(time.monotonic() - started)}."
    )
