"""The deployments of ``prefect.yaml`` as Python objects, for ``aduan serve``: one file
says what runs when, whether it is served by one process or deployed to a work pool."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from cronsim import CronSim

__all__ = ["PREFECT_YAML", "DeploymentSpec", "cancel_stale_runs", "load_specs", "to_runner"]

PREFECT_YAML = Path(__file__).resolve().parents[1] / "prefect.yaml"


@dataclass(frozen=True, slots=True)
class DeploymentSpec:
    name: str
    entrypoint: str  # "flows/ingest.py:ingest"
    description: str
    parameters: dict[str, Any]
    schedules: list[dict[str, Any]]
    limit: int | None
    collision_strategy: str | None
    flow_name: str = field(default="")

    def flow(self) -> Any:
        path, attr = self.entrypoint.split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        return getattr(module, attr)

    def interval(self) -> timedelta:
        """The shortest time between two runs of any of its schedules."""
        shortest = timedelta(days=366)
        for schedule in self.schedules:
            tz = ZoneInfo(schedule.get("timezone") or "UTC")
            times = CronSim(schedule["cron"], datetime(2026, 1, 1, tzinfo=tz))
            first = next(times)
            shortest = min(shortest, next(times) - first)
        return shortest


def load_specs(path: Path = PREFECT_YAML) -> list[DeploymentSpec]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = []
    for d in data["deployments"]:
        limit = d.get("concurrency_limit")
        spec = DeploymentSpec(
            name=d["name"],
            entrypoint=d["entrypoint"],
            description=" ".join(str(d.get("description") or "").split()),
            parameters=d.get("parameters") or {},
            schedules=d.get("schedules") or [],
            limit=limit.get("limit") if isinstance(limit, dict) else limit,
            collision_strategy=limit.get("collision_strategy") if isinstance(limit, dict) else None,
        )
        specs.append(spec)
    return specs


def to_runner(spec: DeploymentSpec) -> Any:
    """A ``RunnerDeployment`` with the same schedules, parameters and limit."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    schedules = [
        Cron(
            s["cron"],
            timezone=s.get("timezone"),
            slug=s.get("slug"),
            parameters=s.get("parameters") or {},
            active=s.get("active", True),
        )
        for s in spec.schedules
    ]
    limit = (
        ConcurrencyLimitConfig(
            limit=spec.limit, collision_strategy=ConcurrencyLimitStrategy(spec.collision_strategy)
        )
        if spec.limit and spec.collision_strategy
        else spec.limit
    )
    return spec.flow().to_deployment(
        name=spec.name,
        description=spec.description,
        parameters=spec.parameters,
        schedules=schedules,
        concurrency_limit=limit,
    )


async def cancel_stale_runs(specs: list[DeploymentSpec], now: datetime) -> int:
    """Cancel scheduled runs that should have started more than one interval ago (a
    machine that was off for three days must not fire every run it missed); returns how
    many were cancelled."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterExpectedStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Cancelled

    cancelled = 0
    async with get_client() as client:
        for spec in specs:
            flow_name = spec.flow().name
            try:
                deployment = await client.read_deployment_by_name(f"{flow_name}/{spec.name}")
            except ObjectNotFound:
                continue
            while True:  # 200 at a time (the API's page limit); cancelled ones drop out
                runs = await client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                    flow_run_filter=FlowRunFilter(
                        state=FlowRunFilterState(
                            type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])
                        ),
                        expected_start_time=FlowRunFilterExpectedStartTime(
                            before_=now - spec.interval()  # type: ignore[arg-type]
                        ),
                    ),
                    limit=200,
                )
                for run in runs:
                    await client.set_flow_run_state(
                        run.id,
                        Cancelled(message="terlewat saat aduan serve tidak berjalan"),
                        force=True,
                    )
                    cancelled += 1
                if len(runs) < 200:
                    break
    return cancelled
