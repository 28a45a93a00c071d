"""The HTML review page: self-contained, escaped, and working in a real headless browser."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import pytest

from atc_mine import api
from atc_mine.export.html import SCRIPT, script_hash
from tests.export.fixtures import HOSTILE_SENTENCE, HOSTILE_TITLE
from tests.export.fixtures import SCRIPT as HOSTILE_SCRIPT


def export_page(db: Path, out: Path, **selection) -> Path:
    (page,) = api.export_candidates(db, fmt="html", out_dir=out, **selection)
    return page


def dump_dom(chromium: str, page: Path, profile: Path, fragment: str = "") -> lxml.html.HtmlElement:
    """The page's DOM after its script ran, as headless chromium serialises it (--dump-dom)."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri() + fragment,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return lxml.html.fromstring(done.stdout)


def rows(dom: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return dom.xpath("//section[contains(@class, 'study')]//tbody/tr")


# -- without a browser ------------------------------------------------------------------------
def test_page_is_self_contained(real_db, tmp_path):
    page = export_page(real_db, tmp_path)
    html = page.read_text(encoding="utf-8")
    dom = lxml.html.fromstring(html)
    assert dom.xpath("//link") == [] and dom.xpath("//img") == [] and dom.xpath("//iframe") == []
    assert [s.get("src") for s in dom.xpath("//script")] == [None]  # one inline script, nothing fetched
    csp = dom.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp and script_hash(SCRIPT) in csp
    assert "@import" not in html and "url(" not in html
    hrefs = dom.xpath("//a/@href")
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert any(h.startswith("https://pubmed.ncbi.nlm.nih.gov/") for h in hrefs)
    assert any(h.startswith("https://clinicaltrials.gov/study/NCT") for h in hrefs)


def test_page_lists_every_candidate_with_marks(real_db, tmp_path):
    frame = api.candidates(real_db)
    dom = lxml.html.fromstring(export_page(real_db, tmp_path).read_text(encoding="utf-8"))
    listed = [r.get("data-record") for r in rows(dom)]
    assert sorted(listed) == sorted(frame["record_id"]) and len(listed) > 10
    # the figure's numbers are marked in the sentence, e.g. Savvides 2013: "partial response (10%)"
    savvides = frame[(frame["doc_id"].str.contains("savvides")) & (frame["measure"] == "PR")].iloc[0]
    row = dom.xpath(f"//tr[@data-record='{savvides['record_id']}']")[0]
    assert "10%" in [m.text_content() for m in row.xpath(".//mark[@class='fig']")]
    assert row.xpath(".//q")[0].text_content() == savvides["sentence"]
    # ...and the entities: "Twenty patients with ATC were treated with sorafenib 400 mg twice daily."
    enrolled = frame[(frame["doc_id"].str.contains("savvides")) & (frame["measure"] == "N_ENROLLED")].iloc[0]
    row = dom.xpath(f"//tr[@data-record='{enrolled['record_id']}']")[0]
    assert [m.text_content() for m in row.xpath(".//mark[@class='fig']")] == ["Twenty"]
    assert [m.text_content() for m in row.xpath(".//mark[contains(@class, 'ent drug')]")] == ["sorafenib"]


def test_hostile_text_is_escaped(hostile_db, tmp_path):
    """HAND-WRITTEN HOSTILE FIXTURE: script, img/onerror and javascript: links show as text."""
    html = export_page(hostile_db, tmp_path).read_text(encoding="utf-8")
    dom = lxml.html.fromstring(html)
    assert len(dom.xpath("//script")) == 1 and dom.xpath("//img") == []
    assert not dom.xpath("//*[@onerror]") and "javascript:" not in " ".join(dom.xpath("//a/@href"))
    evidence = dom.xpath("//td[@class='evidence']/q")[0].text_content()
    assert evidence == HOSTILE_SENTENCE  # the sentence reads exactly as written, markup as text
    assert "&lt;img src=x onerror=" in html and "<img src=x" not in html
    assert HOSTILE_SCRIPT not in html  # the title's <script> never appears unescaped


# -- in a real browser ------------------------------------------------------------------------
def test_browser_filters_from_the_address(chromium, real_db, tmp_path):
    page = export_page(real_db, tmp_path / "out")
    dom = dump_dom(chromium, page, tmp_path / "profile", "#q=lenvatinib&measure=ORR")
    shown = [r for r in rows(dom) if r.get("hidden") is None]
    hidden = [r for r in rows(dom) if r.get("hidden") is not None]
    assert shown and hidden
    for row in shown:
        section = row.xpath("ancestor::section")[0]
        assert row.get("data-measure") == "ORR"
        assert "lenvatinib" in (section.get("data-search") + row.text_content()).lower()
    assert dom.xpath("//body")[0].get("data-shown") == str(len(shown))
    for row in hidden:  # negatives: every hidden row fails the measure or the words
        section = row.xpath("ancestor::section")[0]
        words = (section.get("data-search") + row.text_content()).lower()
        assert row.get("data-measure") != "ORR" or "lenvatinib" not in words


def test_browser_filters_by_decision_and_orders_studies(chromium, real_db, tmp_path):
    frame = api.candidates(real_db)
    first = frame.iloc[0]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(f"record_id,status,curator\n{first['record_id']},accept,ana\n", encoding="utf-8")
    api.import_curation([decisions], db=real_db)
    page = export_page(real_db, tmp_path / "out")
    dom = dump_dom(chromium, page, tmp_path / "profile", "#status=accept&order=pending")
    shown = [r for r in rows(dom) if r.get("hidden") is None]
    assert [r.get("data-record") for r in shown] == [first["record_id"]]
    pending = [int(s.get("data-pending")) for s in dom.xpath("//section[contains(@class, 'study')]")]
    assert pending == sorted(pending, reverse=True)  # studies with most pending figures first


def test_browser_does_not_run_hostile_text(chromium, hostile_db, tmp_path):
    """HAND-WRITTEN HOSTILE FIXTURE: had any injected markup run, the body would carry data-pwned."""
    page = export_page(hostile_db, tmp_path / "out")
    dom = dump_dom(chromium, page, tmp_path / "profile")
    body = dom.xpath("//body")[0]
    assert body.get("data-ready") == "true" and body.get("data-pwned") is None
    assert dom.xpath("//img") == [] and len(dom.xpath("//script")) == 1
    assert HOSTILE_TITLE in dom.text_content() or HOSTILE_SENTENCE in dom.text_content()


@pytest.mark.parametrize("status", ["pending", "accept"])
def test_status_selection_is_written_in_the_page(real_db, tmp_path, status):
    dom = lxml.html.fromstring(export_page(real_db, tmp_path, status=status).read_text(encoding="utf-8"))
    assert {r.get("data-status") for r in rows(dom)} <= {status}
    assert f"status {status} only" in dom.xpath("//header/p")[0].text_content()


def test_browser_shows_the_records_sorted_as_the_address_asks(chromium, real_db, tmp_path):
    page = export_page(real_db, tmp_path / "out")
    dom = dump_dom(chromium, page, tmp_path / "profile", "#sort=figure:desc")
    body = dom.xpath("//body")[0]
    assert body.get("data-ready") == "true"  # the page's script ran to the end
    total = len(api.candidates(real_db))
    assert len(rows(dom)) == total and body.get("data-shown") == str(total)
    assert dom.get_element_by_id("shown").text_content().startswith(f"{total} of {total} figures shown")
    tables = dom.xpath("//section[contains(@class, 'study')]//table")
    assert tables
    for table in tables:
        assert table.xpath(".//th[@data-key='figure']")[0].get("aria-sort") == "descending"
        assert table.xpath(".//th[@data-key='measure']")[0].get("aria-sort") == "none"
        values = [td.get("data-sort") for td in table.xpath("./tbody/tr/td[3]")]
        numbers = [float(v) for v in values if v]
        assert numbers == sorted(numbers, reverse=True)
        assert values == [v for v in values if v] + [v for v in values if not v]  # blanks last
