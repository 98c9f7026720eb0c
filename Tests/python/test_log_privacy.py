"""No log line carries health data: the server is driven with records full of marked text, then
killed mid-request, and its whole log (stdout and stderr) is searched for any of it."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

from conftest import CLI
from webserver import free_port

CANARY = "canary7f3a"


def call(base, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_the_log_holds_no_health_data_even_when_killed_mid_request(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(CLI), "serve", "--hosted", "--insecure-cookies", "--password-cost", "4", "--port", str(port),
                                    "--database", str(tmp_path / "j.sqlite")], stdout=log, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, LOG_LEVEL="trace"))
    try:
        for _ in range(100):
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        email = f"{CANARY}@example.org"
        status, headers = call(base, "POST", "/api/v1/account", {"email": email, "password": f"{CANARY} long password"})
        assert status == 201
        cookie = {"Cookie": headers["Set-Cookie"].split(";")[0]}
        episode = {"startedAt": "2026-03-01T22:00:00Z", "durationSeconds": 61, "muscles": ["calf"], "note": f"{CANARY} night cramp",
                   "findings": ["calf_swelling"]}
        assert call(base, "POST", "/api/v1/episodes", episode, cookie)[0] == 201
        assert call(base, "PUT", "/api/v1/profile", {"birthYear": 1951, "medications": ["statin"], "region": "GB"}, cookie)[0] == 200
        # Bad input that the answer quotes back: the log must not.
        assert call(base, "POST", "/api/v1/episodes", dict(episode, muscles=[f"{CANARY}muscle"]), cookie)[0] == 422
        assert call(base, "GET", f"/api/v1/episodes?from={CANARY}", headers=cookie)[0] == 422
        assert call(base, "POST", "/api/v1/session", {"email": email, "password": f"{CANARY} wrong"})[0] == 401
        assert call(base, "POST", "/api/v1/assessments", {"age": 77, "episode": {"muscles": ["calf"], "durationMinutes": 3},
                                                          "findings": {"present": ["calf_swelling"]}, "note": CANARY})[0] in (200, 422)
        # A request cut off halfway, and the server killed while it is open.
        slow = socket.create_connection(("127.0.0.1", port))
        body = json.dumps(episode).encode()
        slow.sendall(b"POST /api/v1/episodes HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode() + b"\r\nContent-Type: application/json\r\n"
                     + b"Content-Length: " + str(len(body)).encode() + b"\r\n" + cookie["Cookie"].encode().join([b"Cookie: ", b"\r\n\r\n"])
                     + body[: len(body) // 2])
        time.sleep(0.5)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        slow.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log_path.read_text(errors="replace")
    assert "request" in text, "the log was written at all"
    for secret in [CANARY, "1951", "statin", "calf_swelling", "night cramp", "example.org"]:
        assert secret not in text, f"{secret!r} is in the log:\n" + "\n".join(line for line in text.splitlines() if secret in line)[:2000]
