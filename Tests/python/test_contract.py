"""Every result the CLI prints passes the shared result schema; bad requests are refused cleanly."""
import json
import subprocess

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run, vignettes

VIGNETTES = vignettes()


LEVELS = ["self_care", "soon", "urgent", "emergency"]


@pytest.mark.parametrize("case", VIGNETTES, ids=[c["id"] for c in VIGNETTES])
def test_vignette_request_and_result_follow_the_contract(cli, request_schema, result_schema, case):
    jsonschema.validate(case["request"], request_schema)
    proc = run(cli, ["assess", "--json"], json.dumps(case["request"]))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    jsonschema.validate(result, result_schema)
    assert result["safetyNet"], "the safety net is never empty"
    # Never lower than expected; how many may be higher is the vignette check's limit.
    assert LEVELS.index(result["triage"]) >= LEVELS.index(case["expect"]["triage"])


def requests_from(schema):
    """A hypothesis strategy for valid requests, built from the schema's own enums and ranges."""
    props = schema["properties"]
    episode = props["episode"]["properties"]

    def codes(name):
        return st.lists(st.sampled_from(props[name]["items"]["enum"]), unique=True, max_size=6)

    episode_strategy = st.fixed_dictionaries(
        {
            "durationMinutes": st.one_of(st.integers(1, 10080), st.floats(0.01, 10080, allow_nan=False)),
            "muscles": st.lists(st.sampled_from(episode["muscles"]["items"]["enum"]), unique=True, min_size=1, max_size=4),
        },
        optional={
            "side": st.sampled_from(episode["side"]["enum"]),
            "onset": st.sampled_from(episode["onset"]["enum"]),
            "severity": st.integers(0, 10),
        },
    )
    base = st.fixed_dictionaries(
        {"age": st.integers(0, 120), "episode": episode_strategy},
        optional={
            "sex": st.sampled_from(props["sex"]["enum"]),
            "episodesLast30Days": st.integers(0, 10000),
            "findings": codes("findings"),
            "context": codes("context"),
            "conditions": codes("conditions"),
            "medications": codes("medications"),
            "negatives": codes("negatives"),
        },
    )

    def no_overlap(request):
        if "negatives" in request and "findings" in request:
            request["negatives"] = [n for n in request["negatives"] if n not in request["findings"]]
        return request

    return base.map(no_overlap)


@pytest.fixture(scope="module")
def generated(request_schema):
    return requests_from(request_schema)


def test_generated_requests_give_results_that_pass_the_schema(cli, request_schema, result_schema):
    strategy = requests_from(request_schema)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(request):
        jsonschema.validate(request, request_schema)
        proc = run(cli, ["assess", "--json"], json.dumps(request))
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        jsonschema.validate(result, result_schema)
        allowed = set(request.get("findings", []) + request.get("context", []) + request.get("conditions", [])
                      + request.get("medications", []) + request["episode"]["muscles"] + ["age", "durationMinutes"])
        if "onset" in request["episode"]:
            allowed.add(request["episode"]["onset"])
        if "episodesLast30Days" in request:
            allowed.add("episodesLast30Days")
        for key in ("redFlags", "alternatives", "factors"):
            for item in result[key]:
                assert set(item["because"]) <= allowed, (key, item)

    check()


def test_ndjson_streams_compact_results_one_per_line(cli, request_schema):
    lines = [json.dumps(c["request"]) for c in VIGNETTES]
    proc = run(cli, ["assess", "--ndjson"], "\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == len(lines)
    for case, line in zip(VIGNETTES, out):
        result = json.loads(line)
        assert LEVELS.index(result["triage"]) >= LEVELS.index(case["expect"]["triage"])
        assert all(set(item) == {"id"} for item in result["relief"] + result["prevention"] + result["safetyNet"])


BAD = [
    ("{", "", "malformed JSON"),
    ('{"age": 30}', "episode", "missing"),
    ('{"age": 30, "episode": {"durationMinutes": 2, "muscles": ["knee"]}}', "episode.muscles[0]", "quadriceps, hamstrings, calf, unsure"),
    ('{"age": -1, "episode": {"durationMinutes": 2, "muscles": ["calf"]}}', "age", "0 to 120"),
    ('{"age": 30, "episode": {"durationMinutes": 2, "muscles": ["calf"]}, "context": ["jogging"]}', "context[0]", "heavy_sweating"),
    ('{"age": 30, "episode": {"durationMinutes": 2, "muscles": ["calf"], "severity": 12}}', "episode.severity", "0 to 10"),
    ('{"age": 30, "episode": {"durationMinutes": 2, "muscles": ["calf"]}, "medications": ["atorvastatin"]}', "medications[0]", "statin"),
    ('"just a string"', "", "JSON object"),
]


@pytest.mark.parametrize("text,field,mention", BAD)
def test_bad_input_exits_2_with_the_field_and_no_output(cli, text, field, mention):
    proc = run(cli, ["assess", "--json"], text)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert field in proc.stderr and mention in proc.stderr, proc.stderr


def test_ndjson_reports_a_bad_line_by_number_and_carries_on(cli):
    good = '{"age": 30, "episode": {"durationMinutes": 2, "muscles": ["calf"]}}'
    bad = '{"age": 30, "episode": {"durationMinutes": 2, "muscles": ["elbow"]}}'
    proc = run(cli, ["assess", "--ndjson"], "\n".join([good, bad, "not json", good]) + "\n")
    assert proc.returncode == 2
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 4
    assert out[1]["line"] == 2 and out[1]["error"]["field"] == "episode.muscles[0]"
    assert out[2]["line"] == 3 and "malformed JSON" in out[2]["error"]["message"]
    assert out[3]["triage"] == "self_care"


def test_ndjson_survives_an_over_long_line(cli):
    good = '{"age": 30, "episode": {"durationMinutes": 2, "muscles": ["calf"]}}'
    huge = '{"age": 30, "pad": "' + "x" * (3 << 20) + '"}'
    proc = run(cli, ["assess", "--ndjson"], "\n".join([good, huge, good]) + "\n")
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [("error" in o) for o in out] == [False, True, False]
    assert out[1]["line"] == 2


def test_input_file(cli, tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(VIGNETTES[0]["request"]))
    proc = run(cli, ["assess", "--json", "--input", str(path)])
    assert proc.returncode == 0 and json.loads(proc.stdout)["triage"] == VIGNETTES[0]["expect"]["triage"]
    missing = run(cli, ["assess", "--json", "--input", str(tmp_path / "nope.json")])
    assert missing.returncode == 2 and "cannot open" in missing.stderr and missing.stdout == ""


def walk(schema, path=()):
    """Every (path, node) of a schema's properties, items and enums."""
    yield path, schema
    for key, child in schema.get("properties", {}).items():
        yield from walk(child, path + (key,))
    if isinstance(schema.get("items"), dict):
        yield from walk(schema["items"], path + ("[]",))


def test_the_projects_schemas_accept_every_shared_code_and_field(request_schema, shared_request_schema):
    ours = dict(walk(request_schema))
    for path, node in walk(shared_request_schema):
        assert path in ours, f"the project's request schema lacks {'.'.join(path)}"
        if "enum" in node:
            missing = set(node["enum"]) - set(ours[path].get("enum", []))
            assert not missing, f"{'.'.join(path)} lacks shared codes {sorted(missing)}"
        for bound in ("minimum", "maximum", "exclusiveMinimum", "type", "const"):
            if bound in node:
                assert ours[path].get(bound) == node[bound], f"{'.'.join(path)}: {bound} differs"
    # The copies, and /openapi.json's components, are the ones scripts/contracts writes.
    proc = subprocess.run([str(ROOT / "scripts" / "contracts"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_requests_with_the_projects_added_codes_are_accepted(cli, request_schema, shared_request_schema):
    added = sorted(set(request_schema["properties"]["findings"]["items"]["enum"])
                   - set(shared_request_schema["properties"]["findings"]["items"]["enum"]))
    assert added
    for code in added:
        request = {"age": 50, "episode": {"durationMinutes": 3, "muscles": ["calf"]}, "findings": [code]}
        jsonschema.validate(request, request_schema)
        proc = run(cli, ["assess", "--json"], json.dumps(request))
        assert proc.returncode == 0, (code, proc.stderr)
