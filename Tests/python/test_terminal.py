"""The terminal at 80 columns, as a person uses it: every command's output fits (the widest line
of stdout and stderr is measured, JSON aside), long results are paged but never their banner or
red flags, one muscle numbering in every list, and everyday words and amounts are taken where
each belongs ("calves", "2 minutes", "3am", "1.2L", "last week"), with "thigh" asked about."""
import json
import os
import random

import pexpect
import pytest

from conftest import CLI, SHARED, run

WIDTH = 80


def cc(journal, *args, stdin=None, columns=WIDTH, check=True):
    proc = run(str(CLI), list(args), stdin, env={"CRAMPCARE_DATABASE": journal, "TZ": "Europe/London", "COLUMNS": str(columns)})
    if check:
        assert proc.returncode == 0, f"{args}: {proc.stderr}"
    return proc


def widest(text):
    """The widest line, a line that is one web address or file path aside: neither can be broken
    (a terminal makes an address a link only whole, and a path is copied whole), so each stands
    on a line of its own."""
    def unbreakable(line):
        word = line.strip().rstrip(".,;")
        return " " not in word and (word.startswith("http") or word.startswith("/"))
    lines = [line for line in text.splitlines() if not unbreakable(line)]
    return max((len(line) for line in lines), default=0)


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """Four months of a diary: cramps most nights, day logs with fluids, sitting and alcohol."""
    folder = tmp_path_factory.mktemp("terminal")
    path = str(folder / "journal.sqlite")
    rng = random.Random(15)
    episodes = ["started_at,duration_seconds,muscles,side,severity,onset,findings,reliefs,note"]
    days = ["date,fluids_ml,sitting_hours,alcohol_units,hot_weather,sleep_hours"]
    for day in range(1, 121):
        month, date = (8 + (day - 1) // 30), 1 + (day - 1) % 30
        fluids = rng.choice([700, 900, 1500, 1800, 2000])
        days.append(f"2026-{month:02d}-{date:02d},{fluids},{rng.choice([2, 5, 9])},{rng.choice([0, 0, 2, 6])},"
                     f"{'true' if day % 7 == 0 else 'false'},{rng.choice([5, 6.5, 8])}")
        if rng.random() < (0.6 if fluids < 1000 else 0.3):
            muscle = rng.choice(["calf", "calf", "hamstrings", "quadriceps"])
            relief = rng.choice(["stretch:helped", "massage:partly", "walking:no", ""])
            episodes.append(f"2026-{month:02d}-{date:02d}T03:{rng.randint(10, 59)}:00+01:00,{rng.choice([60, 120, 300, 900])},"
                            f"{muscle},{rng.choice(['left', 'right', ''])},{rng.randint(2, 9)},sleep,visible_knot,{relief},")
    (folder / "episodes.csv").write_text("\r\n".join(episodes) + "\r\n")
    (folder / "daily.csv").write_text("\r\n".join(days) + "\r\n")
    cc(path, "import", str(folder / "episodes.csv"))
    cc(path, "import", str(folder / "daily.csv"))
    cc(path, "profile", "--birth-year", "1958", "--sex", "female", "--time-zone", "London", "--condition", "diabetes",
       "--medication", "furosemide", "--reminder", "21:30")
    return path


def requests(tmp_path):
    """Assessment requests for a plain cramp, a possible clot and an emergency."""
    plain = {"age": 67, "episode": {"durationMinutes": 2, "muscles": ["calf"]}, "findings": ["visible_knot", "relieved_by_stretching"]}
    clot = {"age": 67, "episode": {"durationMinutes": 45, "muscles": ["calf"]},
            "findings": ["calf_swelling", "calf_warmth_redness", "calf_tenderness"]}
    emergency = {"age": 67, "episode": {"durationMinutes": 5, "muscles": ["calf"]}, "findings": ["chest_pain"]}
    files = []
    for name, body in [("plain", plain), ("clot", clot), ("emergency", emergency)]:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(body))
        files.append(str(path))
    return files


def commands(journal, tmp_path):
    """Every command a person runs, with its everyday input."""
    first = json.loads(cc(journal, "history", "--json", "--limit", "1").stdout)[0]["id"]
    plain, clot, emergency = requests(tmp_path)
    topics = ["cramp", "causes", "symptoms", "relief", "prevention", "exercises", "in-the-muscle", "ageing", "see-a-doctor",
              "questions", "glossary", "sources"]
    listed = [
        ["--help"], ["assess", "--input", plain], ["assess", "--input", clot], ["assess", "--input", emergency],
        ["assess", "--input", plain, "--format", "markdown"],
        ["log", "--muscle", "calves", "--duration", "2 minutes", "--at", "3am", "--severity", "6", "--relief", "stretch:helped"],
        ["log", "--muscle", "hamstring", "--duration", "90s", "--at", "yesterday 23:30"],
        ["history"], ["history", "--range", "last week"], ["history", "--range", "last month", "--muscle", "calves"],
        ["show", first], ["edit", first, "--duration", "3 minutes"],
        ["day"], ["day", "--fluids", "1.2L"], ["day", "--fluids", "3 glasses", "--date", "yesterday"],
        ["profile"], ["insights"], ["plan"], ["learn"], *[["learn", topic] for topic in topics],
        ["ask", "why do I get cramps at night"], ["relieve", "--muscle", "calf", "--no-log", "--time-scale", "0.001"],
        ["export", "--format", "csv", "--out", str(tmp_path / "export")], ["report", "--out", str(tmp_path / "report.html")],
    ]
    subcommands = ["assess", "log", "day", "history", "show", "edit", "delete", "profile", "export", "import", "erase", "insights",
                   "report", "plan", "questionnaire", "relieve", "learn", "ask", "serve"]
    return listed + [[name, "--help"] for name in subcommands]


def test_every_command_fits_80_columns(journal, tmp_path):
    wide = []
    for args in commands(journal, tmp_path):
        proc = cc(journal, *args, check=False)
        assert proc.returncode == 0, f"{args}: {proc.stderr}"
        for stream, text in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            if widest(text) > WIDTH:
                line = max((line for line in text.splitlines() if " " in line.strip()), key=len)
                wide.append(f"{' '.join(args)} ({stream}, {widest(text)}): {line[:120]}")
    assert not wide, "\n".join(wide)


def test_bad_input_messages_fit_too(journal):
    for args in (["log", "--muscle", "elbow", "--duration", "2m"], ["log", "--muscle", "calf", "--duration", "forever"],
                 ["log", "--muscle", "calf", "--duration", "2m", "--at", "soon"], ["day", "--fluids", "lots"],
                 ["history", "--range", "next week"], ["profile", "--time-zone", "Atlantis"]):
        proc = cc(journal, *args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert widest(proc.stderr) <= WIDTH, proc.stderr


def test_everyday_words_are_taken_where_each_belongs(journal):
    logged = json.loads(cc(journal, "log", "--json", "--muscle", "calves", "--muscle", "back of thigh", "--duration", "2 minutes",
                           "--at", "yesterday 23:30").stdout)["episode"]
    assert sorted(logged["muscles"]) == ["calf", "hamstrings"] and logged["durationSeconds"] == 120
    assert "T23:30:00" in logged["startedAt"]
    day = json.loads(cc(journal, "day", "--json", "--fluids", "1.2L").stdout)["dayLogs"][0]
    assert day["fluidsML"] == 1200
    day = json.loads(cc(journal, "day", "--json", "--fluids", "3 glasses").stdout)["dayLogs"][0]
    assert day["fluidsML"] == 750
    week = json.loads(cc(journal, "history", "--json", "--range", "last week").stdout)
    assert any(e["id"] == logged["id"] for e in week)
    # Each reader takes only its own: a time is no duration, a duration no range.
    assert cc(journal, "log", "--muscle", "calf", "--duration", "3am", check=False).returncode == 2
    assert cc(journal, "history", "--range", "2 minutes", check=False).returncode == 2
    # "thigh" could be either: refused naming both, never guessed.
    refused = cc(journal, "log", "--muscle", "thigh", "--duration", "2m", check=False)
    assert refused.returncode == 2 and "hamstrings" in refused.stderr and "quadriceps" in refused.stderr


def spawn(journal, *args):
    env = dict(os.environ, CRAMPCARE_DATABASE=journal, TZ="Europe/London", COLUMNS=str(WIDTH), LINES="24", NO_COLOR="1")
    return pexpect.spawn(str(CLI), list(args), env=env, encoding="utf-8", timeout=15, dimensions=(24, WIDTH))


def test_the_questions_ask_which_thigh_and_number_muscles_as_everywhere(journal):
    child = spawn(journal, "log")
    child.expect("Which muscle cramped")
    child.expect("1. calf")
    child.expect("Numbers or names")
    child.sendline("thigh")
    child.expect("could be")
    child.expect("1. back of the thigh")
    child.sendline("1")
    child.expect("How long did it last")
    child.sendline("2 minutes")
    child.expect("When did it start")
    child.sendline("3am")
    child.expect("How bad")
    child.sendline("5")
    child.close(force=True)
    relieve = spawn(journal, "relieve", "--no-log", "--time-scale", "0.001")
    relieve.expect("1. calf")
    relieve.close(force=True)


def test_day_with_no_options_asks_its_questions(journal):
    child = spawn(journal, "day", "--date", "2026-06-01")
    child.expect("How much did you drink")
    child.sendline("6")
    for _ in range(5):
        child.expect(":")
        child.sendline("")
    child.expect("hot")
    child.sendline("n")
    child.expect("electrolyte")
    child.sendline("")
    # "None of these" is an answer, kept apart from skipping the question.
    child.expect("foods did you eat")
    child.expect("4. None of these")
    child.expect("or Enter to skip:")
    child.sendline("4")
    child.expect("medicine")
    child.sendline("")
    child.expect("Saved 2026-06-01")
    child.expect("1500 mL")
    child.expect("none rich in minerals")
    child.expect(pexpect.EOF)
    day = json.loads(cc(journal, "day", "--json", "--date", "2026-06-01").stdout)["dayLogs"][0]
    assert day["fluidsML"] == 1500 and day["hotWeather"] is False and day["mineralFoods"] == []
    skipped = spawn(journal, "day", "--date", "2026-06-02")
    skipped.expect("How much did you drink")
    skipped.sendline("6")
    for _ in range(5):
        skipped.expect(":")
        skipped.sendline("")
    for question in ["hot", "electrolyte", "foods did you eat", "medicine"]:
        skipped.expect(question)
        skipped.sendline("")
    skipped.expect("Saved 2026-06-02")
    skipped.expect(pexpect.EOF)
    assert "mineralFoods" not in json.loads(cc(journal, "day", "--json", "--date", "2026-06-02").stdout)["dayLogs"][0]


def test_a_long_result_is_paged_after_its_banner_and_red_flags_and_an_emergency_is_whole(journal, tmp_path):
    plain, clot, emergency = requests(tmp_path)
    child = spawn(journal, "assess", "--input", clot)
    child.expect("URGENT")
    child.expect("WHY THIS ADVICE")
    child.expect("more lines: Enter for more, q to stop")
    child.sendline("q")
    child.expect(pexpect.EOF)
    whole = spawn(journal, "assess", "--input", emergency)
    whole.expect("EMERGENCY")
    index = whole.expect(["more lines", pexpect.EOF])
    assert index == 1, "an emergency result was paged"


def test_the_plan_and_insights_keep_what_to_see_first_on_the_first_screen(journal, tmp_path):
    _, clot, _ = requests(tmp_path)
    assert cc(journal, "assess", "--json", "--save", "--input", clot).returncode == 0
    plan = spawn(journal, "plan")
    plan.expect("First: A check in the last 14 days found")
    plan.expect("THIS WEEK")
    plan.expect("more lines: Enter for more, q to stop")
    assert plan.before.count("\n") < 24, "the first screen is one screen"
    plan.sendline("q")
    plan.expect(pexpect.EOF)
    insights = spawn(journal, "insights")
    insights.expect("WHEN TO SEE A DOCTOR")
    insights.expect("First: a check you made in the last 14 days said to get help")
    insights.expect("What a diary cannot see")
    insights.expect("more lines: Enter for more, q to stop")
    insights.sendline("q")
    insights.expect(pexpect.EOF)
