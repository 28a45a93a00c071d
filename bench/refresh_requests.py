"""Requests a refresh makes, measured against the local misbehaving server: what ``make bench`` prints.

Runs three refreshes of the saved ATC query against tests/testserver.py on 127.0.0.1 (recorded
real PubMed articles and ClinicalTrials.gov studies; no network): a first refresh that finds
records entered up to 2015-05-14 and studies updated up to 2022-11-21, a second with nothing
new, and a third after more records "arrive" (entered 2017 and 2018; studies updated 2024 and
2026). The server counts every request it answers.

    python bench/refresh_requests.py [--batch-size 500] [--page-size 100]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LATE_PMIDS = ("28775130", "29768149")  # entered 2017-08-05 and 2018-05-17
LATE_STUDIES = ("NCT05013879", "NCT06927986")  # updated 2024-02-23 and 2026-07-01


def refresh_request_counts(*, batch_size: int = 500, page_size: int = 100) -> dict[str, dict[str, Any]]:
    """{scenario: {"pubmed": {endpoint: requests}, "ctgov": {...}, "fetched": {source: records}}}."""
    import spacy

    import atc_mine.nlp.pipeline  # noqa: F401  (registers the Doc extensions the extraction reads)
    from atc_mine.refreshing import refresh
    from atc_mine.settings import Settings
    from atc_mine.sources.http import RetryPolicy
    from tests.testserver import local_sources

    nlp = spacy.blank("en")  # request counts do not depend on the recognisers
    retry = RetryPolicy(attempts=4, backoff_s=0.01, max_backoff_s=0.05)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, local_sources() as server:
        server.hide(pmids=LATE_PMIDS, ncts=LATE_STUDIES)
        settings = Settings(eutils_url=server.eutils_url, ctgov_url=server.ctgov_url, timeout_s=10.0)
        for scenario, today in (
            ("first refresh", date(2015, 5, 14)),
            ("nothing new", date(2015, 5, 14)),
            ("new records arrive", date(2019, 1, 1)),
        ):
            if scenario == "new records arrive":
                server.restore()
            server.reset_log()
            report = refresh(
                db=Path(tmp) / "bench.db",
                settings=settings,
                batch_size=batch_size,
                page_size=page_size,
                retry=retry,
                rate=1000,
                today=today,
                nlp=nlp,
                report_dir=Path(tmp) / "reports",
            )
            counts = server.counts()
            results[scenario] = {
                "pubmed": {f"{k}.fcgi": v for k, v in sorted(counts.items()) if k in {"esearch", "efetch"}},
                "ctgov": {k: v for k, v in sorted(counts.items()) if k in {"studies", "study"}},
                "fetched": {s.source: s.fetched - s.documents.get("unchanged", 0) for s in report.sources},
            }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = refresh_request_counts(batch_size=args.batch_size, page_size=args.page_size)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"refresh requests (local server; PubMed batch {args.batch_size}, ClinicalTrials.gov page {args.page_size})")
    for scenario, data in results.items():
        pubmed = ", ".join(f"{k} {v}" for k, v in data["pubmed"].items()) or "none"
        ctgov = ", ".join(f"{k} {v}" for k, v in data["ctgov"].items()) or "none"
        fetched = ", ".join(f"{k} {v}" for k, v in data["fetched"].items())
        print(f"  {scenario:<20} PubMed: {pubmed:<32} ClinicalTrials.gov: {ctgov:<12} new records: {fetched}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
