"""Starts `crampcare serve` for a test: a free port, its own journal, stopped (SIGTERM) afterwards."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from conftest import CLI


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database, hosted=False, port=None, extra=()):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [str(CLI), "serve", "--port", str(self.port), "--database", database]
        if hosted:
            args += ["--hosted", "--password-cost", "4", "--insecure-cookies"]
        self.log = open(os.devnull, "w")
        self.process = subprocess.Popen(args + list(extra), stdout=self.log, stderr=subprocess.PIPE, text=True,
                                        env=dict(os.environ, LOG_LEVEL="warning"))
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"crampcare serve exited: {self.process.stderr.read()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("crampcare serve did not answer /health within 30 s")
            time.sleep(0.1)

    def api(self, method, path, body=None, headers=None):
        """One API call; returns (status, parsed JSON or text, headers)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                status, got = response.status, response.headers
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, error.headers
        try:
            return status, json.loads(raw) if raw else None, got
        except ValueError:
            return status, raw.decode(), got

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode
