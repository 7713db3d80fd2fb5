"""The hourly overdue check: reminders to SKPD officers and Diskominfo admins, by e-mail
when SMTP is configured, otherwise listed in the run's artifact and log."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.tasks import exponential_backoff

from aduan.db import session_scope
from aduan.settings import Settings, get_settings
from models.base import utcnow
from models.complaint import Complaint
from models.workdays import Deadlines, load_holidays
from triage.reminders import Smtp, deliver, plan_reminders

__all__ = ["overdue"]


def smtp_from(settings: Settings) -> Smtp | None:
    if not settings.smtp_host:
        return None
    return Smtp(
        host=settings.smtp_host,
        port=settings.smtp_port,
        user=settings.smtp_user,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        sender=settings.smtp_from,
    )


@task(
    name="send-reminders",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=30),
    retry_jitter_factor=0.5,
)
def send_reminders() -> dict[str, Any]:
    settings = get_settings()
    deadlines = Deadlines(
        settings.follow_up_days, settings.tz, load_holidays(settings.holidays_file)
    )
    now = utcnow()
    with session_scope(write=True) as session:
        late = len(session.scalars(Complaint.overdue(now)).all())
        mails, unreachable = plan_reminders(
            session,
            now=now,
            deadlines=deadlines,
            base_url=settings.public_url or "http://127.0.0.1:8000",
        )
        rows = deliver(session, mails, smtp=smtp_from(settings), now=now)
    return {"late": late, "mails": rows, "unreachable": unreachable}


@flow(name="overdue", log_prints=False)
def overdue() -> dict[str, Any]:
    """Find late and nearly-due complaints and remind whoever must act."""
    logger = get_run_logger()
    result = send_reminders()
    for row in result["mails"]:
        logger.info(
            "pengingat %s ke %s (%s): %s %s",
            row["jenis"],
            row["kepada"],
            row["cara"],
            row["judul"],
            row["galat"],
        )
    for name in result["unreachable"]:
        logger.warning("%s: tidak ada petugas dengan alamat email untuk pengingat", name)
    create_table_artifact(
        key="pengingat-tenggat",
        table=result["mails"]
        or [
            {
                "jenis": "-",
                "kepada": "-",
                "judul": "tidak ada pengingat baru",
                "aduan": 0,
                "cara": "-",
                "galat": "",
            }
        ],
        description=f"{result['late']} aduan terlambat; pengingat yang dikirim atau dicatat "
        "pada run ini",
    )
    return result
