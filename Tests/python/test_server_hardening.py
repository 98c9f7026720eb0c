"""The server against slow, large and odd requests, on a real socket: every answer bounded and
quick, the connection closed when it should be, and the next request still served."""
import json
import socket
import time
import urllib.parse

import pytest

from webserver import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(str(tmp_path_factory.mktemp("hardening") / "j.sqlite"), extra=["--idle-timeout", "2"])
    yield running
    assert running.stop() == 0


def raw(server, data, timeout=10):
    """Sends bytes on a new connection and reads until the server closes it or goes quiet."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as connection:
        connection.sendall(data)
        chunks = []
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


def head_of(response):
    lines = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    return int(lines[0].split()[1]), {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in lines[1:] if ":" in line}


def host(server):
    return f"127.0.0.1:{server.port}".encode()


def test_head_is_answered_as_get_without_a_body(server):
    for path in [b"/", b"/journal", b"/health", b"/learn"]:
        got = raw(server, b"HEAD " + path + b" HTTP/1.1\r\nHost: " + host(server) + b"\r\nConnection: close\r\n\r\n")
        status, headers = head_of(got)
        assert status == 200, (path, got[:200])
        assert got.endswith(b"\r\n\r\n"), "a HEAD answer carries no body"
        assert "content-security-policy" in headers


def test_two_host_headers_are_refused(server):
    got = raw(server, b"GET /health HTTP/1.1\r\nHost: " + host(server) + b"\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
    status, headers = head_of(got)
    assert status == 400 and "content-security-policy" in headers


def test_many_filters_are_refused_naming_the_query(server):
    for count, expected in [(100, 200), (101, 422), (500, 422), (1500, 414)]:
        query = "&".join(["muscle=calf"] * count)
        for path in ["/journal", "/api/v1/episodes"]:
            got = raw(server, f"GET {path}?{query} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode())
            status, _ = head_of(got)
            assert status == expected, (count, path, got[:300])
            if expected == 422:
                assert b"query" in got
    long = "q=" + "x" * 20000
    status, _ = head_of(raw(server, f"GET /learn/search?{long} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode()))
    assert status in (414, 431)


def post_form(server, path, body):
    return raw(server, b"POST " + path + b" HTTP/1.1\r\nHost: " + host(server) + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def test_no_answer_echoes_more_than_64_kib_of_its_input(server):
    big = "&".join(["context=hot_weather"] * 50000).encode()
    note = b"note=" + urllib.parse.quote("x" * 900_000).encode()
    for path, body in [(b"/day", big), (b"/journal/new", note), (b"/assess", big), (b"/profile", big)]:
        got = post_form(server, path, body[: (1 << 20) - 100])
        status, _ = head_of(got)
        assert status in (403, 413, 422), (path, status)
        assert len(got) < 64 << 10, (path, len(got))


def test_malformed_json_is_400_on_every_json_route(server):
    for method, path in [("POST", "/api/v1/assessments"), ("POST", "/api/v1/questionnaire-responses"), ("POST", "/api/v1/episodes"),
                         ("PUT", "/api/v1/episodes/6f1c3a52-8f2e-4c55-9b1e-3f4a5b6c7d8e"), ("PUT", "/api/v1/days/2026-03-01"),
                         ("PUT", "/api/v1/profile")]:
        got = raw(server, f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{{\"a\":".encode())
        status, _ = head_of(got)
        assert status == 400, (method, path, got[:300])


def test_a_member_named_empty_is_named(server):
    status, body, _ = server.api("POST", "/api/v1/assessments", {"": 1})
    assert status == 422 and '""' in body["detail"], body


def test_a_body_trickled_slowly_is_cut_off_and_others_are_served(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=40) as slow:
        slow.sendall(b"POST /api/v1/assessments HTTP/1.1\r\nHost: " + host(server) + b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        answer = b""
        while time.monotonic() - started < 35:
            try:
                slow.sendall(b" ")
            except OSError:
                break
            # The server still answers everyone else.
            status, _, _ = server.api("GET", "/health")
            assert status == 200
            slow.settimeout(1)
            try:
                chunk = slow.recv(4096)
                if not chunk:
                    break
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
            except socket.timeout:
                pass
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert elapsed < 30, elapsed


def test_idle_connections_are_closed(server):
    sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(200)]
    try:
        time.sleep(3.5)
        closed = 0
        for connection in sockets:
            try:
                closed += connection.recv(1) == b""
            except (ConnectionResetError, socket.timeout):
                closed += 1
        assert closed == len(sockets), f"{closed} of {len(sockets)} closed"
    finally:
        for connection in sockets:
            connection.close()
    assert server.api("GET", "/health")[0] == 200


def test_the_server_stayed_under_512_mib_through_all_of_the_above(server):
    peak = [line for line in open(f"/proc/{server.process.pid}/status") if line.startswith("VmHWM:")][0].split()[1]
    assert int(peak) < 512 * 1024, f"peak resident memory {int(peak) // 1024} MiB"


def test_a_request_head_trickled_slowly_is_closed_at_the_idle_timeout(server):
    """Slowloris: a byte of the head every half second never completes a request part."""
    connections = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(50)]
    started = time.monotonic()
    head = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-Slow: ".encode()
    open_ones = list(connections)
    for index in range(12):
        for connection in list(open_ones):
            try:
                connection.sendall(head[index:index + 1] if index < len(head) else b"a")
            except OSError:
                open_ones.remove(connection)
        time.sleep(0.5)
    for connection in list(open_ones):
        connection.settimeout(0.5)
        try:
            if connection.recv(1) == b"":
                open_ones.remove(connection)
        except (ConnectionResetError, BrokenPipeError):
            open_ones.remove(connection)
        except socket.timeout:
            pass
    for connection in connections:
        connection.close()
    assert not open_ones, f"{len(open_ones)} of 50 still open after {time.monotonic() - started:.1f} s"
    assert server.api("GET", "/health")[0] == 200
