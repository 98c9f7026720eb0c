"""The prevention plan through the CLI: deterministic, every item from the knowledge base with
sources and a reason, gentler for older adults, the same contraindication checks as the
assessment, and an iCalendar file that an independent parser (icalendar) reads with the right
recurrences, times, zone and alarms."""
import datetime
import json
import pathlib
import zoneinfo

import pytest

from conftest import CLI, run

icalendar = pytest.importorskip("icalendar")
from dateutil.rrule import rrulestr  # noqa: E402  (icalendar's own dependency)


def cc(journal, *args, stdin=None):
    proc = run(str(CLI), [*args, "--database", journal], stdin, env={"TZ": "UTC"})
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def journal(tmp_path):
    return str(tmp_path / "journal.sqlite")


def knowledge_sources():
    path = pathlib.Path(__file__).resolve().parents[2] / "Knowledge" / "sources.json"
    return {source["id"] for source in json.loads(path.read_text())}


def plan(journal, *args):
    return json.loads(cc(journal, "plan", "--json", "--as-of", "2026-11-26", *args).stdout)


def test_the_plan_is_deterministic_and_every_item_has_its_reason_and_sources(journal):
    cc(journal, "profile", "--birth-year", "1980", "--time-zone", "Europe/Berlin")
    first = plan(journal)
    assert first == plan(journal)
    ids = [item["id"] for item in first["items"]]
    # The routine every plan has: stretching, warm-up, strengthening for all three muscles,
    # low-impact exercise, yoga or pilates, breaks from sitting, fluids and mineral foods.
    for expected in ["daily_stretch", "warm_up", "squats", "hamstring_stretch_and_curls", "calf_raises_and_stretch",
                     "low_impact_cardio", "yoga_pilates", "sitting_breaks", "fluids_electrolytes", "mineral_foods"]:
        assert expected in ids
    sources = knowledge_sources()
    for item in first["items"]:
        assert item["why"] and item["steps"] and item["sources"]
        assert set(item["sources"]) <= sources
        assert not item["gentler"]
    squats = next(item for item in first["items"] if item["id"] == "squats")
    assert squats["sets"] and squats["progression"]
    assert first["olderAdult"] is False


def test_older_adults_get_gentler_variants(journal):
    cc(journal, "profile", "--birth-year", "1950")
    older = plan(journal)
    assert older["olderAdult"] is True
    squats = next(item for item in older["items"] if item["id"] == "squats")
    assert squats["gentler"] and "Sit-to-stand" in squats["title"] and squats["sets"] is None
    assert "physiotherapist" in " ".join(squats["steps"])


def test_kidney_limits_and_clot_signs_change_the_plan_as_they_change_advice(journal):
    cc(journal, "profile", "--birth-year", "1960", "--condition", "kidney_disease")
    fluids = next(item for item in plan(journal)["items"] if item["id"] == "fluids_electrolytes")
    assert any("kidney" in caution.lower() for caution in fluids["cautions"])
    # An assessment today with clot signs: calf raises are ruled out, and the plan says to be seen first.
    request = {"age": 66, "episode": {"durationMinutes": 30, "muscles": ["calf"]}, "findings": ["calf_swelling", "calf_tenderness", "calf_warmth_redness"]}
    result = json.loads(cc(journal, "assess", "--json", "--save", stdin=json.dumps(request)).stdout)
    assert result["triage"] in ("urgent", "emergency")
    # As of today: the check was made today (a plan as of an earlier day does not see it).
    after = json.loads(cc(journal, "plan", "--json").stdout)
    assert "calf_raises_and_stretch" not in [item["id"] for item in after["items"]]
    assert "calf_raises_and_stretch" in [item["id"] for item in after["leftOut"]]
    assert after["seeFirst"] and after["openChecks"] == 1
    # A reassuring check afterwards does not cancel it: every check of the last 14 days counts.
    calm = {"age": 66, "episode": {"durationMinutes": 1, "muscles": ["calf"]}, "findings": []}
    calm_result = json.loads(cc(journal, "assess", "--json", "--save", stdin=json.dumps(calm)).stdout)
    assert calm_result["triage"] == "self_care"
    later = json.loads(cc(journal, "plan", "--json").stdout)
    assert later["seeFirst"] == after["seeFirst"] and later["openChecks"] == 1
    assert plan(journal)["openChecks"] == 0, "a plan as of an earlier day does not count a later check"
    text = cc(journal, "plan").stdout
    assert text.index("First: A check in the last 14 days found") < text.index("THIS WEEK") < text.index("HOW TO DO EACH ONE")
    # Both checks are in the journal's history, each with what it said then.
    history = " ".join(cc(journal, "history").stdout.split())
    assert "Checks you kept (the newest 2):" in history and "Self-care: it said this was safe to manage at home" in history
    assert "Urgent: it said to be seen the same day" in history or "Emergency: it said to call the emergency number" in history


def test_a_diary_trigger_puts_its_factor_in_the_reason(journal, tmp_path):
    rows = []
    start = datetime.date(2026, 7, 1)
    episodes = []
    for index in range(140):
        day = start + datetime.timedelta(days=index)
        low = index % 3 == 0
        rows.append({"date": day.isoformat(), "fluidsML": 900 + index % 7 if low else 2200 + index % 11, "mineralFoods": [],
                     "medicationChanges": [], "context": [], "updatedAt": 0})
        if (low and index % 6 != 3) or index % 17 == 0:
            episodes.append({"startedAt": f"{day.isoformat()}T22:00:00Z", "durationSeconds": 90, "muscles": ["calf"], "findings": [],
                             "reliefs": [], "createdAt": 0, "updatedAt": 0, "id": f"00000000-0000-4000-8000-{index:012d}"})
    (tmp_path / "b.json").write_text(json.dumps({"format": "crampcare-journal-backup", "version": 1, "profile": None,
                                                 "episodes": episodes, "dayLogs": rows, "assessments": []}))
    cc(journal, "import", str(tmp_path / "b.json"))
    fluids = next(item for item in plan(journal)["items"] if item["id"] == "fluids_electrolytes")
    assert fluids["answers"] and fluids["answers"][0]["factor"] == "dehydration_electrolytes"
    assert "possible trigger" in fluids["why"]


def test_the_calendar_file_parses_and_recurs_at_the_persons_times(journal, tmp_path):
    cc(journal, "profile", "--birth-year", "1975", "--time-zone", "America/New_York", "--reminder", "07:15", "--reminder", "18:30", "--reminder", "22:00")
    out = tmp_path / "plan.ics"
    cc(journal, "plan", "--as-of", "2026-11-26", "--start", "2026-11-27", "--ics", str(out))
    raw = out.read_bytes()
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0"
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    events = calendar.walk("VEVENT")
    assert len(events) >= 8
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    expected = {"daily_stretch": (None, "22:00"), "fluids_electrolytes": (None, "07:15"), "squats": ({0, 2, 4}, "18:30"),
                "sitting_breaks": ({0, 1, 2, 3, 4}, "12:30"), "yoga_pilates": ({6}, "07:15")}
    new_york = zoneinfo.ZoneInfo("America/New_York")
    for event in events:
        item = str(event["UID"]).removeprefix("crampcare-plan-").split("@")[0]
        start = event.decoded("DTSTART")
        assert str(start.tzinfo) == "America/New_York" or getattr(start.tzinfo, "key", None) == "America/New_York"
        assert event.walk("VALARM") and event.walk("VALARM")[0]["ACTION"] == "DISPLAY"
        assert event["SUMMARY"] and event["DESCRIPTION"]
        rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start.replace(tzinfo=None))
        occurrences = rule.between(datetime.datetime(2026, 11, 27), datetime.datetime(2026, 12, 11), inc=True)
        assert occurrences, item
        if item in expected:
            days, at = expected[item]
            for moment in occurrences:
                assert moment.strftime("%H:%M") == at, (item, moment)
                if days is not None:
                    assert moment.weekday() in days, (item, moment)
            if days is None:
                assert len(occurrences) == 14, item  # every day from 27 November to 10 December
        # Local wall time stays put across the DST change (checked in the zone itself).
        assert start.replace(tzinfo=new_york).utcoffset() is not None
    # Re-exporting with another start keeps the same UIDs, so a calendar updates instead of duplicating.
    again = tmp_path / "again.ics"
    cc(journal, "plan", "--as-of", "2026-11-26", "--start", "2027-01-04", "--ics", str(again))
    assert sorted(str(e["UID"]) for e in icalendar.Calendar.from_ical(again.read_bytes()).walk("VEVENT")) == sorted(uids)


def test_bad_start_names_the_flag_and_writes_nothing(journal, tmp_path):
    out = tmp_path / "plan.ics"
    proc = run(str(CLI), ["plan", "--start", "27/11/2026", "--ics", str(out), "--database", journal])
    assert proc.returncode == 2 and "--start" in proc.stderr and "27/11/2026" in proc.stderr and "YYYY-MM-DD" in proc.stderr
    assert not out.exists()
