"""``aduan serve``: every scheduled deployment of prefect.yaml, run by this process."""

from __future__ import annotations

import asyncio

import click

from aduan.cli._common import cli
from aduan.settings import apply_prefect_defaults, get_settings


@cli.command()
@click.option(
    "--port",
    default=4200,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port of the local Prefect server (when PREFECT_API_URL is not set).",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 64),
    default=None,
    help="Flow runs at the same time (default ADUAN_SERVE_LIMIT).",
)
def serve(port: int, limit: int | None) -> None:  # fmt: skip
    """Jalankan semua jadwal (X, berita, tenggat, latih ulang, laporan) sampai dihentikan.

    Tanpa PREFECT_API_URL, server Prefect lokal dinyalakan sendiri (127.0.0.1, data di
    direktori data). Ctrl-C atau SIGTERM menghentikan run, proses ini dan servernya.
    """
    from aduan.prefect_server import PrefectServerError, local_prefect_server

    settings = get_settings()
    apply_prefect_defaults(settings)
    try:
        with local_prefect_server(settings, port=port, ui=True) as api_url:
            _serve(api_url, limit or settings.serve_limit)
    except PrefectServerError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        _stop_children()
    click.echo("aduan serve berhenti.")


def _serve(api_url: str, limit: int) -> None:
    from prefect import serve as prefect_serve

    from flows.deployments import cancel_stale_runs, load_specs, to_runner
    from models.base import utcnow

    specs = load_specs()
    cancelled = asyncio.run(cancel_stale_runs(specs, utcnow()))
    click.echo(f"Prefect API: {api_url}")
    click.echo(f"Prefect UI:  {api_url.removesuffix('/api')}")
    if cancelled:
        click.echo(f"{cancelled} run terlewat (mesin mati?) dibatalkan, tidak dikejar.")
    for spec in specs:
        crons = ", ".join(f"{s['cron']} ({s.get('slug', '-')})" for s in spec.schedules)
        click.echo(f"  {spec.name}: {crons}")
    click.echo(f"Paling banyak {limit} run sekaligus. Hentikan dengan Ctrl-C.", nl=True)
    prefect_serve(
        *[to_runner(s) for s in specs],
        limit=limit,
        pause_on_shutdown=False,
        print_starting_message=False,
    )


def _stop_children() -> None:
    """No flow run outlives the serving process."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        child.terminate()
    _, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        child.kill()
