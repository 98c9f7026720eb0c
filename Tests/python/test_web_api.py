"""The HTTP API against its own OpenAPI document with schemathesis (every operation, examples,
coverage and fuzzing phases): no server error, and every response's status, content type,
headers and body as the document says; requests the document forbids are refused. Run on a
personal server and on a hosted one with an API token. Plus two hosted instances on one
PostgreSQL database."""
import json
import os
import shutil
import signal
import subprocess
import urllib.request
import threading
import time

import pytest

from conftest import POSTGRES, fresh_postgres_database
from webserver import Server

ST = shutil.which("st") or shutil.which("schemathesis")
if os.environ.get("CI") == "true" and not ST:
    raise RuntimeError("schemathesis is not installed: the test command installs it from Tests/python/requirements.txt")

# positive_data_acceptance is left out on purpose: the journal's rules (a sign is either present
# or denied, a known time zone, sitting plus sleep within 24 hours) are stricter than JSON Schema can say.
CHECKS = ",".join(["not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
                   "response_headers_conformance", "negative_data_rejection"])


def schemathesis(server, *extra):
    for seed in ["1", "2"]:
        command = [ST, "run", server.base + "/openapi.json", "--phases", "examples,coverage,fuzzing", "-n", "30",
                   "--checks", CHECKS, "-w", "2", "--seed", seed, *extra]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        # hypothesis sometimes crashes describing one of its own strategies (a "Runtime Error"
        # with every generated case passed): that is the tool, not the API, so run once more.
        tool_crash = "Runtime Error" in result.stdout and "Failures:" not in result.stdout
        if not tool_crash:
            break
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout


@pytest.mark.skipif(not ST, reason="schemathesis is not installed")
def test_schemathesis_personal(tmp_path):
    server = Server(str(tmp_path / "journal.sqlite"))
    try:
        schemathesis(server)
    finally:
        assert server.stop() == 0


@pytest.mark.skipif(not ST, reason="schemathesis is not installed")
@pytest.mark.parametrize("scope", ["full", "read", "log"])
def test_schemathesis_hosted_with_each_token_scope(tmp_path, scope):
    """Every operation with each scope's token: no server error, and every answer documented."""
    server = Server(str(tmp_path / "hosted.sqlite"), hosted=True)
    try:
        status, account, headers = server.api("POST", "/api/v1/account", {"email": "fuzz@example.org", "password": "a long fuzzing password"})
        assert status == 201
        cookie = headers["Set-Cookie"].split(";")[0]
        status, token, _ = server.api("POST", "/api/v1/account/tokens", {"label": "schemathesis", "scope": scope, "days": 7}, headers={"Cookie": cookie})
        assert status == 201 and token["scope"] == scope
        schemathesis(server, "-H", f"Authorization: Bearer {token['token']}")
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("scope", ["read", "log"])
def test_every_operation_a_scope_may_not_use_is_refused(tmp_path, scope):
    """Each operation in the OpenAPI document, called with a narrow token: 403 where the scope
    does not reach, never a write that went through."""
    server = Server(str(tmp_path / "hosted.sqlite"), hosted=True)
    try:
        status, _, headers = server.api("POST", "/api/v1/account", {"email": "scope@example.org", "password": "a long scoped password"})
        cookie = {"Cookie": headers["Set-Cookie"].split(";")[0]}
        status, token, _ = server.api("POST", "/api/v1/account/tokens", {"label": scope, "scope": scope}, headers=cookie)
        bearer = {"Authorization": f"Bearer {token['token']}"}
        document = json.loads(urllib.request.urlopen(server.base + "/openapi.json").read())
        allowed = {"read": lambda method, path: method == "GET" or path in ("/api/v1/assessments", "/api/v1/questionnaire-responses"),
                   "log": lambda method, path: (method, path) in {("POST", "/api/v1/episodes"), ("PUT", "/api/v1/episodes/{id}"),
                                                                  ("POST", "/api/v1/assessments"), ("POST", "/api/v1/questionnaire-responses")}}[scope]
        checked = 0
        for path, operations in document["paths"].items():
            if not path.startswith("/api/v1/") or path == "/api/v1/session":
                continue
            for method in operations:
                if method not in ("get", "post", "put", "delete"):
                    continue
                concrete = path.replace("{id}", "6f1c3a52-8f2e-4c55-9b1e-3f4a5b6c7d8e").replace("{date}", "2026-03-01")
                status, _, _ = server.api(method.upper(), concrete, {} if method in ("post", "put") else None, headers=bearer)
                checked += 1
                assert status < 500, (method, path, status)
                # Account changes need a session whatever the scope.
                account_change = path.startswith("/api/v1/account") and (method != "get" or path == "/api/v1/account/tokens")
                if account_change or not allowed(method.upper(), path):
                    assert status == 403, (scope, method, path, status)
        assert checked > 20
        # Nothing was written: the journal is as empty as it began.
        status, exported, _ = server.api("GET", "/api/v1/export", headers=cookie)
        assert status == 200 and exported["episodes"] == [] and exported["dayLogs"] == []
    finally:
        assert server.stop() == 0


@pytest.mark.skipif(not POSTGRES, reason="the test command starts PostgreSQL")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_two_hosted_instances_share_one_postgres_and_lose_no_acknowledged_write(stop_signal):
    database = fresh_postgres_database("w")
    first = Server(database, hosted=True)
    second = Server(database, hosted=True)
    try:
        status, _, headers = first.api("POST", "/api/v1/account", {"email": "two@example.org", "password": "one database, two servers"})
        assert status == 201
        cookie = {"Cookie": headers["Set-Cookie"].split(";")[0]}
        # A session made by one instance is honoured by the other: nothing lives in an instance.
        status, created, _ = first.api("POST", "/api/v1/episodes", {"startedAt": "2026-03-01T22:00:00Z", "durationSeconds": 60, "muscles": ["calf"]}, cookie)
        assert status == 201
        status, read, _ = second.api("GET", f"/api/v1/episodes/{created['id']}", headers=cookie)
        assert status == 200 and read == created
        # Sign-in failures counted by one instance lock the account on the other.
        for server in [first, second, first, second, first]:
            assert server.api("POST", "/api/v1/session", {"email": "two@example.org", "password": "wrong wrong wrong"})[0] == 401
        assert second.api("POST", "/api/v1/session", {"email": "two@example.org", "password": "one database, two servers"})[0] == 429

        # Writers on both instances; the first is stopped (SIGTERM, or killed with SIGKILL)
        # mid-load. Every write that was acknowledged with 201 must be readable afterwards.
        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def writer(server, tag):
            index = 0
            while not stop.is_set():
                index += 1
                body = {"startedAt": f"2026-04-01T{index % 24:02d}:{index % 60:02d}:00Z", "durationSeconds": 30 + index % 500,
                        "muscles": ["hamstrings"], "note": f"{tag}-{index}"}
                try:
                    status, episode, _ = server.api("POST", "/api/v1/episodes", body, cookie)
                except OSError:
                    continue
                if status == 201:
                    with lock:
                        acknowledged.append(episode["id"])

        threads = [threading.Thread(target=writer, args=(server, tag)) for server, tag in [(first, "a"), (second, "b"), (first, "c"), (second, "d")]]
        for thread in threads:
            thread.start()
        time.sleep(2)
        code = first.stop(stop_signal)
        assert code == (0 if stop_signal == signal.SIGTERM else -signal.SIGKILL), code
        time.sleep(1)
        stop.set()
        for thread in threads:
            thread.join()
        assert len(acknowledged) > 50
        status, page, _ = second.api("GET", "/api/v1/episodes?limit=500&muscle=hamstrings", headers=cookie)
        seen = {episode["id"] for episode in page["episodes"]}
        next_cursor = page["next"]
        while next_cursor:
            status, page, _ = second.api("GET", f"/api/v1/episodes?limit=500&muscle=hamstrings&after={next_cursor}", headers=cookie)
            seen |= {episode["id"] for episode in page["episodes"]}
            next_cursor = page["next"]
        missing = set(acknowledged) - seen
        assert not missing, f"{len(missing)} acknowledged writes lost"
    finally:
        first.stop()
        second.stop()


def _totp(secret):
    import base64, hashlib, hmac, struct, time
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


@pytest.mark.skipif(not ST, reason="schemathesis is not installed")
@pytest.mark.parametrize("role", ["clinician", "carer", "stranger"])
def test_schemathesis_over_the_sharing_operations_for_each_role(tmp_path, role):
    """The sharing operations (invitations, grants, the trail, the patient list and a patient's
    cramps) with the session of a clinician holding a view grant, a carer holding a log grant, and
    an account with no grant: no server error, every answer as documented."""
    server = Server(str(tmp_path / "hosted.sqlite"), hosted=True)
    try:
        def account(email):
            status, _, headers = server.api("POST", "/api/v1/account", {"email": email, "password": "a long fuzzing password"})
            assert status == 201
            return {"Cookie": headers["Set-Cookie"].split(";")[0]}
        person = account("person@example.org")
        assert server.api("POST", "/api/v1/episodes", {"startedAt": "2026-11-30T03:10:00+00:00", "durationSeconds": 60, "muscles": ["calf"]}, headers=person)[0] == 201
        actor = account(role + "@example.org")
        status, started, _ = server.api("POST", "/api/v1/account/second-factor", headers=actor)
        assert status == 201
        assert server.api("PUT", "/api/v1/account/second-factor", {"code": _totp(started["secret"])}, headers=actor)[0] == 204
        if role != "stranger":
            status, made, _ = server.api("POST", "/api/v1/invitations", {"scope": "view" if role == "clinician" else "log", "name": "P"}, headers=person)
            status, grant, _ = server.api("POST", "/api/v1/invitations/accept", {"code": made["code"], "name": role}, headers=actor)
            assert status == 201
            assert server.api("POST", f"/api/v1/grants/{grant['id']}/confirm", headers=person)[0] == 204
        schemathesis(server, "-H", f"Cookie: {actor['Cookie']}", "--include-path-regex", "^/api/v1/(invitations|grants|audit|patients)")
        # Nothing of the person's changed (the run may end the grant it holds: a holder may leave).
        status, episodes, _ = server.api("GET", "/api/v1/episodes", headers=person)
        assert status == 200 and len(episodes["episodes"]) == 1
    finally:
        assert server.stop() == 0
