"""Shared fixtures: the CLI under test (built once by the test command) and the shared contracts."""
import json
import os
import pathlib
import subprocess
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("CRAMPCARE_SHARED", ROOT.parent / "shared"))
CLI = pathlib.Path(os.environ.get("CRAMPCARE_CLI", ROOT / ".build" / "debug" / "crampcare"))


@pytest.fixture(scope="session")
def cli():
    if not CLI.exists():
        pytest.fail(f"the crampcare binary is not built at {CLI}; run the test command (scripts/test)")
    return str(CLI)


@pytest.fixture(scope="session")
def request_schema():
    """The project's own request schema: the shared one with the project's added codes."""
    return json.loads((ROOT / "Contracts" / "assessment-request.schema.json").read_text())


@pytest.fixture(scope="session")
def shared_request_schema():
    return json.loads((SHARED / "contracts" / "assessment-request.schema.json").read_text())


@pytest.fixture(scope="session")
def result_schema():
    return json.loads((SHARED / "contracts" / "assessment-result.schema.json").read_text())


POSTGRES = os.environ.get("CRAMPCARE_TEST_POSTGRES_URL")


def fresh_postgres_database(prefix="j"):
    """An empty PostgreSQL database of its own on the throwaway server (tests must not share owners' data)."""
    name = prefix + uuid.uuid4().hex[:16]
    subprocess.run(["psql", POSTGRES, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return POSTGRES.replace("/postgres?", f"/{name}?")


def vignettes():
    cases = json.loads((SHARED / "vignettes" / "public.json").read_text())
    cases += json.loads((ROOT / "Tests" / "vignettes" / "own.json").read_text())
    return cases


def run(cli, args, stdin=None, env=None, timeout=30):
    full_env = dict(os.environ, NO_COLOR="1")
    full_env.update(env or {})
    return subprocess.run([cli, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=full_env)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Lets fixtures see whether the test failed (the browser tests keep a screenshot then)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


QUESTIONNAIRE_URL = "urn:crampcare:questionnaire:assessment"


def questionnaire_response(request, screened):
    """A QuestionnaireResponse with a contract request's fields, and `screened`: the items that
    answer findings (a group or a list of finding items)."""
    def coding(system, code):
        return {"valueCoding": {"system": f"urn:crampcare:code:{system}", "code": code}}
    answers = [{"linkId": "age", "answer": [{"valueInteger": request["age"]}]}]
    if "sex" in request:
        answers.append({"linkId": "sex", "answer": [coding("sex", request["sex"])]})
    episode = request["episode"]
    group = [{"linkId": "episode.durationMinutes", "answer": [{"valueDecimal": episode["durationMinutes"]}]},
             {"linkId": "episode.muscles", "answer": [coding("muscle", m) for m in episode["muscles"]]}]
    for key in ["side", "onset"]:
        if key in episode:
            group.append({"linkId": f"episode.{key}", "answer": [coding(key, episode[key])]})
    if "severity" in episode:
        group.append({"linkId": "episode.severity", "answer": [{"valueInteger": episode["severity"]}]})
    answers.append({"linkId": "episode", "item": group})
    if "episodesLast30Days" in request:
        answers.append({"linkId": "episodesLast30Days", "answer": [{"valueInteger": request["episodesLast30Days"]}]})
    answers += screened
    for key, system in [("context", "context"), ("conditions", "condition"), ("medications", "medication")]:
        if request.get(key):
            answers.append({"linkId": key, "answer": [coding(system, code) for code in request[key]]})
    return {"resourceType": "QuestionnaireResponse", "questionnaire": QUESTIONNAIRE_URL, "status": "completed", "item": answers}
