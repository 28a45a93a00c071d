"""The evidence table as a picture: ORR forest plot and median PFS/OS, per study, by class.

Left panel: objective response rate per row with its exact 95% confidence interval
(Clopper & Pearson 1934; :func:`atc_mine.evidence.stats.clopper_pearson`), rows grouped by
therapy class as the review's Tables 1-3 are. A filled marker is an ORR the source states
(as a rate or as responders); a hollow one is implied by the CR and PR counts. Right panel:
median PFS and OS in months (not-reached medians are not drawn). Drawn with matplotlib's
object API on the Agg canvas (no display, no global pyplot state), written as PNG and SVG.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from atc_mine.evidence.render import CLASS_TITLES

#: Inches per row and for the title/axes: readable labels for 5 to 60 rows.
ROW_HEIGHT = 0.32
FRAME_HEIGHT = 1.6
PNG_DPI = 150
PLOT_STEM = "evidence_plot"
COLOURS = {"targeted": "#1f77b4", "immuno": "#2ca02c", "combination": "#9467bd", "chemo": "#8c564b"}


def _number(value: Any) -> float | None:
    try:
        import pandas as pd

        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):
        return None
    return float(value)


def _orr_point(row: dict[str, Any]) -> tuple[float, bool] | None:
    """ORR in percent to draw, and whether the source states it (else implied by CR + PR)."""
    basis = row.get("orr_basis") or ""
    match = re.match(r"(\d+)/(\d+)", basis)
    if match and int(match.group(2)):
        return 100 * int(match.group(1)) / int(match.group(2)), "CR + PR" not in basis
    percent = _number(row.get("orr_percent"))
    return (percent, True) if percent is not None else None


def write_plot(rows: list[dict[str, Any]], out_dir: Path) -> list[Path]:
    """Draw the rows and write ``evidence_plot.png`` and ``evidence_plot.svg`` into ``out_dir``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out_dir.mkdir(parents=True, exist_ok=True)
    lines: list[tuple[str, dict[str, Any] | None]] = []
    for therapy_class in dict.fromkeys(r["therapy_class"] for r in rows):
        lines.append((CLASS_TITLES.get(therapy_class, therapy_class), None))
        lines += [
            (f"{r['study_id']} ({r.get('cohort') or 'cohort n/s'})", r)
            for r in rows
            if r["therapy_class"] == therapy_class
        ]
    height = FRAME_HEIGHT + ROW_HEIGHT * max(len(lines), 1)
    figure = Figure(figsize=(11, height), layout="constrained")
    FigureCanvasAgg(figure)
    orr_ax, median_ax = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    positions = list(range(len(lines), 0, -1))
    for y, (_, row) in zip(positions, lines, strict=True):
        if row is None:
            for ax in (orr_ax, median_ax):
                ax.axhline(y, color="#bbbbbb", linewidth=0.6)
            continue
        colour = COLOURS.get(row["therapy_class"], "#7f7f7f")
        point = _orr_point(row)
        low, high = _number(row.get("orr_ci_low")), _number(row.get("orr_ci_high"))
        if low is not None and high is not None:
            orr_ax.plot([low, high], [y, y], color=colour, linewidth=1.6)
        if point is not None:
            value, stated = point
            orr_ax.plot(value, y, "o", color=colour, markerfacecolor=colour if stated else "white", markersize=6)
        for key, marker, offset in (("pfs_median_months", "o", 0.12), ("os_median_months", "s", -0.12)):
            months = _number(row.get(key))
            if months is not None:
                median_ax.plot(months, y + offset, marker, color=colour, markersize=5)
    orr_ax.set_yticks(positions, [label for label, _ in lines])
    for tick, (_, row) in zip(orr_ax.get_yticklabels(), lines, strict=True):
        if row is None:
            tick.set_fontweight("bold")
    orr_ax.set_xlim(0, 100)
    orr_ax.set_xlabel("Objective response rate, % (exact 95% CI)")
    orr_ax.grid(axis="x", color="#eeeeee")
    median_ax.set_xlim(left=0)
    median_ax.set_xlabel("Median PFS (circle) and OS (square), months")
    median_ax.grid(axis="x", color="#eeeeee")
    orr_ax.set_ylim(0.3, len(lines) + 0.7)
    figure.suptitle("ATC evidence table: response and survival per study")
    paths = [out_dir / f"{PLOT_STEM}.png", out_dir / f"{PLOT_STEM}.svg"]
    figure.savefig(paths[0], dpi=PNG_DPI, metadata={"Software": None})
    figure.savefig(paths[1], metadata={"Date": None, "Creator": None})
    return paths
