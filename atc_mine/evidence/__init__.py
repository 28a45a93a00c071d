"""The evidence table: one row per study, merged across publications and the registry.

Figures in the evidence base are grouped into clinical studies (:mod:`.grouping`: by trial ID,
else by regimen + cohort + publication linkage), merged into one row per study and cohort with
the latest data cut shown, earlier cuts kept as history and conflicts flagged (:mod:`.merge`),
classed as targeted / immuno / combination therapy from a data file of drug classes
(:mod:`.classes`), and rendered as Markdown, CSV, Excel or HTML with an ORR forest plot
(:mod:`.render`, :mod:`.plot`). :func:`redraw_studies` runs after every load.
"""

from atc_mine.evidence.classes import THERAPY_CLASSES, regimen_class
from atc_mine.evidence.redraw import redraw_studies
from atc_mine.evidence.render import FORMATS, TableOutput, write_table
from atc_mine.evidence.table import TABLE_COLUMNS, evidence_table

__all__ = [
    "FORMATS",
    "TABLE_COLUMNS",
    "THERAPY_CLASSES",
    "TableOutput",
    "evidence_table",
    "redraw_studies",
    "regimen_class",
    "write_table",
]
