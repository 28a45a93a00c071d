"""Build a gzipped PubMed *baseline-format* file for the benchmark (BUILT, NOT RECORDED).

NLM's annual baseline is ~1,300 gzipped files of ~30,000 ``PubmedArticle`` records each. No
such file is recorded in ``corpora/``; this builds one of that size from the real records we
do have: the 603 citations of the real 2016 MEDLINE update file
(``corpora/pubmed/medline-update-file_medline16n0902_...xml.gz``, ``MedlineCitation`` elements
copied unchanged) and the 15 abstracts of ``corpora/abstracts/`` (title and text as
``ArticleTitle`` and ``AbstractText``), cycled until the count is reached. Each copy gets a new
PMID from :data:`BUILT_PMID_BASE` (a range PubMed has not reached) and is wrapped in
``PubmedArticle`` with a ``PubmedData`` id list, as the baseline layout has it. The file says
what it is in its name (``BUILT-...``) and in an XML comment at the top.

    python bench/baseline_file.py [--articles 30000] [--files 1] [--out bench/data]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDLINE = ROOT / "corpora" / "pubmed"
ABSTRACTS = ROOT / "corpora" / "abstracts"
DATA = ROOT / "bench" / "data"
#: First PMID of the built copies (real PMIDs were below 42,000,000 in 2026).
BUILT_PMID_BASE = 90_000_000
DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)


def _medline_file() -> Path:
    (path,) = sorted(MEDLINE.glob("medline-update-file_*.xml.gz"))
    return path


def source_citations() -> list[bytes]:
    """The real records, serialised: the MEDLINE file's citations, then the abstracts."""
    from lxml import etree

    citations = []
    with gzip.open(_medline_file(), "rb") as stream:
        for _event, elem in etree.iterparse(stream, events=("end",), tag="MedlineCitation", load_dtd=False):
            citations.append(etree.tostring(elem, encoding="utf-8"))
            elem.clear(keep_tail=False)
    for path in sorted(ABSTRACTS.glob("*.txt")):
        title, _, abstract = path.read_text(encoding="utf-8").partition("\n\n")
        citation = etree.Element("MedlineCitation", Status="MEDLINE", Owner="NLM")
        etree.SubElement(citation, "PMID", Version="1").text = "0"
        article = etree.SubElement(citation, "Article", PubModel="Print")
        journal = etree.SubElement(article, "Journal")
        etree.SubElement(journal, "Title").text = "atc-mine benchmark (from corpora/abstracts)"
        etree.SubElement(article, "ArticleTitle").text = title.strip()
        etree.SubElement(etree.SubElement(article, "Abstract"), "AbstractText").text = abstract.strip()
        etree.SubElement(article, "Language").text = "eng"
        citations.append(etree.tostring(citation, encoding="utf-8"))
    return citations


def _article(citation: bytes, pmid: int) -> bytes:
    from lxml import etree

    element = etree.fromstring(citation)
    original = element.findtext("PMID")
    element.find("PMID").text = str(pmid)
    body = etree.tostring(element, encoding="utf-8")
    return (
        b"<PubmedArticle>"
        + body
        + b'<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="pubmed">'
        + str(pmid).encode()
        + b"</ArticleId></ArticleIdList></PubmedData></PubmedArticle>\n"
        + (f"<!-- built copy of PMID {original} -->\n".encode() if original and original != "0" else b"")
    )


def build(out: Path, articles: int, *, first_pmid: int = BUILT_PMID_BASE, start: int = 0) -> Path:
    """Write ``articles`` records to ``out`` (gzip), cycling the real records from ``start``."""
    citations = source_citations()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    comment = (
        f"<!-- BUILT, NOT RECORDED: a benchmark file of {articles} PubmedArticle records made by "
        f"bench/baseline_file.py from the {len(citations)} real records of {_medline_file().name} and "
        f"corpora/abstracts, cycled, with new PMIDs from {first_pmid}. Not an NLM file. -->"
    )
    with gzip.open(tmp, "wb", compresslevel=6) as handle:
        handle.write(f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n{comment}\n<PubmedArticleSet>\n'.encode())
        cycle = itertools.islice(itertools.cycle(citations), start, start + articles)
        for i, citation in enumerate(cycle):
            handle.write(_article(citation, first_pmid + i))
        handle.write(b"</PubmedArticleSet>\n")
    tmp.replace(out)
    return out


def built_name(articles: int, part: int | None = None) -> str:
    suffix = f"_part{part:02d}" if part is not None else ""
    return f"BUILT-pubmed-baseline-format_{articles}-articles{suffix}.xml.gz"


def ensure(articles: int, *, files: int = 1, out_dir: Path = DATA) -> list[Path]:
    """The built file(s), made if missing: ``files`` files of ``articles`` records each."""
    paths = []
    for part in range(files):
        path = out_dir / built_name(articles, part if files > 1 else None)
        if not path.exists():
            build(path, articles, first_pmid=BUILT_PMID_BASE + part * articles, start=part * articles)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    for path in ensure(args.articles, files=args.files, out_dir=args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
