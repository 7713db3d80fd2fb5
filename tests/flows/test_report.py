"""The report flow under Prefect: files of the last finished month, and its artifact."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aduan.reference import load_agencies, load_regions
from aduan.settings import get_settings
from models import utcnow
from models.workdays import Deadlines, load_holidays
from reports.periods import last_complete
from tests.reports.sample import populate

pytestmark = pytest.mark.flow


def test_monthly_report_files_and_headline_artifact(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    from flows.report import report

    settings = get_settings()
    now = utcnow()
    with Session(sqlite_engine) as session, session.begin():
        load_regions(session)
        load_agencies(session)
        populate(session, now, Deadlines(3, settings.tz, load_holidays()))
    result = report(kind="monthly", out_dir=str(tmp_path))
    expected = last_complete("monthly", now, settings.tz)
    assert result["period"] == expected.code
    names = sorted(Path(f).name for f in result["files"])
    assert names == [f"laporan-aduan-{expected.code}.{ext}" for ext in ("html", "md", "xlsx")]
    assert result["headline"]["item relevan"] > 0
    wb = load_workbook(tmp_path / f"laporan-aduan-{expected.code}.xlsx")
    assert "Tindak lanjut SKPD" in wb.sheetnames

    async def artifact() -> str:
        async with get_client() as client:
            found = await client.read_latest_artifacts()
            return next(a.data for a in found if a.key == "laporan-bulanan")

    import asyncio

    markdown = asyncio.run(artifact())
    assert expected.label in markdown and "item relevan" in markdown
    with pytest.raises(ValueError, match="jenis laporan"):
        report.fn(kind="yearly")


def test_the_report_deployment_has_a_weekly_and_a_monthly_schedule() -> None:
    import yaml

    spec = yaml.safe_load((Path(__file__).parents[2] / "prefect.yaml").read_text("utf-8"))
    (dep,) = [d for d in spec["deployments"] if d["entrypoint"] == "flows/report.py:report"]
    schedules = {s["slug"]: s for s in dep["schedules"]}
    assert schedules["weekly-report"]["cron"] == "0 7 * * 1"
    assert schedules["weekly-report"]["parameters"] == {"kind": "weekly"}
    assert schedules["monthly-report"]["cron"] == "0 7 1 * *"
    assert schedules["monthly-report"]["parameters"] == {"kind": "monthly"}
    assert {s["timezone"] for s in dep["schedules"]} == {"Asia/Makassar"}
