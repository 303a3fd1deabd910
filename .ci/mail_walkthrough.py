"""Walks every mail flow against a running confab that writes mails to a directory.

Usage: python3 .ci/mail_walkthrough.py BASE_URL MAIL_DIR SERVER_LOG [ROUNDS]

Registers users, confirms their addresses with the link from the .eml file, resets
their passwords through forgot -> mail in the directory -> reset, and prints the
reset flow's latency (median and max over ROUNDS users). Exits non-zero on any
unexpected answer. Standard library only.
"""

import json
import os
import quopri
import re
import statistics
import sys
import time
import urllib.error
import urllib.request

BASE, MAIL_DIR, LOG = sys.argv[1], sys.argv[2], sys.argv[3]
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 5
PASSWORD = "correct horse battery"


def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "null")


def expect(status, wanted, what):
    if status != wanted:
        sys.exit(f"FAILED: {what}: status {status}, expected {wanted}")


def mails():
    if not os.path.isdir(MAIL_DIR):
        return []
    return sorted(name for name in os.listdir(MAIL_DIR) if name.endswith(".eml"))


def wait_for_link(address, page, seen):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for name in mails():
            if name in seen:
                continue
            with open(os.path.join(MAIL_DIR, name), "rb") as file:
                text = quopri.decodestring(file.read()).decode("utf-8", "replace")
            match = re.search(r"/" + page + r"\?token=([0-9a-f]{64})", text)
            if f"To: {address}" in text and match:
                seen.add(name)
                return match.group(1)
        time.sleep(0.005)
    sys.exit(f"FAILED: no {page} mail to {address} in {MAIL_DIR}")


seen = set()
latencies = []
for round_ in range(ROUNDS):
    name = f"walker{round_}"
    address = f"{name}@example.com"
    status, body = call("POST", "/api/v1/auth/register",
                        {"username": name, "email": address, "password": PASSWORD})
    expect(status, 201, "register")
    access = body["tokens"]["access_token"]
    token = wait_for_link(address, "verify-email", seen)
    status, me = call("POST", "/api/v1/auth/email/confirm", {"token": token})
    expect(status, 200, "confirm")
    assert me["email_verified"] is True, me
    status, _ = call("POST", "/api/v1/auth/email/confirm", {"token": token})
    expect(status, 400, "confirm twice")

    started = time.monotonic()
    status, answer = call("POST", "/api/v1/auth/password/forgot", {"email": address})
    expect(status, 202, "forgot")
    token = wait_for_link(address, "reset-password", seen)
    mailed = time.monotonic()
    status, _ = call("POST", "/api/v1/auth/password/reset",
                     {"token": token, "new_password": "a brand new passphrase"})
    expect(status, 204, "reset")
    done = time.monotonic()
    latencies.append((mailed - started, done - started))
    status, _ = call("GET", "/api/v1/me", token=access)
    expect(status, 401, "old session after reset")
    status, _ = call("POST", "/api/v1/auth/login",
                     {"login": name, "password": "a brand new passphrase"})
    expect(status, 200, "login with the new password")

with open(LOG, encoding="utf-8", errors="replace") as file:
    log = file.read()
if "mail written to the outbox directory" not in log or "reset-password?token=" not in log:
    sys.exit("FAILED: the server log does not show the mails' links at info")

to_mail = [m for m, _ in latencies]
total = [t for _, t in latencies]
print(f"mail flows ok for {ROUNDS} users; {len(mails())} mails in {MAIL_DIR}")
print(f"reset flow: forgot -> mail in the directory median {statistics.median(to_mail)*1000:.0f} ms "
      f"(max {max(to_mail)*1000:.0f} ms); forgot -> reset done median "
      f"{statistics.median(total)*1000:.0f} ms (max {max(total)*1000:.0f} ms)")
