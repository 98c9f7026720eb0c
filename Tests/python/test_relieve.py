"""`crampcare relieve`: the guided session in a real pseudo-terminal (countdowns redrawn in place,
Ctrl-C stopping cleanly, little CPU while counting) and over a plain pipe (one line per step),
logging the cramp and whether it helped."""
import json
import os
import re
import signal
import time

import pexpect
import pytest

from conftest import CLI, run

ENV = {**os.environ, "TERM": "xterm-256color", "TZ": "UTC", "NO_COLOR": "1"}


def cc(journal, *args, stdin=None):
    return run(str(CLI), [*args, "--database", journal], stdin, env={"TZ": "UTC"})


def test_over_a_pipe_one_line_per_step_then_it_logs(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    proc = cc(journal, "relieve", "--time-scale", "0.01", stdin="2\np\n")  # back of the thigh, then "partly"
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Which muscle is cramping?" in out and "Stretch the back of the thigh" in out
    assert [line for line in out.splitlines() if line.startswith("Hold")] == [
        "Hold 1 of 3: 30 seconds", "Hold 1 of 3: done", "Hold 2 of 3: 30 seconds", "Hold 2 of 3: done",
        "Hold 3 of 3: 30 seconds", "Hold 3 of 3: done"]
    assert "\r" not in out and "\x1b[" not in out
    assert "What to avoid" in out and "Rub the muscle" in out
    episodes = json.loads(cc(journal, "history", "--json").stdout)
    assert len(episodes) == 1
    assert episodes[0]["muscles"] == ["hamstrings"] and episodes[0]["reliefs"] == [{"technique": "stretch", "outcome": "partly"}]


def test_no_log_and_bad_muscle(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    proc = cc(journal, "relieve", "--muscle", "calf", "--no-log", "--time-scale", "0.01")
    assert proc.returncode == 0, proc.stderr
    assert "Walk about on your heels" in proc.stdout  # calf only
    assert json.loads(cc(journal, "history", "--json").stdout) == []
    bad = cc(journal, "relieve", "--muscle", "toe", "--no-log")
    message = " ".join(bad.stderr.split())
    assert bad.returncode == 2 and "--muscle" in message and "toe" in message and "calf, hamstrings (back of thigh), quadriceps (front of thigh)" in message


def test_in_a_terminal_the_countdown_redraws_in_place(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    child = pexpect.spawn(str(CLI), ["relieve", "--muscle", "quadriceps", "--time-scale", "0.05", "--database", journal],
                          env=ENV, encoding="utf-8", timeout=30, dimensions=(40, 100))
    child.expect("Did it help")
    screen = child.before
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    redraws = re.findall(r"\r  Hold 1 of 3  \[[█░]+\]  \d+ s\x1b\[K", screen)
    assert len(redraws) >= 3, screen[:500]
    assert "\x1b[?25l" in screen  # cursor hidden while counting
    assert "Hold 1 of 3: done" in screen and "Hold 3 of 3: done" in screen
    assert "\x1b[2J" not in screen  # never clears the screen: no flicker


def test_ctrl_c_stops_cleanly_and_logs_nothing(tmp_path):
    journal = str(tmp_path / "j.sqlite")
    child = pexpect.spawn(str(CLI), ["relieve", "--muscle", "calf", "--database", journal], env=ENV, encoding="utf-8", timeout=30)
    child.expect(r"Hold 1 of 3  \[")
    # Little CPU while counting: measured over 3 seconds of the first hold.
    def cpu_seconds():
        fields = open(f"/proc/{child.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    time.sleep(0.5)
    before, started = cpu_seconds(), time.monotonic()
    time.sleep(3)
    share = (cpu_seconds() - before) / (time.monotonic() - started)
    print(f"relieve countdown CPU share: {share:.4f}")
    assert share < 0.03
    child.kill(signal.SIGINT)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Stopped. Nothing was logged." in child.before
    assert "\x1b[?25h" in child.before  # the cursor is shown again
    assert json.loads(cc(journal, "history", "--json").stdout) == []
