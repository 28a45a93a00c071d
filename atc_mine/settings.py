"""Run-time settings, built once (by the CLI from flags and environment) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_CTGOV_URL = "https://clinicaltrials.gov/api/v2/"


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path = Path("atc_mine.db")
    eutils_url: str = DEFAULT_EUTILS_URL
    ctgov_url: str = DEFAULT_CTGOV_URL
    ncbi_api_key: str | None = None
    email: str | None = None
    tool: str = "atc-mine"
    timeout_s: float = 30.0
    workers: int | None = None  # None: all cores
    #: Names of the pipeline components, in order (config over code, as in spaCy).
    pipeline: tuple[str, ...] = field(
        default=(
            "atc_sentences",
            "abbreviation_detector",
            "atc_trial_ids",
            "atc_variants",
            "atc_drugs",
            "atc_genes",
            "atc_outcomes",
        )
    )

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "eutils_url": env.get("ATC_MINE_EUTILS_URL", DEFAULT_EUTILS_URL),
            "ctgov_url": env.get("ATC_MINE_CTGOV_URL", DEFAULT_CTGOV_URL),
            "ncbi_api_key": env.get("NCBI_API_KEY") or None,
            "email": env.get("ATC_MINE_EMAIL") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
