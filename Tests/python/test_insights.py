"""Insights and the clinician report through the CLI: text, JSON, HTML and PDF, on a generated
diary with a planted trigger, on an empty journal, and with bad input."""
import datetime
import json
import math
import os
import random
import re
import shutil
import uuid
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from conftest import CLI, run

TODAY = datetime.date(2026, 11, 26)


def backup(days=150, seed=11):
    """A diary where low fluids (about 30% of days) make a cramp five times as likely."""
    rng = random.Random(seed)
    start = TODAY - datetime.timedelta(days=days - 1)
    episodes, logs = [], []
    for index in range(days):
        day = start + datetime.timedelta(days=index)
        low = rng.random() < 0.3
        logs.append({"date": day.isoformat(), "fluidsML": int(rng.gauss(1000, 120) if low else rng.gauss(2100, 250)),
                     "exerciseIntensity": rng.choice(["light", "moderate", "hard"]), "sittingHours": rng.randint(2, 10),
                     "standingHours": rng.randint(1, 6), "hotWeather": rng.random() < 0.2, "alcoholUnits": rng.choice([0, 0, 0, 2]),
                     "electrolyteDrink": rng.random() < 0.15, "mineralFoods": [], "medicationChanges": [], "context": [], "updatedAt": 0})
        if rng.random() < (0.6 if low else 0.12):
            episodes.append({"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "startedAt": f"{day.isoformat()}T22:30:00Z",
                             "durationSeconds": rng.choice([60, 120, 300]), "muscles": ["calf"], "severity": rng.randint(2, 8), "onset": "rest",
                             "findings": [], "reliefs": [{"technique": "stretch", "outcome": rng.choice(["helped", "helped", "no"])}],
                             "createdAt": 0, "updatedAt": 0})
    return {"format": "crampcare-journal-backup", "version": 1, "profile": None, "episodes": episodes, "dayLogs": logs, "assessments": []}


@pytest.fixture
def diary(tmp_path):
    journal = str(tmp_path / "journal.sqlite")
    (tmp_path / "backup.json").write_text(json.dumps(backup()))
    proc = run(str(CLI), ["import", str(tmp_path / "backup.json"), "--database", journal])
    assert proc.returncode == 0, proc.stderr
    return journal


def cc(*args, env=None):
    return run(str(CLI), list(args), env=dict({"TZ": "UTC"}, **(env or {})))


def finite_numbers(value):
    if isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, dict):
        for item in value.values():
            finite_numbers(item)
    elif isinstance(value, list):
        for item in value:
            finite_numbers(item)


def test_json_finds_the_planted_trigger_and_keeps_its_words(diary):
    proc = cc("insights", "--json", "--as-of", TODAY.isoformat(), "--database", diary)
    assert proc.returncode == 0, proc.stderr
    insights = json.loads(proc.stdout)
    finite_numbers(insights)
    assert insights["days"] == 150 and insights["through"] == TODAY.isoformat()
    assert insights["triggers"]["tier"] == "inferential"
    exposures = {item["exposure"]: item for item in insights["triggers"]["exposures"]}
    fluids = exposures["low_fluids"]
    assert fluids["verdict"] == "possible_trigger", fluids
    assert fluids["relativeRisk"]["lower"] > 1 and fluids["q"] <= insights["triggers"]["falseDiscoveryRate"] == 0.04
    assert fluids["direction"] == "more" and 0.15 <= fluids["share"] <= 0.35
    assert re.fullmatch(r"at or below \d+ ml, your own lowest \d+% of days, or a day you ticked it", fluids["definition"])
    # Outside the tested family: counted and shown, never named.
    assert exposures["electrolyte_drink"]["verdict"] in {"shown_not_tested", "not_enough_data"}
    # Never "cause": the words are fixed.
    assert all(item["words"] in {"not enough data yet", "no evidence yet", "possible trigger", "possible protector",
                                 "early signal: more cramps", "early signal: fewer cramps", "shown, not tested"}
               for item in exposures.values())
    assert "cause" not in json.dumps(insights["triggers"]).lower()
    stretch = insights["relief"]["techniques"][0]
    assert stretch["technique"] == "stretch" and 0 <= stretch["helpedShare"]["lower"] <= stretch["helpedShare"]["value"] <= stretch["helpedShare"]["upper"] <= 1


def test_text_is_in_plain_words_with_a_sparkline_and_no_statistics(diary):
    proc = cc("insights", "--as-of", TODAY.isoformat(), "--database", diary, env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    for heading in ["WHEN TO SEE A DOCTOR", "HOW OFTEN", "WHAT MAY BRING THEM ON", "WHAT HELPS YOU"]:
        assert heading in proc.stdout
    assert re.search("[▁▂▃▄▅▆▇█]{10,}", proc.stdout)
    text = " ".join(proc.stdout.split())
    # The planted trigger in words, its uncertainty said, no amount suggested, and the fluid caution.
    assert re.search(r"Possible trigger: on the days you drank least \(up to about [\d.]+ (litres?|mL), about \d+ glasses\) you had a cramp "
                     r"about \d+ times as often as on other days", text)
    assert "could still be chance" in text
    # The promise, where it is read: what the words mean, at what rate, after how many days.
    assert "no more than 1 in 20 named anything" in text and "after 90 logged days" in text
    assert "If your kidney or heart team limits your drinks" in text
    for word in ["95%", "interval", "relative risk", "q =", "Firth", "median"]:
        assert word not in text
    assert "crampcare report" in text
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    assert not re.search(r"\b(nan|inf)\b", proc.stdout, re.I)


def test_html_report_is_self_contained_with_accessible_charts(diary, tmp_path):
    out = tmp_path / "report.html"
    proc = cc("report", "--out", str(out), "--as-of", TODAY.isoformat(), "--database", diary)
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    assert html.startswith("<!doctype html>")
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        root = ET.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img"
        assert root.find(ns + "title").text and root.find(ns + "desc").text
    for section in ["See a doctor", "Person", "Frequency and trend", "Possible triggers", "What relief works", "Recent assessments"]:
        assert f">{section}</h2>" in html
    assert "2026-06-30 to 2026-11-26 (150 days)" in html


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (the test command installs it)")
def test_pdf_through_chromium_has_a_two_page_summary_then_the_cramps(diary, tmp_path):
    out = tmp_path / "report.pdf"
    proc = cc("report", "--pdf", "--out", str(out), "--as-of", TODAY.isoformat(), "--database", diary)
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    pages = [page.extract_text() or "" for page in PdfReader(out).pages]
    # The summary is one or two pages; the appendix starts a page of its own after it.
    starts = [i for i, text in enumerate(pages) if "Appendix: the cramps" in text]
    assert len(starts) == 1, [p[:80] for p in pages]
    first = starts[0]
    assert 1 <= first <= 2, first
    assert pages[first].lstrip().startswith("Appendix: the cramps"), pages[first][:120]
    assert "Recent assessments" in "".join(pages[:first])
    assert "Recent assessments" not in "".join(pages[first:])
    # Every cramp of the period is listed, once, in the appendix.
    listed = "".join(pages[first:])
    html = tmp_path / "report.html"
    assert cc("report", "--out", str(html), "--as-of", TODAY.isoformat(), "--database", diary).returncode == 0
    rows = re.findall(r'<section class="appendix">.*?</section>', html.read_text(), re.S)[0].count("<tr><td>")
    episodes = json.loads(cc("insights", "--json", "--as-of", TODAY.isoformat(), "--database", diary).stdout)["episodes"]
    assert rows == episodes > 0
    assert listed.count("2026-") >= episodes


def test_an_empty_journal_says_not_enough_data(tmp_path):
    journal = str(tmp_path / "empty.sqlite")
    proc = cc("insights", "--json", "--database", journal)
    assert proc.returncode == 0, proc.stderr
    insights = json.loads(proc.stdout)
    finite_numbers(insights)
    assert insights["episodes"] == 0
    assert insights["triggers"]["tier"] == "not_enough_data"
    assert "30 more logged days" in insights["triggers"]["needed"]
    text = cc("insights", "--database", journal)
    assert text.returncode == 0 and "Nothing logged yet" in text.stdout
    report = cc("report", "--out", str(tmp_path / "empty.html"), "--database", journal)
    assert report.returncode == 0, report.stderr


def test_bad_input_names_the_flag_and_writes_nothing(diary, tmp_path):
    proc = cc("insights", "--as-of", "2026-13-01", "--database", diary)
    assert proc.returncode == 2
    assert "--as-of" in proc.stderr and "2026-13-01" in proc.stderr and "YYYY-MM-DD" in proc.stderr
    missing = tmp_path / "no" / "such" / "folder" / "report.html"
    proc = cc("report", "--out", str(missing), "--database", diary)
    assert proc.returncode != 0 and not missing.exists()
    assert str(missing) in proc.stderr or "folder" in proc.stderr or "directory" in proc.stderr.lower()
    # --pdf without Chromium: a clear message, exit 69, and no file.
    out = tmp_path / "report.pdf"
    proc = cc("report", "--pdf", "--out", str(out), "--database", diary, env={"PATH": str(tmp_path)})
    assert proc.returncode == 69, proc.stderr
    assert "Chromium" in proc.stderr and not out.exists()
