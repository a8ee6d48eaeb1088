"""The manager's simulation page: a run's request and its figures."""

from __future__ import annotations

from marshmallow import fields

from .base import Choice, Flag, In, Int, Out, Str, say

#: a pasted or uploaded scenario file (services.simulation.MAX_SCENARIO_CHARS)
MAX_SCENARIO_CHARS = 64_000


class SimulationIn(In):
    source = Choice(
        ("learn", "scenario"),
        required=True,
        message=say("source 只能是 learn 或 scenario", "source must be learn or scenario"),
        metadata={"description": "learn: from the hall's last history_days days; scenario: the YAML given"},
    )
    history_days = Int(1, 90, metadata={"description": "days of history to learn from (default 30)"})
    scenario = Str(
        MAX_SCENARIO_CHARS,
        metadata={"description": "a scenario file (YAML or JSON, docs/simulation.md) when source=scenario"},
    )
    wait_target_minutes = Int(
        1, 240, metadata={"description": "default: the scenario's (learned: the hall's)"}
    )
    days = Int(1, 30, metadata={"description": "days to simulate (default: the scenario's; learned: 10)"})
    measure = Choice(
        ("p90", "mean"),
        message=say("measure 只能是 p90 或 mean", "measure must be p90 or mean"),
        metadata={
            "description": "the wait the staffing recommendation keeps within the target (default p90)"
        },
    )
    recommend = Flag(metadata={"description": "recommend staffing per hour (default true)"})
    estimates = Flag(metadata={"description": "also measure the wait estimates' error (default false)"})


class SimCell(Out):
    """Waits of the citizens of a service (`*`: all) who arrived in an hour (-1: all day)."""

    service = fields.String(required=True)
    hour = fields.Integer(required=True)
    count = fields.Integer(required=True)
    per_day = fields.Float(required=True)
    mean_min = fields.Float(required=True)
    p90_min = fields.Float(required=True)
    within_target = fields.Float(required=True, metadata={"description": "share 0..1"})


class SimUtilisation(Out):
    window = fields.Integer(required=True)
    share = fields.Float(required=True, metadata={"description": "busy ÷ open, 0..1"})


class SimHourWindows(Out):
    hour = fields.Integer(required=True)
    windows = fields.List(fields.Integer(), required=True)


class SimEstimate(Out):
    estimator = fields.String(required=True)
    count = fields.Integer(required=True)
    mean_abs_min = fields.Float(required=True)
    p90_abs_min = fields.Float(required=True)
    bias_min = fields.Float(required=True)


class Simulation(Out):
    """The run's figures; nothing of the hall was written."""

    source = fields.String(required=True)
    days = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    wait_target_minutes = fields.Float(required=True)
    measure = fields.String(required=True)
    services = fields.List(fields.String(), required=True)
    hours = fields.List(fields.Integer(), required=True)
    cells = fields.List(fields.Nested(SimCell), required=True)
    by_service = fields.List(fields.Nested(SimCell), required=True)
    overall = fields.Nested(SimCell, required=True)
    utilisation = fields.List(fields.Nested(SimUtilisation), required=True)
    staffing = fields.List(fields.Nested(SimHourWindows), required=True)
    recommended = fields.List(fields.Nested(SimHourWindows), required=True)
    estimates = fields.List(fields.Nested(SimEstimate), required=True)
    citizens = fields.Integer(required=True)
    no_shows = fields.Integer(required=True)
    transfers = fields.Integer(required=True)
    unserved = fields.Integer(required=True, metadata={"description": "citizens no window served"})
    scenario = fields.String(required=True, metadata={"description": "the scenario run, as YAML"})
