"""Every optional episode detail (how bad it was, …) through every way in and out, found from the
product itself rather than listed here: the CSV header names them, and each must then be in the
OpenAPI document with its range, be set by `log` and `edit`, come back from the CSV and the JSON
backup, be asked on the web form and refused out of range by its own name. A new detail is
covered by this test without editing it."""
import http.cookiejar
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import CLI, run
from webserver import Server

FIXED = {"id", "started_at", "duration_seconds", "muscles", "side", "onset", "findings", "reliefs", "note", "duration_range", "safety_questions"}
OPENAPI = Path(__file__).resolve().parents[2] / "Sources" / "CrampServer" / "Web" / "openapi.json"


def cc(journal, *args, check=True):
    proc = run(str(CLI), list(args), None, env={"CRAMPCARE_DATABASE": journal, "TZ": "UTC"})
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def camel(name):
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def integer_range(schema):
    """The minimum and maximum of an integer property, also inside `anyOf` with null."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "integer":
            return option["minimum"], option["maximum"]
    raise AssertionError(f"not an integer property: {schema}")


@pytest.fixture(scope="module")
def details(tmp_path_factory):
    """(column, JSON key, flag, minimum, maximum) for each detail the product declares."""
    folder = tmp_path_factory.mktemp("header")
    cc(str(folder / "j.sqlite"), "export", "--format", "csv", "--out", str(folder / "csv"))
    header = (folder / "csv" / "episodes.csv").read_text().splitlines()[0].split(",")
    columns = [name for name in header if name not in FIXED]
    assert "severity" in columns, header
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    found = []
    for column in columns:
        key = camel(column)
        ranges = {name: integer_range(schemas[name]["properties"].get(key) or pytest.fail(f"{name} lacks {key}"))
                  for name in ("Episode", "EpisodeInput")}
        assert ranges["Episode"] == ranges["EpisodeInput"], (column, ranges)
        found.append((column, key, "--" + column.replace("_", "-"), *ranges["Episode"]))
    return found


def test_the_cli_sets_each_detail_and_the_files_keep_it(details, tmp_path):
    journal, target = str(tmp_path / "j.sqlite"), str(tmp_path / "copy.sqlite")
    for column, key, flag, low, high in details:
        logged = json.loads(cc(journal, "log", "--json", "--muscle", "calf", "--duration", "2m", flag, str(high)).stdout)["episode"]
        assert logged[key] == high
        cc(journal, "edit", logged["id"], flag, str(low))
        assert json.loads(cc(journal, "show", "--json", logged["id"]).stdout)[key] == low
        refused = cc(journal, "log", "--muscle", "calf", "--duration", "2m", flag, str(high + 1), check=False)
        assert refused.returncode != 0 and flag in refused.stderr and f"{low} to {high}" in refused.stderr, refused.stderr
    cc(journal, "export", "--format", "csv", "--out", str(tmp_path / "csv"))
    cc(target, "import", str(tmp_path / "csv" / "episodes.csv"))
    cc(journal, "export", "--format", "json", "--out", str(tmp_path / "backup.json"))
    restored = str(tmp_path / "restored.sqlite")
    cc(restored, "import", "--replace", "--yes", str(tmp_path / "backup.json"))
    for copy in (target, restored):
        episodes = json.loads(cc(copy, "history", "--json").stdout)
        for column, key, flag, low, high in details:
            assert [e[key] for e in episodes if key in e] == [low], (copy, key, episodes)


def test_the_web_form_and_the_api_take_each_detail(details, tmp_path):
    server = Server(str(tmp_path / "web.sqlite"))
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        for column, key, flag, low, high in details:
            # The night log saves the cramp; its full form (editing) asks every detail.
            night = opener.open(server.base + "/journal/new").read().decode()
            csrf = re.search(r'name="csrf" value="([^"]+)"', night).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "muscle[]": "calf", "duration": "1_to_5_min"}).encode()
            with opener.open(server.base + "/journal/new", data=body) as response:
                episode_id = re.search(r"/journal/([0-9a-f-]{36})", response.url).group(1)
            form = opener.open(server.base + f"/journal/{episode_id}/edit").read().decode()
            field = re.search(rf'<input[^>]*name="{key}"[^>]*>', form)
            assert field and f'min="{low}"' in field.group(0) and f'max="{high}"' in field.group(0), key
            body = urllib.parse.urlencode({"csrf": csrf, "muscle[]": "calf", "startedAt": "2026-03-01T22:15", "durationValue": "3",
                                           "durationUnit": "minutes", key: str(high)}).encode()
            opener.open(server.base + f"/journal/{episode_id}/edit", data=body).read()
            status, saved, _ = server.api("GET", f"/api/v1/episodes/{episode_id}")
            assert status == 200 and saved[key] == high
            status, problem, _ = server.api("POST", "/api/v1/episodes", {
                "startedAt": "2026-03-02T22:15:00Z", "durationSeconds": 60, "muscles": ["calf"], key: high + 1})
            assert status == 422 and key in json.dumps(problem), problem
    finally:
        server.stop()
