"""``aduan web``: the triage web app, the public form and the API."""

from __future__ import annotations

import click

from aduan.cli._common import cli
from aduan.settings import get_settings


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
    trusted = get_settings().trusted_proxies
    click.echo(f"aduan web di http://{host}:{port}/ (formulir publik: /lapor, API: /api/docs)")
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # X-Forwarded-* only from the configured reverse proxies: otherwise any client
        # could pick the address its rate limits are counted under.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
        log_level="info",
    )
