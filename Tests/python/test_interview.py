"""The interactive assessment on a real pseudo-terminal."""
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pexpect

from conftest import CLI

JOURNAL = os.path.join(tempfile.mkdtemp(prefix="crampcare-interview-"), "journal.sqlite")
ENV = {"TERM": "dumb", "NO_COLOR": "1", "PATH": "/usr/bin:/bin", "LANG": "en_GB.UTF-8", "CRAMPCARE_DATABASE": JOURNAL}
RED_FLAG_STEPS = len(json.load(open(Path(__file__).parents[2] / "Knowledge" / "codes.json"))["redFlagSteps"])


def spawn():
    return pexpect.spawn(str(CLI), ["assess"], env=ENV, encoding="utf-8", timeout=10)


def at_the_lungs_question(answer):
    """A new interview: "no" to the first question, then `answer` to the chest-pain one."""
    child = spawn()
    child.expect("fainted")
    child.sendline("n")
    child.expect("chest pain")
    child.sendline(answer)
    return child


def which(child, numbers):
    child.expect("Which")
    child.expect("Numbers")
    child.sendline(numbers)


def test_an_emergency_answer_stops_the_questions_at_once():
    child = at_the_lungs_question("y")
    which(child, "1")
    expect_the_emergency_stop(child)


def test_not_sure_counts_as_yes_and_not_sure_which_as_the_most_urgent():
    child = at_the_lungs_question("?")
    child.expect("counts the most serious")
    expect_the_emergency_stop(child)


def expect_the_emergency_stop(child):
    """The banner with the region's number, then the end: no episode question is asked."""
    child.expect("EMERGENCY: call 999 now")
    child.expect("Stopping the questions")
    child.expect(pexpect.EOF)
    assert "Which muscle" not in child.before
    child.close()
    assert child.exitstatus == 0


def test_red_flag_questions_cannot_be_skipped():
    child = spawn()
    child.expect(r"\[y/n/\?\]")
    child.sendline("")
    child.expect("cannot be skipped")
    child.sendline("n")
    child.expect("chest pain")
    child.close(force=True)


def test_a_whole_self_care_interview():
    child = spawn()
    for _ in range(RED_FLAG_STEPS):
        child.expect(r"\[y/n/\?\]")
        child.sendline("n")
    child.expect("Which muscle")
    child.expect("Numbers")
    child.sendline("3")
    child.expect("How long")
    child.sendline("2m")
    child.expect("How did it feel")
    child.expect("Numbers")
    child.sendline("1, 3, 7")
    child.expect("any of these as well")
    child.expect("Numbers")
    child.sendline("")
    # Only the questions that can still change the advice follow; answer them as they come.
    answers = {"How many cramps": "", "What were you doing": "6", "Which side": "1", "did any of these apply": "1, 7",
               "How old": "34", "conditions": "", "medicines": "ibuprofen-ish tablet", "Not on CrampCare": "Furosemide",
               "Sex": "", "How bad": ""}
    patterns = list(answers)
    seen = []
    while True:
        index = child.expect(patterns + ["SELF-CARE|SOON"])
        if index == len(patterns):
            break
        seen.append(patterns[index])
        if patterns[index] in ("What were you doing", "Which side", "did any of these apply", "conditions", "medicines", "Sex"):
            child.expect("Numbers|A number")
        child.sendline(answers[patterns[index]])
    assert {"How old", "did any of these apply", "medicines", "Not on CrampCare"} <= set(seen), seen
    # The result is paged after its banner and what to do first: Enter shows the rest.
    shown = ""
    pages = 0
    while child.expect([pexpect.EOF, r"-- \d+ more lines: Enter for more, q to stop -- "]) == 1:
        shown += child.before
        pages += 1
        child.sendline("")
    shown += child.before
    assert "WHAT TO DO NOW" in shown and pages >= 1
    child.close()
    assert child.exitstatus == 0
    # An interactive assessment is kept in the journal.
    backup = subprocess.run([str(CLI), "export", "--format", "json", "--out", "-"], capture_output=True, text=True,
                            env=dict(os.environ, CRAMPCARE_DATABASE=JOURNAL), check=True).stdout
    kept = json.loads(backup)["assessments"]
    assert kept and kept[-1]["request"]["medications"] == ["diuretic"]


def test_input_ending_early_is_an_error():
    child = spawn()
    child.expect(r"\[y/n/\?\]")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_yes_but_not_sure_which_counts_the_most_urgent_and_stops():
    # "Yes" to the lungs question, then Enter for "not sure which": the cautious reading is chest pain.
    child = at_the_lungs_question("y")
    which(child, "")
    child.expect("counts the most serious")
    expect_the_emergency_stop(child)
