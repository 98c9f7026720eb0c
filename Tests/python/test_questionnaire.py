"""The assessment as a FHIR R4 Questionnaire, and QuestionnaireResponses read back as requests:
validated with fhir.resources (R4B models) and checked code by code against the shared request
schema; every public vignette answered as a QuestionnaireResponse gets the same result as its
contract request."""
import json
import os
import pathlib

import pytest

from conftest import CLI, ROOT, questionnaire_response, run

fhir = pytest.importorskip("fhir.resources")
from fhir.resources.R4B.questionnaire import Questionnaire  # noqa: E402
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse  # noqa: E402

SHARED = pathlib.Path(os.environ.get("CRAMPCARE_SHARED", pathlib.Path(__file__).resolve().parents[3] / "shared"))
URL = "urn:crampcare:questionnaire:assessment"


@pytest.fixture(scope="module")
def questionnaire():
    proc = run(str(CLI), ["questionnaire", "--fhir"])
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    Questionnaire.model_validate(document)
    return document


@pytest.fixture(scope="module")
def schema():
    # The project's own copy: the shared schema with the project's added codes.
    return json.loads((ROOT / "Contracts" / "assessment-request.schema.json").read_text())


def items(node):
    for item in node.get("item", []):
        yield item
        yield from items(item)


def test_questionnaire_codes_are_the_request_schemas(questionnaire, schema):
    assert questionnaire["resourceType"] == "Questionnaire" and questionnaire["url"] == URL and questionnaire["status"] == "active"
    props = schema["properties"]
    enums = {
        "sex": props["sex"]["enum"], "episode.muscles": props["episode"]["properties"]["muscles"]["items"]["enum"],
        "episode.side": props["episode"]["properties"]["side"]["enum"], "episode.onset": props["episode"]["properties"]["onset"]["enum"],
        "context": props["context"]["items"]["enum"], "conditions": props["conditions"]["items"]["enum"],
        "medications": props["medications"]["items"]["enum"],
    }
    by_link = {item["linkId"]: item for item in items(questionnaire)}
    for link, allowed in enums.items():
        codes = [option["valueCoding"]["code"] for option in by_link[link]["answerOption"]]
        assert sorted(codes) == sorted(allowed), link
        assert all(option["valueCoding"]["system"].startswith("urn:crampcare:code:") for option in by_link[link]["answerOption"])
    findings = [link.removeprefix("finding.") for link in by_link if link.startswith("finding.")]
    assert findings and set(findings) <= set(props["findings"]["items"]["enum"])
    assert len(set(findings)) == len(findings)
    for link in findings:
        assert by_link["finding." + link]["type"] == "boolean"
    assert by_link["age"]["type"] == "integer" and by_link["age"]["required"] is True
    assert by_link["episode.durationMinutes"]["type"] == "decimal"
    # Red-flag questions come first, as the assessment asks them.
    groups = [item["linkId"] for item in questionnaire["item"] if item["linkId"].startswith("step.")]
    assert groups[0] == "step.collapse" and groups[1] == "step.lungs"
    # A question with several signs asks yes, no or not sure, and enables its signs on yes or not sure.
    lungs = by_link["screen.lungs"]
    assert [o["valueCoding"]["code"] for o in lungs["answerOption"]] == ["yes", "no", "unsure"]
    chest = by_link["finding.chest_pain"]
    assert chest["enableBehavior"] == "any"
    assert {(w["question"], w["answerCoding"]["code"]) for w in chest["enableWhen"]} == {("screen.lungs", "yes"), ("screen.lungs", "unsure")}


def response_for(request, questionnaire):
    """A QuestionnaireResponse answering the questionnaire as the contract request does."""
    links = {item["linkId"] for item in items(questionnaire)}
    screened = [{"linkId": f"finding.{code}", "answer": [{"valueBoolean": True}]} for code in request.get("findings", [])]
    screened += [{"linkId": f"finding.{code}", "answer": [{"valueBoolean": False}]} for code in request.get("negatives", [])]
    for item in screened:
        assert item["linkId"] in links, item["linkId"]
    return questionnaire_response(request, [{"linkId": "step.answers", "item": screened}] if screened else [])


def assess(document):
    proc = run(str(CLI), ["assess", "--json"], stdin=json.dumps(document))
    return proc


def test_every_public_vignette_answered_as_a_response_gets_the_same_result(questionnaire):
    vignettes = json.loads((SHARED / "vignettes" / "public.json").read_text())
    checked = 0
    for vignette in vignettes:
        request = vignette["request"]
        if any(code not in {i["linkId"].removeprefix("finding.") for i in items(questionnaire)} for code in request.get("findings", []) + request.get("negatives", [])):
            continue
        # Every safety question answered: the vignette's signs yes, the others no, as an interview asks.
        asked = [i["linkId"].removeprefix("finding.") for i in items(questionnaire) if i["linkId"].startswith("finding.")]
        request = {**request, "negatives": sorted(set(asked) - set(request.get("findings", [])))}
        response = response_for(request, questionnaire)
        QuestionnaireResponse.model_validate(response)
        from_response = assess(response)
        from_request = assess(request)
        assert from_response.returncode == 0, (vignette["id"], from_response.stderr)
        got, want = json.loads(from_response.stdout), json.loads(from_request.stdout)
        if want["triage"] == "emergency":
            # Asked in the interview's order, a response stops at its first emergency, as the
            # terminal and the web do: the same emergency, with the flags found up to there.
            assert got["triage"] == "emergency", vignette["id"]
            assert {f["id"] for f in got["redFlags"]} <= {f["id"] for f in want["redFlags"]}, vignette["id"]
        else:
            assert got == want, vignette["id"]
        checked += 1
    assert checked >= 25


def safety_all_no(questionnaire):
    """"No" to every safety question: its yes/no/unsure item, or the one sign it asks."""
    out = []
    for group in questionnaire["item"]:
        if not group["linkId"].startswith("step.") or group["linkId"] in ("step.feel", "step.symptoms"):
            continue
        first = group["item"][0]["linkId"]
        if first.startswith("screen."):
            out.append(screen(group["linkId"].removeprefix("step."), "no"))
        else:
            out.append({"linkId": group["linkId"], "item": [{"linkId": first, "answer": [{"valueBoolean": False}]}]})
    return out


def test_bad_responses_name_the_item(questionnaire):
    base = {"resourceType": "QuestionnaireResponse", "questionnaire": URL, "status": "completed",
            "item": [{"linkId": "age", "answer": [{"valueInteger": 50}]},
                     {"linkId": "episode", "item": [{"linkId": "episode.durationMinutes", "answer": [{"valueDecimal": 2}]},
                                                    {"linkId": "episode.muscles", "answer": [{"valueCoding": {"code": "calf"}}]}]}]
                    + safety_all_no(questionnaire)}
    ok = assess(base)
    assert ok.returncode == 0 and json.loads(ok.stdout)["triage"] == "self_care", ok.stderr
    # A response that leaves a safety question out gets no triage, and says which.
    missing = assess({**base, "item": base["item"][:-1]})
    assert missing.returncode == 2 and "not answered" in missing.stderr and "no triage" in missing.stderr
    cases = [
        ({**base, "questionnaire": "http://example.org/other"}, "questionnaire"),
        ({**base, "status": "in-progress"}, "status"),
        ({**base, "item": base["item"] + [{"linkId": "finding.not_a_thing", "answer": [{"valueBoolean": True}]}]}, "finding.not_a_thing"),
        ({**base, "item": base["item"] + [{"linkId": "finding.calf_swelling", "answer": [{"valueString": "yes"}]}]}, "finding.calf_swelling"),
        ({**base, "item": base["item"] + [{"linkId": "shoe_size", "answer": [{"valueInteger": 9}]}]}, "shoe_size"),
        ({**base, "item": base["item"] + [screen("collapse", "no")]}, "screen.collapse"),
        ({**base, "item": [base["item"][1]]}, "age"),
    ]
    for document, field in cases:
        proc = assess(document)
        assert proc.returncode == 2, (field, proc.stdout)
        assert field in proc.stderr, (field, proc.stderr)


def screen(step, code):
    return {"linkId": f"step.{step}", "item": [{"linkId": f"screen.{step}", "answer": [{"valueCoding": {"system": "urn:crampcare:code:answer", "code": code}}]}]}


def test_a_response_that_stops_at_an_emergency_gets_the_emergency_not_an_error():
    # Only "yes, chest pain": no age, no episode. The questions it never reached cannot hide it.
    only = {"resourceType": "QuestionnaireResponse", "questionnaire": URL, "status": "completed",
            "item": [{"linkId": "step.lungs", "item": [
                {"linkId": "screen.lungs", "answer": [{"valueCoding": {"system": "urn:crampcare:code:answer", "code": "yes"}}]},
                {"linkId": "finding.chest_pain", "answer": [{"valueBoolean": True}]}]}]}
    QuestionnaireResponse.model_validate(only)
    proc = assess(only)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["triage"] == "emergency"
    # "Not sure", with no sign named, counts as the most urgent sign of the question.
    unsure = {**only, "item": [screen("lungs", "unsure")]}
    proc = assess(unsure)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["triage"] == "emergency"
    # Without an emergency, the missing answers are still an error that names them.
    calm = {**only, "item": [screen("lungs", "no")]}
    proc = assess(calm)
    assert proc.returncode == 2 and "age" in proc.stderr
