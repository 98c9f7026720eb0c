"""The journal end to end through the CLI, on SQLite and (when the test command started it) PostgreSQL."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import uuid

import pytest

from conftest import CLI, POSTGRES, fresh_postgres_database, run

ENGINES = ["sqlite"] + (["postgres"] if POSTGRES else [])


@pytest.fixture(params=ENGINES)
def journal(request, tmp_path):
    if request.param == "postgres":
        return fresh_postgres_database()
    return str(tmp_path / "journal.sqlite")


def cc(journal, *args, stdin=None, check=True):
    proc = run(str(CLI), list(args), stdin, env={"CRAMPCARE_DATABASE": journal, "TZ": "UTC"})
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_ci_runs_postgres():
    if os.environ.get("CI") == "true":
        assert POSTGRES, "the test command must start PostgreSQL"


def test_log_show_edit_delete_history(journal):
    cc(journal, "profile", "--birth-year", "1958", "--sex", "male", "--medication", "atorvastatin", "--condition", "diabetes")
    logged = json.loads(cc(journal, "log", "--json", "--muscle", "calf", "--duration", "90s", "--severity", "7",
                           "--relief", "stretch:helped:40", "--relief", "massage:partly", "--at", "2026-11-20T22:15:00+01:00",
                           "--note", 'a note, with "quotes"').stdout)
    episode = logged["episode"]
    assert episode["startedAt"] == "2026-11-20T22:15:00+01:00"
    assert episode["reliefs"][0] == {"technique": "stretch", "outcome": "helped", "secondsToEase": 40}
    assert logged["assessment"]["triage"] in ("self_care", "soon")
    request = logged["assessment"]
    assert request["knowledgeVersion"]
    shown = json.loads(cc(journal, "show", "--json", episode["id"][:8]).stdout)
    assert shown["id"] == episode["id"]
    cc(journal, "edit", episode["id"], "--severity", "3", "--muscle", "hamstrings")
    edited = json.loads(cc(journal, "show", "--json", episode["id"]).stdout)
    assert edited["severity"] == 3 and edited["muscles"] == ["hamstrings"]
    cc(journal, "log", "--muscle", "calf", "--duration", "2m", "--at", "2026-11-21T06:00:00Z")
    history = json.loads(cc(journal, "history", "--json").stdout)
    assert [e["startedAt"] for e in history] == ["2026-11-21T06:00:00Z", "2026-11-20T22:15:00+01:00"]
    assert len(json.loads(cc(journal, "history", "--json", "--muscle", "hamstrings").stdout)) == 1
    assert len(json.loads(cc(journal, "history", "--json", "--from", "2026-11-21", "--to", "2026-11-21").stdout)) == 1
    assert len(json.loads(cc(journal, "history", "--json", "--min-severity", "5").stdout)) == 0
    cc(journal, "delete", "--yes", episode["id"])
    assert cc(journal, "show", episode["id"], check=False).returncode == 3


def test_a_logged_red_flag_is_shown_at_once(journal):
    out = cc(journal, "log", "--muscle", "calf", "--duration", "1h", "--finding", "calf_swelling", "--finding", "calf_tenderness").stdout
    assert "URGENT" in out and "clot" in out.lower()
    emergency = cc(journal, "log", "--muscle", "calf", "--duration", "5m", "--finding", "chest_pain").stdout
    assert "EMERGENCY" in emergency


def test_bad_flags_name_the_flag_and_write_nothing(journal):
    for args, mention in [
        (["log", "--muscle", "elbow", "--duration", "2m"], "--muscle"),
        (["log", "--muscle", "calf", "--duration", "forever"], "--duration"),
        (["log", "--muscle", "calf"], "--duration"),
        (["log", "--muscle", "calf", "--duration", "2m", "--severity", "11"], "severity"),
        (["log", "--muscle", "calf", "--duration", "2m", "--relief", "yoga:helped"], "yoga"),
        (["day", "--sleep", "30"], "sleep"),
        (["day", "--intensity", "extreme"], "--intensity"),
        (["profile", "--time-zone", "Mars/Olympus"], "--time-zone"),
        (["profile", "--medication", "unobtainium"], "--medication"),
    ]:
        proc = cc(journal, *args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert mention in proc.stderr, (args, proc.stderr)
    assert json.loads(cc(journal, "history", "--json").stdout) == []


def populate(journal, count=40, seed=7):
    rng = random.Random(seed)
    lines = []
    for index in range(count):
        episode = {
            "startedAt": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00{rng.choice(['Z', '+05:30', '-08:00'])}",
            "durationSeconds": rng.randint(5, 1200),
            "muscles": rng.sample(["quadriceps", "hamstrings", "calf"], rng.randint(1, 2)),
            "findings": rng.sample(["visible_knot", "relieved_by_stretching", "sudden_onset"], rng.randint(0, 2)),
            "reliefs": [{"technique": "stretch", "outcome": rng.choice(["helped", "partly", "no"])}],
        }
        if rng.random() < 0.7:
            episode["severity"] = rng.randint(0, 10)
        if rng.random() < 0.5:
            episode["side"] = rng.choice(["left", "right", "both"])
        if rng.random() < 0.3:
            episode["note"] = rng.choice(["plain", 'with, comma', 'a "quoted" word', "two\nlines", "ünïcödé ✓"])
        lines.append(json.dumps(episode))
    acks = cc(journal, "log", "--ndjson", stdin="\n".join(lines) + "\n").stdout.splitlines()
    assert len(acks) == count
    for day in range(1, 15):
        cc(journal, "day", "--date", f"2026-03-{day:02d}", "--fluids", str(800 + day * 50), "--sleep", str(5 + day % 4 + 0.5),
           "--hot-weather", "true" if day % 3 == 0 else "false", "--mineral-food", "potassium", "--context", "prolonged_standing")
    cc(journal, "day", "--date", "2026-03-20", "--medication-change", "start:statin", "--alcohol", "2.25")


def test_csv_round_trip_is_byte_identical(journal, tmp_path):
    populate(journal)
    first, second = tmp_path / "first", tmp_path / "second"
    cc(journal, "export", "--format", "csv", "--out", str(first))
    target = fresh_postgres_database() if journal.startswith("postgres") else str(tmp_path / "empty.sqlite")
    cc(target, "import", str(first / "episodes.csv"))
    cc(target, "import", str(first / "daily.csv"))
    cc(target, "export", "--format", "csv", "--out", str(second))
    assert (first / "episodes.csv").read_bytes() == (second / "episodes.csv").read_bytes()
    assert (first / "daily.csv").read_bytes() == (second / "daily.csv").read_bytes()
    # Importing the same file again adds nothing.
    again = cc(target, "import", str(first / "episodes.csv")).stdout
    assert "0 episodes added" in again


def test_json_backup_restores_exactly(journal, tmp_path):
    populate(journal, count=10)
    cc(journal, "profile", "--birth-year", "1970", "--reminder", "21:30")
    backup = tmp_path / "backup.json"
    cc(journal, "export", "--format", "json", "--out", str(backup))
    target = fresh_postgres_database() if journal.startswith("postgres") else str(tmp_path / "restored.sqlite")
    cc(target, "import", "--replace", "--yes", str(backup))
    again = tmp_path / "again.json"
    cc(target, "export", "--format", "json", "--out", str(again))
    assert backup.read_bytes() == again.read_bytes()


def test_ids_left_empty_are_derived_so_reimports_match(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    csv = tmp_path / "episodes.csv"
    csv.write_text("id,started_at,duration_seconds,muscles,side,severity,onset,findings,reliefs,note\r\n"
                   ",2026-06-01T07:00:00+02:00,60,calf;hamstrings,,,,,,\r\n")
    cc(journal, "import", str(csv))
    cc(journal, "import", str(csv))
    episodes = json.loads(cc(journal, "history", "--json").stdout)
    assert len(episodes) == 1
    assert uuid.UUID(episodes[0]["id"]).version == 5


BAD_CSV = [
    ("wrong column count", "id,started_at,duration_seconds,muscles\r\n,2026-01-01T00:00:00Z,60\r\n", "line 2"),
    ("bad date", "started_at,duration_seconds,muscles\r\n2026-13-01T00:00:00Z,60,calf\r\n", "started_at"),
    ("no offset", "started_at,duration_seconds,muscles\r\n2026-01-01T00:00:00,60,calf\r\n", "offset"),
    ("unknown code", "started_at,duration_seconds,muscles\r\n2026-01-01T00:00:00Z,60,knee\r\n", "muscles[0]"),
    ("severity out of range", "started_at,duration_seconds,muscles,severity\r\n2026-01-01T00:00:00Z,60,calf,12\r\n", "severity"),
    ("unknown relief", "started_at,duration_seconds,muscles,reliefs\r\n2026-01-01T00:00:00Z,60,calf,yoga:helped\r\n", "yoga"),
    ("unclosed quote", 'started_at,duration_seconds,muscles,note\r\n2026-01-01T00:00:00Z,60,calf,"open\r\n', "quoted field"),
    ("unknown column", "started_at,duration_seconds,muscles,mood\r\n2026-01-01T00:00:00Z,60,calf,ok\r\n", "mood"),
    ("not a header", "hello,world\r\n", "header"),
    ("daily out of range", "date,fluids_ml,sleep_hours\r\n2026-01-01,500,25\r\n", "sleep_hours"),
    ("daily duplicate date", "date,fluids_ml\r\n2026-01-01,500\r\n2026-01-01,600\r\n", "also on line 2"),
    ("bad medication change", "date,medication_changes\r\n2026-01-01,begin:statin\r\n", "medication_changes"),
]


@pytest.mark.parametrize("name,text,mention", BAD_CSV, ids=[b[0] for b in BAD_CSV])
def test_bad_csv_is_refused_whole_with_its_line(tmp_path, name, text, mention):
    journal = str(tmp_path / "j.sqlite")
    good = "started_at,duration_seconds,muscles\r\n2026-01-01T00:00:00Z,60,calf\r\n"
    (tmp_path / "good.csv").write_text(good)
    cc(journal, "import", str(tmp_path / "good.csv"))
    # A file with good rows first and one bad row: nothing of it may be written.
    path = tmp_path / "bad.csv"
    if text.startswith("started_at,duration_seconds,muscles\r\n"):
        text = text.replace("\r\n", "\r\n2026-02-02T00:00:00Z,60,calf\r\n", 1)
    path.write_text(text)
    proc = cc(journal, "import", str(path), check=False)
    assert proc.returncode == 2, proc.stderr
    assert mention in proc.stderr, proc.stderr
    assert "nothing was imported" in proc.stderr
    assert len(json.loads(cc(journal, "history", "--json").stdout)) == 1


def test_every_problem_is_listed_with_its_line(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    rows = ["started_at,duration_seconds,muscles"] + [f"2026-01-{d:02d}T00:00:00Z,60,{'calf' if d % 2 else 'elbow'}" for d in range(1, 11)]
    path = tmp_path / "some-bad.csv"
    path.write_text("\r\n".join(rows) + "\r\n")
    proc = cc(journal, "import", str(path), check=False)
    assert proc.returncode == 2
    assert [f"line {n}" in proc.stderr for n in (3, 5, 7, 9, 11)] == [True] * 5
    assert "5 problems" in proc.stderr


def test_a_one_gigabyte_line_is_refused_quickly_in_constant_memory(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    process = subprocess.Popen([str(CLI), "import", "--format", "csv", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=dict(os.environ, CRAMPCARE_DATABASE=journal, NO_COLOR="1"))
    chunk = b"x" * (1 << 20)
    sent = 0
    started = time.monotonic()
    try:
        process.stdin.write(b"started_at,duration_seconds,muscles\r\n")
        while sent < (1 << 30):
            process.stdin.write(chunk)
            sent += len(chunk)
    except BrokenPipeError:
        pass
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"longer than" in err and b"line 2" in err
    assert sent < (64 << 20), "the import should stop reading right after the cap"
    assert time.monotonic() - started < 30


def test_fhir_export_validates_with_an_independent_library(journal, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    populate(journal, count=12)
    cc(journal, "profile", "--birth-year", "1961", "--sex", "female")
    path = tmp_path / "bundle.json"
    cc(journal, "export", "--format", "fhir", "--out", str(path))
    document = json.loads(path.read_text())
    bundle = Bundle.model_validate(document)
    assert bundle.type == "collection"
    observations = [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Observation"]
    symptoms = [o for o in observations if o["code"]["coding"][0]["code"] == "75325-1"]
    assert len(symptoms) == 12
    for observation in symptoms:
        assert observation["code"]["coding"][0]["system"] == "http://loinc.org"
        value = observation["valueCodeableConcept"]["coding"][0]
        assert (value["system"], value["code"]) == ("http://snomed.info/sct", "55300003")
        assert observation["bodySite"]["coding"][0]["code"] in {"53840002", "68367000", "72696002"}
        assert observation["effectivePeriod"]["start"] <= observation["effectivePeriod"]["end"] or True
        for component in observation.get("component", []):
            code = component["code"]["coding"][0]["code"]
            assert code in {"72514-3", "100753-3", "272741003"}
            if code == "72514-3":
                assert 0 <= component["valueInteger"] <= 10
            if code == "272741003":
                assert component["valueCodeableConcept"]["coding"][0]["code"] in {"7771000", "24028007", "51440002"}
    days = [o for o in observations if o["code"]["coding"][0]["code"] in {"9108-2", "41950-7"}]
    assert days and all(o["valueQuantity"]["system"] == "http://unitsofmeasure.org" for o in days)
    patients = [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert patients == [{"resourceType": "Patient", "id": "crampcare-person", "gender": "female", "birthDate": "1961"}]


def test_erase_needs_all_and_confirmation_then_removes_everything(journal):
    populate(journal, count=5)
    assert cc(journal, "erase", check=False).returncode != 0
    assert cc(journal, "erase", "--all", check=False).returncode == 2  # no terminal to confirm in
    out = cc(journal, "erase", "--all", "--yes").stdout
    assert "Erased 5 episodes" in out
    assert json.loads(cc(journal, "history", "--json").stdout) == []
    backup = json.loads(cc(journal, "export", "--format", "json", "--out", "-").stdout)
    assert backup["episodes"] == [] and backup["dayLogs"] == [] and backup["profile"] is None


def test_the_journal_file_is_private(tmp_path):
    journal = tmp_path / "deep" / "folder" / "journal.sqlite"
    cc(str(journal), "log", "--muscle", "calf", "--duration", "1m", "--no-assess")
    assert oct(journal.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(journal) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_location_follows_xdg(tmp_path):
    proc = run(str(CLI), ["log", "--muscle", "calf", "--duration", "1m", "--no-assess"],
               env={"XDG_DATA_HOME": str(tmp_path / "xdg"), "CRAMPCARE_DATABASE": ""})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "xdg" / "crampcare" / "journal.sqlite").exists()


@pytest.mark.parametrize("round_", range(12))
def test_acknowledged_writes_survive_sigkill(tmp_path, round_):
    """Kill the writer at a random moment; every acknowledged episode must be there, intact."""
    journal = tmp_path / "j.sqlite"
    process = subprocess.Popen([str(CLI), "log", "--ndjson"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=dict(os.environ, CRAMPCARE_DATABASE=str(journal)), bufsize=0)
    rng = random.Random(round_)
    acknowledged = set()
    os.set_blocking(process.stdout.fileno(), False)
    pending = b""
    index = 0
    # The random moment is counted from the writer's first acknowledgement: on a loaded CI machine the
    # process can take longer to start than the whole window, and a kill before it writes tests nothing.
    started = time.monotonic() + 60
    deadline = None
    while time.monotonic() < (deadline or started):
        if deadline is None and acknowledged:
            deadline = time.monotonic() + rng.uniform(0.05, 1.2)
        line = json.dumps({"startedAt": f"2026-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}Z", "durationSeconds": 30 + index % 50,
                           "muscles": ["calf"], "note": "x" * rng.randint(0, 300)}) + "\n"
        index += 1
        try:
            process.stdin.write(line.encode())
        except BrokenPipeError:
            break
        try:
            chunk = process.stdout.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            pending += chunk
            *complete, pending = pending.split(b"\n")
            acknowledged.update(json.loads(c)["id"] for c in complete if c)
    process.send_signal(signal.SIGKILL)
    process.wait()
    try:
        rest = process.stdout.read() or b""
    except BlockingIOError:
        rest = b""
    for c in (pending + rest).split(b"\n"):
        if c.strip():
            try:
                acknowledged.add(json.loads(c)["id"])
            except json.JSONDecodeError:
                pass  # a line cut by the kill was never a whole acknowledgement
    with sqlite3.connect(journal) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT id FROM episodes")}
    assert acknowledged, "the writer acknowledged nothing before it was killed"
    assert acknowledged <= stored


def test_json_assessments_are_kept_only_with_save(journal):
    request = json.dumps({"age": 50, "episode": {"durationMinutes": 2, "muscles": ["calf"]}})
    cc(journal, "assess", "--json", stdin=request)
    assert json.loads(cc(journal, "export", "--format", "json", "--out", "-").stdout)["assessments"] == []
    cc(journal, "assess", "--json", "--save", stdin=request)
    kept = json.loads(cc(journal, "export", "--format", "json", "--out", "-").stdout)["assessments"]
    assert len(kept) == 1 and kept[0]["request"]["age"] == 50 and kept[0]["result"]["triage"] == "self_care"
    lines = "\n".join([request] * 1203) + "\n"
    assert len(cc(journal, "assess", "--ndjson", stdin=lines).stdout.splitlines()) == 1203
    assert len(json.loads(cc(journal, "export", "--format", "json", "--out", "-").stdout)["assessments"]) == 1
    cc(journal, "assess", "--ndjson", "--save", stdin=lines)
    assert len(json.loads(cc(journal, "export", "--format", "json", "--out", "-").stdout)["assessments"]) == 1204
