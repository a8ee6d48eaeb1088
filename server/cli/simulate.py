"""`hallq simulate`: play a scenario of the hall (or its learned history) and recommend staffing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .base import UserError, database_option, examples, overrides, require_database


def _read(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"cannot read {path}: {err}") from err
    try:
        return yaml.safe_load(text)  # YAML reads JSON as well
    except yaml.YAMLError as err:
        raise UserError(f"{path} is not YAML: {str(err).splitlines()[0]}") from err


def _hh(hour: int) -> str:
    return f"{hour:02d}:00"


@click.command(
    epilog=examples(
        "hallq simulate docs/simulation-example.yaml",
        "hallq simulate docs/simulation-example.yaml --days 50 --target 15 --measure mean",
        "hallq simulate docs/simulation-example.yaml --estimates --no-recommend",
        "hallq simulate --learn --hall demo                      # from the hall's last 30 days",
        "hallq simulate --learn --hall demo --save my-hall.yaml   # then edit it and run it",
        "hallq simulate docs/simulation-example.yaml --json > result.json",
    )
)
@click.argument("scenario", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--learn", is_flag=True, help="Learn the scenario from the hall's history (events).")
@click.option("--hall", metavar="CODE", default="demo", show_default=True, help="The hall to learn from.")
@click.option("--history-days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.option("--days", type=click.IntRange(1, 1000), help="Days to simulate (default: the scenario's).")
@click.option("--seed", type=int, help="Random seed (default: the scenario's).")
@click.option(
    "--target", type=click.FloatRange(0.1), help="Wait target in minutes (default: the scenario's)."
)
@click.option(
    "--measure",
    type=click.Choice(["p90", "mean"]),
    default="p90",
    show_default=True,
    help="The wait the recommendation keeps within the target.",
)
@click.option(
    "--recommend/--no-recommend", default=True, show_default=True, help="Recommend staffing per hour."
)
@click.option(
    "--estimates", is_flag=True, help="Also measure the wait estimates against the simulated waits."
)
@click.option(
    "--save", type=click.Path(path_type=Path, dir_okay=False), help="Write the scenario used as YAML."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON instead of tables.")
@database_option
@click.pass_obj
def simulate(
    obj: dict[str, Any],
    scenario: Path | None,
    learn: bool,
    hall: str,
    history_days: int,
    days: int | None,
    seed: int | None,
    target: float | None,
    measure: str,
    recommend: bool,
    estimates: bool,
    save: Path | None,
    as_json: bool,
) -> None:
    """Simulate hall days of SCENARIO (YAML: arrivals per service and hour, service times,
    windows, staffing per hour, wait target, days, seed; see docs/simulation.md) or of the
    hall's learned history (--learn), and print waits per service and hour (mean, p90, share
    within target), window utilisation and the smallest staffing per hour that keeps the p90
    (or mean) wait within the target. Nothing is written to the database."""
    from dataclasses import replace

    from ..domain import simulation as sim

    if (scenario is None) == (not learn):
        raise UserError("give a SCENARIO file or --learn (one of the two)")
    try:
        if learn:
            require_database(obj)
            from .. import create_app
            from ..services.simulation import learned_scenario

            app = create_app(overrides(obj))
            sc = learned_scenario(app.extensions["hallq"], hall, history_days, target)
        else:
            assert scenario is not None
            sc = sim.scenario_from_dict(_read(scenario))
    except sim.ScenarioError as err:
        raise UserError(f"{scenario or 'history'}: {err}") from err
    changes: dict[str, Any] = {}
    if days is not None:
        changes["days"] = days
    if seed is not None:
        changes["seed"] = seed
    if target is not None:
        changes["wait_target_minutes"] = target
    sc = replace(sc, **changes)
    if save is not None:
        import yaml

        save.write_text(
            yaml.safe_dump(sim.scenario_to_dict(sc), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    trials = sim.recommendation_trials(sc) * sc.days if recommend else 0
    with click.progressbar(length=sc.days + trials, label="simulating", file=sys.stderr) as bar:
        report = sim.simulate(sc, progress=bar.update)
        advice: dict[int, list[int]] = {}
        if recommend:
            advice = sim.recommend_staffing(sc, measure, progress=lambda n: bar.update(n * sc.days))
    errors = sim.estimate_errors(sc) if estimates else {}
    if as_json:
        data = _as_json(report, advice)
        data["estimates"] = {name: e.__dict__ for name, e in errors.items()}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    _print(report, advice, measure)
    if errors:
        click.echo("")
        click.echo("wait estimates shown at issue vs the simulated waits (minutes):")
        click.echo(f"{'estimator':<12}{'tickets':>9}{'mean |err|':>12}{'p90 |err|':>11}{'bias':>8}")
        for name, e in errors.items():
            click.echo(
                f"{name:<12}{e.count:>9}{e.mean_abs_min:>12.1f}{e.p90_abs_min:>11.1f}{e.bias_min:>+8.1f}"
            )


def _as_json(report: Any, advice: dict[int, list[int]]) -> dict[str, Any]:
    sc = report.scenario
    return {
        "days": report.days,
        "wait_target_minutes": sc.wait_target_minutes,
        "cells": [c.__dict__ for c in report.cells],
        "services": [c.__dict__ for c in report.by_service],
        "overall": report.overall().__dict__,
        "utilisation": {str(w): round(u, 4) for w, u in report.utilisation.items()},
        "no_shows": report.no_shows,
        "transfers": report.transfers,
        "unserved": len(report.unserved),
        "staffing": {str(h): [p.window for p in ps] for h, ps in sorted(sc.staffing.items())},
        "recommended": {str(h): ws for h, ws in sorted(advice.items())},
    }


def _print(report: Any, advice: dict[int, list[int]], measure: str) -> None:

    sc = report.scenario
    days = report.days
    click.echo(
        f"{days} simulated day(s), seed {sc.seed}, wait target {sc.wait_target_minutes:g} min; "
        f"{len(report.waits)} citizens waited, {report.no_shows} no-shows, {report.transfers} transfers"
    )
    if report.unserved:
        click.echo(f"warning: {len(report.unserved)} citizens were never called (no window served them)")
    click.echo("")
    click.echo(f"{'service':<8}{'hour':>6}{'per day':>9}{'mean min':>10}{'p90 min':>9}{'within':>8}")
    for c in [*report.cells, None, *report.by_service, None, report.overall()]:
        if c is None:
            click.echo("-" * 50)
            continue
        hour = _hh(c.hour) if c.hour >= 0 else "all"
        click.echo(
            f"{c.service:<8}{hour:>6}{c.count / days:>9.1f}{c.mean_min:>10.1f}{c.p90_min:>9.1f}"
            f"{c.within_target:>8.0%}"
        )
    click.echo("")
    click.echo("window utilisation: " + ", ".join(f"{w}: {u:.0%}" for w, u in report.utilisation.items()))
    if advice:
        click.echo("")
        click.echo(f"recommended windows per hour ({measure} wait ≤ {sc.wait_target_minutes:g} min):")
        click.echo(f"{'hour':>6}{'planned':>9}{'recommended':>13}{'p90 planned':>13}  windows")
        for h in sorted(sc.staffing):
            numbers = ", ".join(str(n) for n in advice[h])
            planned = len(sc.staffing[h])
            click.echo(
                f"{_hh(h):>6}{planned:>9}{len(advice[h]):>13}{report.hour_p90_min(h):>13.1f}  {numbers}"
            )


COMMANDS = [simulate]
