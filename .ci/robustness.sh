#!/usr/bin/env bash
# Attacks a running confab the cheap ways and checks it holds, printing what it
# measured:
#   1. slow and idle connections are closed in time: a half-sent head (answered 408),
#      a connection that sends nothing, an idle keep-alive connection (not before the
#      header timeout, by the idle timeout), a stalled and a trickling body (408);
#   2. 1,000 requests with made-up methods do not grow /metrics (one `other` label).
#
# Usage: .ci/robustness.sh PATH/TO/confab
# The server runs on a free loopback port with a temporary SQLite database and short
# timeouts (header 2 s, body 2 s, idle 4 s), and is stopped however this ends.
# Needs bash and python3 (standard library only).
set -euo pipefail
# shellcheck source=.ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

binary=$(realpath "$1")
with_scratch_dir robustness

export CONFAB_HTTP_HEADER_TIMEOUT_SECONDS=2
export CONFAB_HTTP_BODY_TIMEOUT_SECONDS=2
export CONFAB_HTTP_IDLE_TIMEOUT_SECONDS=4

section "robustness: start the server"
start_scratch_server "$binary" "$work" "${RUST_LOG:-warn}"

section "robustness: slow connections, made-up methods"
python3 - "$base" "$server_pid" <<'PY'
import socket
import sys
import time
import urllib.request

base, pid = sys.argv[1], sys.argv[2]
host, port = base.removeprefix("http://").split(":")
port = int(port)
HEADER, BODY, IDLE = 2, 2, 4
SLACK = 3  # seconds of scheduling slack allowed past a timeout
failures = []


def check(ok, message):
    print(("ok      " if ok else "FAILED  ") + message)
    if not ok:
        failures.append(message)


def connect():
    sock = socket.create_connection((host, port), timeout=IDLE + HEADER + 2 * SLACK)
    return sock


def until_closed(sock, started):
    """Reads until the server closes the connection or the socket times out; returns
    (seconds since `started`, the bytes read, whether the server closed it)."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return time.monotonic() - started, received, True
        except socket.timeout:
            return time.monotonic() - started, received, False
        if not chunk:
            return time.monotonic() - started, received, True
        received += chunk


def answered(answer):
    status = status_of(answer)
    return "no answer" if status is None else f"answered {status}"


def closed_after(seconds, closed):
    return f"closed after {seconds:.2f} s" if closed else f"STILL OPEN after {seconds:.2f} s"


def status_of(answer):
    line = answer.split(b"\r\n", 1)[0].split(b" ")
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


def is_shaped(answer, status, code):
    head, _, body = answer.partition(b"\r\n\r\n")
    return (status_of(answer) == status
            and b"content-type: application/json" in head.lower()
            and f'"code":"{code}"'.encode() in body.replace(b" ", b""))


def get(sock):
    sock.sendall(b"GET /health HTTP/1.1\r\nhost: confab\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    return answer


# A head begun and never finished: 408 in the error shape, then closed.
sock, started = connect(), time.monotonic()
sock.sendall(b"GET /health HTTP/1.1\r\nhost: confab\r\nx-slow: ")
seconds, answer, closed = until_closed(sock, started)
check(is_shaped(answer, 408, "request_timeout") and closed and seconds <= HEADER + SLACK,
      f"half-sent head: {answered(answer)}, {closed_after(seconds, closed)} "
      f"(header timeout {HEADER} s)")

# Nothing at all: closed without an answer.
sock, started = connect(), time.monotonic()
seconds, answer, closed = until_closed(sock, started)
check(answer == b"" and closed and seconds <= HEADER + SLACK,
      f"silent connection: {closed_after(seconds, closed)}, {len(answer)} bytes answered "
      f"(header timeout {HEADER} s)")

# An idle keep-alive connection: still usable after the header timeout, closed by
# the idle timeout.
sock = connect()
first = get(sock)
time.sleep(HEADER + 1)
second = get(sock)
check(status_of(first) == 200 and status_of(second) == 200,
      f"idle keep-alive connection: still serves after {HEADER + 1} s idle (> header timeout)")
started = time.monotonic()
seconds, answer, closed = until_closed(sock, started)
check(answer == b"" and closed and IDLE - 1 <= seconds <= IDLE + SLACK,
      f"idle keep-alive connection: {closed_after(seconds, closed)} idle (idle timeout {IDLE} s)")

# A body that stalls, and one that trickles a byte every 200 ms: 408 within the
# body timeout of the head.
body = b'{"login": "alice", "password": "correct horse battery"}'
head = (b"POST /api/v1/auth/login HTTP/1.1\r\nhost: confab\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n" % len(body))
for name, pause in (("stalled", None), ("trickling", 0.2)):
    sock, started = connect(), time.monotonic()
    sock.sendall(head + body[:10])
    if pause is not None:
        sock.settimeout(pause)
        answer = b""
        for byte in body[10:]:
            try:
                sock.sendall(bytes([byte]))
                answer += sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if answer:
                break
        sock.settimeout(IDLE + HEADER + 2 * SLACK)
    seconds, rest, closed = until_closed(sock, started)
    answer = (answer if pause is not None else b"") + rest
    check(is_shaped(answer, 408, "request_timeout") and closed and seconds <= BODY + SLACK,
          f"{name} body: {answered(answer)}, {closed_after(seconds, closed)} "
          f"(body timeout {BODY} s)")


# 1,000 made-up methods must not add series to /metrics.
def metrics_size():
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        return len(response.read())


def rss_kib():
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None


metrics_size()  # the scrape's own series exist from here on
before, rss_before = metrics_size(), rss_kib()
sock = connect()
for i in range(1000):
    method = f"MADEUP{i:04d}{'X' * 48}".encode()
    sock.sendall(method + b" /health HTTP/1.1\r\nhost: confab\r\n\r\n")
    answer = b""
    while not (b"\r\n\r\n" in answer and answer.endswith(b"}")):
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit(f"the server closed the connection at request {i}")
        answer += chunk
    if status_of(answer) != 405:
        raise SystemExit(f"made-up method {i}: {answer[:200]!r}")
sock.close()
after, rss_after = metrics_size(), rss_kib()
growth = after - before
check(growth <= 8 * 1024,
      f"/metrics: {before} bytes before, {after} after 1,000 made-up methods (+{growth}, bound 8 KiB)")
if rss_before and rss_after:
    print(f"info    server RSS: {rss_before} KiB before, {rss_after} KiB after the made-up methods")

if failures:
    raise SystemExit(f"{len(failures)} robustness check(s) failed")
PY
