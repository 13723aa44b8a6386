#!/usr/bin/env python3
"""`make chaos`: a fault drill against the running `make dev` stack. Prints what held.

1. The emulator (DynamoDB, S3, SES) freezes mid-traffic (SIGSTOP on moto) for 8 s while a
   contact posts messages and reads four pages (one caller per function): every answer must
   be JSON, a 503 or a success, within 5 s. When it thaws: every post that was answered 201 is in the thread exactly once, and
   no message is half-written (each has its activity-feed entry, written in the same
   transaction).
2. Harvest stops answering (SIGSTOP on the fake Harvest: it hangs, the worse case) once
   invoices are cached and the copy is expired: invoices still answer 200, marked
   `stale: true`, within Harvest's timeout; when Harvest is back, the next fetch is fresh.

Signs in alice@northwind.example once (a magic link from the dev mailbox).
"""

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import boto3
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STACK = os.environ.get("STACK_DIR", os.path.join(ROOT, ".dev"))
ENV = {}
for line in open(os.path.join(STACK, "env")):
    if "=" in line and not line.startswith("#"):
        key, value = line.rstrip("\n").split("=", 1)
        ENV[key] = value.strip('"')
BASE = f"http://127.0.0.1:{ENV['WEB_PORT']}"
# stack.sh starts, in order: moto, the fake Harvest, cargo lambda, the drain loop, vite.
PIDS = [int(p) for p in open(os.path.join(STACK, "pids")).read().split()]
MOTO_PID, HARVEST_PID = PIDS[0], PIDS[1]
LIMIT_S = 5.0
results = []


def check(name, ok, detail=""):
    results.append((name, ok))
    print(f"  {'held' if ok else 'FAILED'}: {name}" + (f" ({detail})" if detail else ""), flush=True)


def call(session, method, path, **kwargs):
    started = time.monotonic()
    try:
        response = session.request(method, BASE + path, timeout=30, **kwargs)
    except requests.RequestException as error:
        return {"status": None, "elapsed": time.monotonic() - started, "json": None, "error": str(error)}
    try:
        body = response.json()
    except ValueError:
        body = None
    return {"status": response.status_code, "elapsed": time.monotonic() - started, "json": body}


def sign_in():
    cookie = subprocess.run(
        [os.path.join(ROOT, "scripts/session-cookie.sh"), STACK, "alice@northwind.example"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    if not cookie:
        sys.exit("could not sign in (is `make dev` running? five sign-ins per address per 15 minutes)")
    session = requests.Session()
    session.headers.update({"Cookie": cookie, "Origin": ENV["PUBLIC_URL"], "Content-Type": "application/json"})
    return session


def table():
    return boto3.resource(
        "dynamodb", endpoint_url=ENV["AWS_ENDPOINT_URL"], region_name=ENV["AWS_REGION"],
        aws_access_key_id="test", aws_secret_access_key="test",
    ).Table(ENV["TABLE_NAME"])


def client_partition(db, client_id):
    items, start = [], None
    while True:
        kwargs = {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": f"CLIENT#{client_id}"}, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = db.query(**kwargs)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def emulator_freeze(session, client_id):
    print("\n== 1. The emulator freezes for 8 s mid-traffic")
    run = uuid.uuid4().hex[:8]
    answers = []
    stop = time.monotonic() + 13
    counter = iter(range(10_000))

    # One caller per function: the emulator runs one instance of each function, so two callers
    # of the same one would queue behind each other (in AWS each gets an instance of its own).
    def poster():
        done = []
        while time.monotonic() < stop:
            body = f"chaos {run} #{next(counter)}"
            done.append(("post", body, call(session, "POST", "/api/messages", data=json.dumps({"body": body}))))
        return done

    def reader(path):
        def loop():
            done = []
            while time.monotonic() < stop:
                done.append(("read", path, call(session, "GET", path)))
                time.sleep(0.1)
            return done
        return loop

    callers = [poster, reader("/api/dashboard"), reader("/api/projects"), reader("/api/me"), reader("/api/notifications")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(callers)) as pool:
        futures = [pool.submit(caller) for caller in callers]
        time.sleep(2)
        os.kill(MOTO_PID, signal.SIGSTOP)
        time.sleep(8)
        os.kill(MOTO_PID, signal.SIGCONT)
        answers = [answer for f in futures for answer in f.result()]

    statuses = {}
    for _, _, answer in answers:
        statuses[answer["status"]] = statuses.get(answer["status"], 0) + 1
    print(f"  answers: {dict(sorted(statuses.items(), key=lambda kv: str(kv[0])))}")
    check("every answer is JSON", all(a["json"] is not None for _, _, a in answers))
    check("every answer is a success or a 503", all(a["status"] in (200, 201, 503) for _, _, a in answers))
    check("some answers were 503 (the outage was seen)", statuses.get(503, 0) > 0)
    slowest = max(a["elapsed"] for _, _, a in answers)
    check(f"every answer within {LIMIT_S:.0f} s", slowest <= LIMIT_S, f"slowest {slowest:.2f} s")
    unavailable = [a["json"] for _, _, a in answers if a["status"] == 503]
    check("503s say the service is unavailable", all(b and b.get("error", {}).get("code") for b in unavailable))

    time.sleep(2)
    db = table()
    items = client_partition(db, client_id)
    messages = [i for i in items if str(i.get("SK", "")).startswith("MESSAGE#") and f"chaos {run}" in str(i.get("body", ""))]
    bodies = [m["body"] for m in messages]
    created = [body for kind, body, a in answers if kind == "post" and a["status"] == 201]
    check("every post answered 201 is in the thread", all(body in bodies for body in created), f"{len(created)} answered 201")
    check("no post is in the thread twice", len(bodies) == len(set(bodies)), f"{len(bodies)} stored")
    subjects = {str(i.get("subject_id")) for i in items if str(i.get("SK", "")).startswith("ACTIVITY#")}
    half = [m["SK"] for m in messages if m["SK"].split("#", 1)[1] not in subjects]
    check("no message without its activity entry (nothing half-written)", not half, f"{len(half)} half-written")
    after = call(session, "GET", "/api/messages?limit=5")
    check("the portal answers again after the thaw", after["status"] == 200)


def harvest_down(session, client_id):
    print("\n== 2. Harvest stops answering")
    first = call(session, "GET", "/api/invoices")
    check("invoices answer before the outage", first["status"] == 200 and first["json"]["stale"] is False)
    os.kill(HARVEST_PID, signal.SIGSTOP)
    try:
        # Expire the copy as the portal does when Harvest says it changed (`expire_cache`:
        # fetched_at 0), so the next view asks Harvest, which does not answer.
        table().update_item(
            Key={"PK": f"CLIENT#{client_id}", "SK": "INVOICES"},
            UpdateExpression="SET fetched_at = :zero",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":zero": 0},
        )
        down = call(session, "GET", "/api/invoices")
        check("invoices still answer 200 while Harvest is down", down["status"] == 200, f"{down['status']}")
        check("marked stale", bool(down["json"]) and down["json"].get("stale") is True)
        # Harvest's own request timeout is 5 s; the function's is 15 s.
        check("within Harvest's timeout and a margin (8 s)", down["elapsed"] <= 8, f"{down['elapsed']:.2f} s")
    finally:
        os.kill(HARVEST_PID, signal.SIGCONT)
    fresh = None
    for _ in range(10):
        fresh = call(session, "GET", "/api/invoices")
        if fresh["status"] == 200 and fresh["json"]["stale"] is False:
            break
        time.sleep(1)
    check("fresh again once Harvest is back", fresh["status"] == 200 and fresh["json"]["stale"] is False)


def main():
    session = sign_in()
    me = call(session, "GET", "/api/me")
    if me["status"] != 200:
        sys.exit(f"/api/me answered {me['status']}")
    client_id = me["json"]["client"]["id"]
    try:
        emulator_freeze(session, client_id)
        harvest_down(session, client_id)
    finally:
        for pid in (MOTO_PID, HARVEST_PID):
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
    failed = [name for name, ok in results if not ok]
    print(f"\n== {len(results) - len(failed)} of {len(results)} held" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
