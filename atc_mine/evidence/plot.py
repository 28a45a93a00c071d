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


def _has_numbers(row: dict[str, Any]) -> bool:
    return _orr_point(row) is not None or any(
        _number(row.get(key)) is not None for key in ("pfs_median_months", "os_median_months")
    )


def _label(row: dict[str, Any]) -> str:
    basis = re.match(r"(\d+/\d+)", row.get("orr_basis") or "")
    return f"{row['study_id']} ({row.get('cohort') or 'cohort n/s'})" + (f"  {basis.group(1)}" if basis else "")


def write_plot(rows: list[dict[str, Any]], out_dir: Path) -> list[Path]:
    """Draw the rows and write ``evidence_plot.png`` and ``evidence_plot.svg`` into ``out_dir``.

    Rows without an ORR or a median (ongoing trials, studies whose figures are for other
    cohorts) are left out of the picture and counted in its footnote; the table lists them.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    out_dir.mkdir(parents=True, exist_ok=True)
    drawn = [r for r in rows if _has_numbers(r)]
    lines: list[tuple[str, dict[str, Any] | None]] = []
    for therapy_class in dict.fromkeys(r["therapy_class"] for r in drawn):
        lines.append((CLASS_TITLES.get(therapy_class, therapy_class), None))
        lines += [(_label(r), r) for r in drawn if r["therapy_class"] == therapy_class]
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
    if not lines:
        orr_ax.text(50, 0.5, "no row states an ORR or a median", ha="center")
    for tick, (_, row) in zip(orr_ax.get_yticklabels(), lines, strict=True):
        if row is None:
            tick.set_fontweight("bold")
    orr_ax.set_xlim(0, 100)
    medians = [_number(r.get(k)) for r in drawn for k in ("pfs_median_months", "os_median_months")]
    median_ax.set_xlim(0, max([m for m in medians if m is not None] or [12]) * 1.1)
    orr_ax.legend(
        handles=[
            Line2D([], [], marker="o", color="#555555", linestyle="-", label="ORR stated"),
            Line2D([], [], marker="o", color="#555555", markerfacecolor="white", label="implied by CR + PR"),
        ],
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=2,
        frameon=False,
        fontsize="small",
    )
    orr_ax.set_xlabel("Objective response rate, % (exact 95% CI)")
    orr_ax.grid(axis="x", color="#eeeeee")
    median_ax.set_xlabel("Median PFS (circle), OS (square), mo")
    median_ax.grid(axis="x", color="#eeeeee")
    orr_ax.set_ylim(0.3, len(lines) + 0.7)
    figure.suptitle("ATC evidence table: response and survival per study")
    if len(drawn) < len(rows):
        figure.supxlabel(
            f"{len(rows) - len(drawn)} of {len(rows)} rows state no ORR or median and are not drawn (see the table).",
            fontsize="small",
        )
    paths = [out_dir / f"{PLOT_STEM}.png", out_dir / f"{PLOT_STEM}.svg"]
    figure.savefig(paths[0], dpi=PNG_DPI, metadata={"Software": None})
    figure.savefig(paths[1], metadata={"Date": None, "Creator": None})
    return paths
