"""Re-classification and backfill of large volumes: items in chunks (about 10,000 per
task, never one task per item) on Prefect's Dask task runner, on a local cluster of
``workers`` processes or on an existing Dask cluster (``dask_address``).

Each chunk is one transaction: its items get a suggestion from the active model (items
whose current suggestion already comes from it are left alone), so a chunk that failed
is simply done again by the next run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.futures import as_completed
from prefect_dask import DaskTaskRunner
from sqlalchemy import select

from aduan.db import get_sessionmaker, session_scope
from aduan.progress import Progress
from aduan.settings import get_settings
from classifier.bootstrap import ensure_active_model
from classifier.registry import ModelRegistry
from classifier.tag import tag_with_version
from models.base import utcnow
from models.item import Item, ItemSuggestion

__all__ = ["CHUNK", "classify_chunk", "reclassify"]

CHUNK = 10_000


@task(name="classify-chunk", retries=2, retry_delay_seconds=10)
def classify_chunk(item_ids: list[int], model_dir: str, version: str) -> int:
    """Suggestions for one chunk with model ``version``; returns how many were written (the
    model loads once per worker process: ``classifier.tag``)."""
    return tag_with_version(
        get_sessionmaker(),
        get_sessionmaker(write=True),
        item_ids,
        model_dir=Path(model_dir),
        version=version,
        now=utcnow(),
    )


def _item_ids(only_missing: bool) -> list[int]:
    with session_scope() as session:
        stmt = select(Item.id).order_by(Item.id)
        if only_missing:
            has = select(ItemSuggestion.item_id).where(ItemSuggestion.item_id == Item.id)
            stmt = stmt.where(~has.exists())
        return list(session.scalars(stmt))


def _runner(workers: int, dask_address: str | None) -> DaskTaskRunner:
    if dask_address:
        return DaskTaskRunner(address=dask_address)
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True}
    )


@flow(name="reclassify", log_prints=False)
def _reclassify(only_missing: bool, model_dir: str, chunk_size: int) -> dict[str, Any]:
    item_ids = _item_ids(only_missing)  # read here: a million ids are no flow parameter
    # The active model (the bootstrap one is trained now if there is none), once, before
    # the workers start: two workers must not both bootstrap it.
    version = ensure_active_model(ModelRegistry(Path(model_dir)))
    chunks = [item_ids[i : i + chunk_size] for i in range(0, len(item_ids), chunk_size)]
    futures = {classify_chunk.submit(chunk, model_dir, version): len(chunk) for chunk in chunks}
    written = 0
    with Progress("klasifikasi ulang", len(item_ids), log=get_run_logger().info) as bar:
        for future in as_completed(list(futures)):
            written += future.result()
            bar.advance(futures[future])
    create_table_artifact(
        key="klasifikasi-ulang",
        table=[{"item": len(item_ids), "potongan": len(chunks), "saran baru": written}],
        description="Klasifikasi ulang dengan model aktif",
    )
    get_run_logger().info(
        "%d item, %d potongan, %d saran baru", len(item_ids), len(chunks), written
    )
    return {"items": len(item_ids), "chunks": len(chunks), "written": written}


def reclassify(
    *,
    only_missing: bool = False,
    workers: int = 1,
    dask_address: str | None = None,
    chunk_size: int = CHUNK,
) -> dict[str, Any]:
    """Tag every item (or only those without a suggestion: the backfill) with the active
    model, in chunks on Dask."""
    model_dir = str(get_settings().resolved_model_dir)
    run = _reclassify.with_options(task_runner=_runner(workers, dask_address))  # type: ignore[arg-type]
    result: dict[str, Any] = run(only_missing, model_dir, chunk_size)
    return result
