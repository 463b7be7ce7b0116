"""The side-by-side table the profile and export benches print (issue 21).

Each run is measured in one process of its own (wall, peak RSS from wait4); only the ratios
inside one run count on a shared machine, so the table prints every run's ratio to the COPY
ceiling and to its peer next to the goal it is held to, and whether the goal is met.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class Run:
    task: str  # "ceiling", "profile", "export", ...
    tool: str
    wall: float
    rss_mb: int | None = None
    cpu_s: float | None = None  # the client process's user + system seconds


@dataclass
class Goal:
    """A run's bounds: at most ``ceil_x`` × the ceiling, ``peer_x`` × the peer run named
    ``peer``, and a peak RSS below ``rss_mb``; ``None`` = not bounded."""

    ceil_x: float | None = None
    peer: str | None = None
    peer_x: float | None = None
    rss_mb: int | None = None

    def text(self) -> str:
        parts = []
        if self.ceil_x is not None:
            parts.append(f"<= {self.ceil_x:g}x ceil")
        if self.peer_x is not None:
            parts.append(f"<= {self.peer_x:g}x peer")
        if self.rss_mb is not None:
            parts.append(f"RSS < {self.rss_mb}")
        return ", ".join(parts) or "-"


def _checks(run: Run, goal: Goal, ceiling: float | None, runs: dict[str, Run]) -> list[bool]:
    out = []
    if goal.ceil_x is not None and ceiling:
        out.append(run.wall <= goal.ceil_x * ceiling)
    if goal.peer_x is not None and goal.peer in runs:
        out.append(run.wall <= goal.peer_x * runs[goal.peer].wall)
    if goal.rss_mb is not None and run.rss_mb is not None:
        out.append(run.rss_mb < goal.rss_mb)
    return out


def table(runs: list[Run], goals: dict[str, Goal], title: str = "") -> str:
    """A Markdown table: task, tool, seconds, peak RSS, x ceiling, x peer, goal, met?"""
    by_tool = {r.tool: r for r in runs}
    ceiling = next((r.wall for r in runs if r.task == "ceiling"), None)
    lines = [title] if title else []
    lines += [
        "| task | tool | wall s | client CPU s | peak RSS MB | x ceiling | x peer | goal | met? |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in runs:
        goal = goals.get(r.tool.removesuffix(" [before]"), Goal())
        x_ceil = f"{r.wall / ceiling:.2f}" if ceiling else "-"
        peer = by_tool.get(goal.peer or "")
        x_peer = f"{r.wall / peer.wall:.2f}" if peer else "-"
        checks = _checks(r, goal, ceiling, by_tool)
        met = "-" if not checks else ("yes" if all(checks) else "NO")
        rss = "-" if r.rss_mb is None else str(r.rss_mb)
        cpu = "-" if r.cpu_s is None else f"{r.cpu_s:.1f}"
        lines.append(
            f"| {r.task} | {r.tool} | {r.wall:.1f} | {cpu} | {rss} | {x_ceil} | {x_peer} "
            f"| {goal.text()} | {met} |"
        )
    return "\n".join(lines)


def flat(small: Run, big: Run, factor: int, slack: float = 1.15) -> str:
    """Whether peak RSS stayed flat when the table grew ``factor`` times."""
    if small.rss_mb is None or big.rss_mb is None:
        return "-"
    ok = big.rss_mb <= slack * small.rss_mb
    return (
        f"{big.tool}: peak RSS {small.rss_mb} MB -> {big.rss_mb} MB at {factor}x the rows "
        f"({big.rss_mb / small.rss_mb:.2f}x; flat = <= {slack:g}x): {'yes' if ok else 'NO'}; "
        f"wall {small.wall:.1f} s -> {big.wall:.1f} s ({big.wall / small.wall:.2f}x)"
    )


def before_env(path: str | None) -> dict[str, str]:
    """The environment of a ``[before]`` run: DTE imported from another checkout (``--before
    DIR``, e.g. a worktree of the commit before a change), so before and after share a run."""
    env = dict(os.environ)
    if path:
        env["PYTHONPATH"] = path
    return env
