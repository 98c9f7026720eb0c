"""The CLI end to end: readable reports, formats, colour rules, regions, learn and ask."""
import json

import pexpect
import pytest

from conftest import CLI, run, vignettes

CASES = {c["id"]: c for c in vignettes()}


def text_report(cli, case_id, *args, env=None):
    proc = run(cli, ["assess", *args], json.dumps(CASES[case_id]["request"]), env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_emergency_report_says_call_the_regions_number_first(cli):
    out = text_report(cli, "P05", "--region", "GB")
    assert out.splitlines()[1].strip() == "EMERGENCY: call 999 now"
    assert "WHY THIS ADVICE" in out and "pulmonary embolism" in out.lower()
    assert "SOURCES" in out and "https://" in out


@pytest.mark.parametrize("region,number", [("US", "911"), ("AU", "000"), ("DE", "112"), ("NZ", "111")])
def test_emergency_number_follows_the_region(cli, region, number):
    assert f"call {number} now" in text_report(cli, "P07", "--region", region)


def test_an_unknown_region_is_named_and_falls_back_to_112(cli):
    proc = run(cli, ["assess", "--region", "Atlantis"], json.dumps(CASES["P07"]["request"]))
    assert proc.returncode == 0
    assert "call 112 now" in proc.stdout
    assert '--region "Atlantis"' in proc.stderr and "GB" in proc.stderr


def test_region_comes_from_the_locale(cli):
    assert "call 999 now" in text_report(cli, "P07", env={"LANG": "en_GB.UTF-8", "LC_ALL": ""})
    assert "call 911 now" in text_report(cli, "P07", env={"LANG": "en_US.UTF-8", "LC_ALL": ""})


def test_self_care_report_has_relief_prevention_and_questions_that_would_change_it(cli):
    out = text_report(cli, "P01")
    assert "SELF-CARE" in out
    assert "WHAT TO DO NOW" in out and "hold 30 seconds" in out
    assert "TO STOP IT COMING BACK" in out
    assert "QUESTIONS THAT COULD CHANGE THIS ADVICE" in out
    assert "Do not bounce or jerk" in out
    assert "informs" in out or "not a diagnosis" in out


def test_markdown_format(cli):
    out = text_report(cli, "P04", "--format", "markdown")
    assert out.startswith("# URGENT: be seen today")
    assert "\n## Why this advice\n" in out and "\n## Sources\n" in out
    assert "\x1b[" not in out


def test_json_format_without_the_flag(cli):
    out = text_report(cli, "P04", "--format", "json")
    assert json.loads(out)["triage"] == "urgent"


def run_in_terminal(args, stdin_text, env):
    """Runs the CLI on a pseudo-terminal, with the request on stdin via a shell pipe."""
    child = pexpect.spawn("/bin/sh", ["-c", f"printf '%s' '{stdin_text}' | {CLI} {' '.join(args)}"], env=env, encoding="utf-8", timeout=20)
    child.expect(pexpect.EOF)
    return child.before


def test_colour_on_a_terminal_and_never_with_no_color():
    request = json.dumps(CASES["P05"]["request"])
    coloured = run_in_terminal(["assess"], request, {"TERM": "xterm", "PATH": "/usr/bin:/bin"})
    assert "\x1b[" in coloured
    plain = run_in_terminal(["assess"], request, {"TERM": "xterm", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert "\x1b[" not in plain
    piped = run(CLI.as_posix(), ["assess"], request, env={"NO_COLOR": ""})
    assert "\x1b[" not in piped.stdout


def test_learn_lists_and_shows_topics(cli):
    listing = run(cli, ["learn"])
    assert listing.returncode == 0
    for topic in ["cramp", "causes", "symptoms", "relief", "prevention", "exercises", "in-the-muscle", "ageing", "see-a-doctor", "questions", "glossary", "sources"]:
        assert topic in listing.stdout
        shown = run(cli, ["learn", topic])
        assert shown.returncode == 0 and len(shown.stdout) > 200, topic
    assert "quadriceps" in run(cli, ["learn", "cramp"]).stdout.lower()
    assert "gentler" in run(cli, ["learn", "exercises"]).stdout.lower()
    bad = run(cli, ["learn", "astrology"])
    assert bad.returncode == 2 and "topics:" in bad.stderr


def test_ask_answers_from_the_knowledge_base_with_sources(cli):
    proc = run(cli, ["ask", "can", "dehydration", "cause", "cramps?"])
    assert proc.returncode == 0
    assert proc.stdout.startswith("Can dehydration cause cramps?")
    assert "Sources:" in proc.stdout and "https://" in proc.stdout
    knee = json.loads(run(cli, ["ask", "--json", "can the knee itself cramp"]).stdout)
    assert knee["answers"][0]["heading"] == "Can the knee itself cramp?"
    nothing = run(cli, ["ask", "zzzz qqqq"])
    assert nothing.returncode == 1 and "no answer" in nothing.stdout


def test_help_and_version(cli):
    assert run(cli, ["--version"]).stdout.strip()
    helptext = run(cli, ["assess", "--help"]).stdout
    assert "--ndjson" in helptext and "--region" in helptext


def test_conflicting_flags_are_refused(cli):
    proc = run(cli, ["assess", "--json", "--ndjson"], "{}")
    assert proc.returncode != 0 and proc.stdout == ""
