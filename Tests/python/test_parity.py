"""One interview, everywhere: each public vignette answered the same way (yes to its codes, no to
every other question asked) through the terminal (a real pseudo-terminal), a FHIR
QuestionnaireResponse and, for five of them, the web pages in Chromium, gives the same triage,
red-flag ids, cramp verdict, top three factors and relief ids. (The web pages are checked for all
30 by the Swift suite InterviewParity, with Hummingbird's test client.)"""
import json
import os
import re
import shutil
import subprocess
import tempfile

import pexpect
import pytest

from conftest import CLI, SHARED, questionnaire_response, run

VIGNETTES = json.loads((SHARED / "vignettes" / "public.json").read_text())
WINDOW = ["pregnancy", "after_childbirth"]


@pytest.fixture(scope="module")
def questionnaire():
    return json.loads(run(str(CLI), ["questionnaire", "--fhir"]).stdout)


def items(node):
    for item in node.get("item", []):
        yield item
        yield from items(item)


def outcome(result):
    return {"triage": result["triage"], "redFlags": [f["id"] for f in result["redFlags"]], "likelyCramp": result["likelyCramp"],
            "factors": [f["id"] for f in result["factors"]][:3], "relief": [r["id"] for r in result["relief"]]}


def options(questionnaire, link):
    item = next(i for i in items(questionnaire) if i["linkId"] == link)
    return [o["valueCoding"]["code"] for o in item["answerOption"]]


def groups(questionnaire):
    """The screening and checklist groups: their text, and their signs in order."""
    out = {}
    for item in questionnaire["item"]:
        if item["linkId"].startswith("step."):
            out[item["linkId"].removeprefix("step.")] = (item["text"], [i["linkId"].removeprefix("finding.") for i in item["item"] if i["linkId"].startswith("finding.")])
    return out


def response_for(vignette, questionnaire):
    """Every question answered: the vignette's codes yes, every other sign no."""
    findings = set(vignette["request"].get("findings", []))
    screened = [{"linkId": f"step.{step}", "item": [{"linkId": f"finding.{code}", "answer": [{"valueBoolean": code in findings}]} for code in signs]}
                for step, (_, signs) in groups(questionnaire).items()]
    return questionnaire_response(vignette["request"], screened)


def by_response(vignette, questionnaire):
    proc = run(str(CLI), ["assess", "--json"], json.dumps(response_for(vignette, questionnaire)))
    assert proc.returncode == 0, (vignette["id"], proc.stderr)
    return outcome(json.loads(proc.stdout))


def numbers(chosen, listed):
    return ", ".join(str(listed.index(code) + 1) for code in chosen if code in listed)


def by_terminal(vignette, questionnaire, journal):
    """The interactive interview on a pseudo-terminal, answered as the vignette says; the
    result is the assessment it keeps in the journal."""
    request = vignette["request"]
    episode = request["episode"]
    findings = set(request.get("findings", []))
    screens = {text: signs for step, (text, signs) in groups(questionnaire).items() if step not in ("feel", "symptoms")}
    env = {"TERM": "dumb", "NO_COLOR": "1", "PATH": "/usr/bin:/bin", "LANG": "en_GB.UTF-8", "CRAMPCARE_DATABASE": journal, "COLUMNS": "400", "LINES": "5000"}  # one screen: nothing paged
    child = pexpect.spawn(str(CLI), ["assess"], env=env, encoding="utf-8", timeout=15, dimensions=(50, 400))
    conditions = [c for c in options(questionnaire, "conditions") if c not in WINDOW]
    prompts = [r"\n([^\r\n]+?) ?(?:\r\n)?\[y/n/\?\] ", "Which muscle", "How long did it last", "How did it feel", "any of these as well",
               "Which side", "What were you doing", "How many cramps", "did any of these apply", "How old", "any of these conditions",
               "any of these medicines", r"\nSex", "How bad was it", "still right", pexpect.EOF]
    feel = groups(questionnaire)["feel"][1]
    symptoms = groups(questionnaire)["symptoms"][1]
    for _ in range(80):
        index = child.expect(prompts)
        if prompts[index] is pexpect.EOF:
            break
        if index == 0:
            # The question may be wrapped over lines: its last line names it.
            text = child.match.group(1).strip()
            signs = next(signs for question, signs in screens.items() if question.endswith(text))
            named = [s for s in signs if s in findings]
            child.sendline("y" if named else "n")
            if named and len(signs) > 1:
                child.expect("Numbers")
                child.sendline(numbers(named, signs))
            continue
        name = prompts[index]
        if name not in ("How long did it last", "How many cramps", "How old", "How bad was it", "still right"):
            child.expect("Numbers|A number")
        answer = {
            "Which muscle": numbers(episode["muscles"], options(questionnaire, "episode.muscles")),
            "How long did it last": f"{episode['durationMinutes']}m",
            "How did it feel": numbers(sorted(findings & set(feel), key=feel.index), feel),
            "any of these as well": numbers(sorted(findings & set(symptoms), key=symptoms.index), symptoms),
            "Which side": numbers([episode["side"]], options(questionnaire, "episode.side")) if "side" in episode else "",
            "What were you doing": numbers([episode["onset"]], options(questionnaire, "episode.onset")) if "onset" in episode else "",
            "How many cramps": str(request.get("episodesLast30Days", "")),
            "did any of these apply": numbers(request.get("context", []) + [c for c in request.get("conditions", []) if c in WINDOW],
                                              options(questionnaire, "context") + WINDOW),
            "How old": str(request["age"]),
            "any of these conditions": numbers([c for c in request.get("conditions", []) if c not in WINDOW], conditions),
            "any of these medicines": numbers(request.get("medications", []), options(questionnaire, "medications")),
            r"\nSex": numbers([request["sex"]], options(questionnaire, "sex")) if "sex" in request else "",
            "How bad was it": str(episode.get("severity", "")),
            "still right": "y",
        }[name]
        child.sendline(answer)
    child.close()
    assert child.exitstatus == 0, (vignette["id"], child.before)
    backup = subprocess.run([str(CLI), "export", "--format", "json", "--out", "-"], capture_output=True, text=True,
                            env=dict(os.environ, CRAMPCARE_DATABASE=journal), check=True).stdout
    return outcome(json.loads(backup)["assessments"][-1]["result"])


def test_the_terminal_and_a_questionnaire_response_agree_for_every_public_vignette(questionnaire):
    assert len(VIGNETTES) == 30
    journal = os.path.join(tempfile.mkdtemp(prefix="crampcare-parity-"), "journal.sqlite")
    for vignette in VIGNETTES:
        terminal = by_terminal(vignette, questionnaire, journal)
        assert terminal == by_response(vignette, questionnaire), vignette["id"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FIVE = ["P01", "P05", "P07", "P14", "P19"]


@pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (scripts/test installs it)")
def test_the_web_pages_in_chromium_agree_for_five_vignettes_two_of_them_emergencies(questionnaire, tmp_path):
    from playwright.sync_api import sync_playwright
    from webserver import Server
    chosen = [v for v in VIGNETTES if v["id"] in FIVE]
    assert len(chosen) == 5
    emergencies = 0
    server = Server(str(tmp_path / "journal.sqlite"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"] if os.geteuid() == 0 else [], headless=True)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            for vignette in chosen:
                request = vignette["request"]
                findings = set(request.get("findings", []))
                page.goto(server.base + "/assess")
                for _ in range(40):
                    step = page.locator("input[name='step']")
                    if step.count() == 0:
                        break
                    name = step.get_attribute("value")
                    if name == "screen":
                        for fieldset in page.locator("fieldset.question").all():
                            question = fieldset.get_attribute("id")
                            signs = groups(questionnaire)[question][1]
                            named = [s for s in signs if s in findings]
                            fieldset.locator(f"input[name='{question}'][value='{'yes' if named else 'no'}']").check()
                            for sign in named if len(signs) > 1 else []:
                                fieldset.locator(f"input[name='sign[]'][value='{sign}']").check()
                    elif name == "muscles":
                        for muscle in request["episode"]["muscles"]:
                            page.locator(f"input[name='muscle[]'][value='{muscle}']").check()
                    elif name == "duration":
                        page.get_by_label("How long, as a number").fill(str(request["episode"]["durationMinutes"]))
                    elif name in ("feel", "symptoms"):
                        for box in page.locator(f"input[name='{name}[]']").all():
                            if box.get_attribute("value") in findings:
                                box.check()
                    elif name in ("side", "onset") and name in request["episode"]:
                        page.locator(f"input[name='{name}'][value='{request['episode'][name]}']").check()
                    elif name == "sex" and "sex" in request:
                        page.locator(f"input[name='sex'][value='{request['sex']}']").check()
                    elif name in ("age", "episodes", "severity"):
                        value = {"age": request["age"], "episodes": request.get("episodesLast30Days"), "severity": request["episode"].get("severity")}[name]
                        if value is not None:
                            page.locator("#number-value").fill(str(value))
                    elif name == "recent":
                        for code in request.get("context", []):
                            page.locator(f"input[name='context[]'][value='{code}']").check()
                        for code in request.get("conditions", []):
                            if code in WINDOW:
                                page.locator(f"input[name='window[]'][value='{code}']").check()
                    elif name == "conditions":
                        for code in request.get("conditions", []):
                            if code not in WINDOW:
                                page.locator(f"input[name='condition[]'][value='{code}']").check()
                    elif name == "medications":
                        for code in request.get("medications", []):
                            page.locator(f"input[name='medication[]'][value='{code}']").check()
                    page.get_by_role("button", name="Continue").click()
                kept = page.locator("input[name='request']").get_attribute("value")
                proc = run(str(CLI), ["assess", "--json"], kept)
                assert proc.returncode == 0, proc.stderr
                web = outcome(json.loads(proc.stdout))
                emergencies += web["triage"] == "emergency"
                assert web == by_response(vignette, questionnaire), vignette["id"]
            browser.close()
    finally:
        server.stop()
    assert emergencies >= 2
