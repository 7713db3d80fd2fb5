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

    _check_port_free(host, port)
    upgrade_database(get_engine())
    trusted = get_settings().trusted_proxies
    click.echo(f"aduan web di http://{host}:{port}/ (formulir publik: /lapor, API: /api/docs)")
    if get_settings().public_url is None:
        click.echo(
            "PERINGATAN: ADUAN_PUBLIC_URL belum diisi; kode QR /lapor/qr akan menunjuk ke "
            "alamat yang dipakai pembuka halaman, bukan alamat publik aplikasi.",
            err=True,
        )
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


def _check_port_free(host: str, port: int) -> None:
    """Say that the port is taken before anything else is printed or started."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"port {port} di {host} sudah dipakai program lain; hentikan program itu "
                    f"atau pilih port lain dengan --port"
                ) from exc
            raise click.ClickException(f"tidak dapat memakai {host}:{port}: {exc}") from exc
