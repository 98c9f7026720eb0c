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


def test_an_emergency_answer_stops_the_questions_at_once():
    child = spawn()
    child.expect("chest pain")
    child.sendline("y")
    child.expect("Do you have chest pain")
    child.sendline("y")
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
    child.expect(r"\[y/n\]")
    child.sendline("")
    child.expect("cannot be skipped")
    child.sendline("n")
    child.expect(r"\[y/n\]")
    child.close(force=True)


def test_a_whole_self_care_interview():
    child = spawn()
    for _ in range(RED_FLAG_STEPS):
        child.expect(r"\[y/n\]")
        child.sendline("n")
    child.expect("Which muscle")
    child.expect("Numbers")
    child.sendline("3")
    child.expect("How long")
    child.sendline("2m")
    child.expect("How old")
    child.sendline("34")
    child.expect("Which side")
    child.expect("skip")
    child.sendline("1")
    child.expect("What were you doing")
    child.expect("skip")
    child.sendline("6")
    child.expect("How bad")
    child.sendline("6")
    child.expect("How many cramps")
    child.sendline("")
    child.expect("Sex")
    child.expect("skip")
    child.sendline("")
    # The remaining steps: answer the first two questions, then skip the rest.
    answered = 0
    while True:
        index = child.expect([r"\[y/n, Enter to skip\]", "did any of these apply"])
        if index == 1:
            break
        child.sendline("y" if answered < 2 else "")
        answered += 1
    child.expect("Numbers")
    child.sendline("1, 7")
    child.expect("conditions")
    child.expect("Numbers")
    child.sendline("")
    child.expect("medicines")
    child.sendline("ibuprofen-ish tablet")
    child.expect("Not on CrampCare's list")
    child.sendline("Furosemide")
    child.expect("SELF-CARE|SOON")
    child.expect(pexpect.EOF)
    assert "WHAT TO DO NOW" in child.before
    child.close()
    assert child.exitstatus == 0
    # An interactive assessment is kept in the journal.
    backup = subprocess.run([str(CLI), "export", "--format", "json", "--out", "-"], capture_output=True, text=True,
                            env=dict(os.environ, CRAMPCARE_DATABASE=JOURNAL), check=True).stdout
    kept = json.loads(backup)["assessments"]
    assert kept and kept[-1]["request"]["medications"] == ["diuretic"]


def test_input_ending_early_is_an_error():
    child = spawn()
    child.expect(r"\[y/n\]")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_yes_then_no_to_every_sign_counts_the_most_urgent_and_stops():
    # "Yes" to the lungs question, then "no" to each sign: the cautious reading is chest pain.
    child = spawn()
    child.expect("chest pain")
    child.sendline("y")
    for _ in range(3):
        child.expect(r"\[y/n\]")
        child.sendline("n")
    child.expect("counts the most serious")
    expect_the_emergency_stop(child)
