#!/usr/bin/env python3
"""Monthly AWS cost of the portal for an agency with N client companies: `make cost`.

Every input is written out below: the measured figures (from `make bench`, bench/README.md),
the usage assumed per client company, and AWS list prices (us-east-1, x86_64, on-demand; no
free tier counted). Change a line and run it again; it prints a Markdown table.

Running cost (what the portal itself costs) and the agency's files (storage and downloads,
which follow how much the agency shares, not the portal) are shown apart.
"""

import argparse

# --- AWS list prices, us-east-1 (checked 2026-12; no free tier) ---------------------------------
PRICE = {
    "lambda_request": 0.20 / 1e6,            # per invocation
    "lambda_gb_second": 0.0000166667,        # x86_64; INIT is billed too since 2025-08
    "http_api_request": 1.00 / 1e6,          # first 300 M a month
    "dynamodb_rru": 0.125 / 1e6,             # on-demand read request unit
    "dynamodb_wru": 0.625 / 1e6,             # on-demand write request unit
    "dynamodb_gb_month": 0.25,
    "dynamodb_pitr_gb_month": 0.20,
    "ses_mail": 0.10 / 1000,
    "scheduler_invocation": 1.00 / 1e6,      # EventBridge Scheduler
    "cloudfront_request": 0.0100 / 10000,    # HTTPS, North America
    "cloudfront_gb": 0.085,
    "cloudwatch_alarm_metric": 0.10,         # per metric in an alarm, a month
    "cloudwatch_custom_metric": 0.30,        # per metric a month (the EMF outbox age)
    "cloudwatch_logs_gb": 0.50,              # ingestion
    "s3_gb_month": 0.023,
    "s3_get": 0.0004 / 1000,
    "s3_put": 0.005 / 1000,
    "s3_transfer_gb": 0.09,                  # to the internet (presigned downloads)
}

# --- measured (make bench; bench/README.md "Measured") -----------------------------------------
MEASURED = {
    # Items a request reads, counted by the bench's SDK interceptor (access check included):
    # project 8, project list 12, messages 12, dashboard 16 (first page, demo-sized client).
    "items_per_read_request": (8 + 12 + 12 + 16) / 4,
    # Warm p50 through the handler on the emulator (10.6-22.2 ms); DynamoDB answers faster than
    # moto, so this is an upper figure.
    "warm_ms": 16.0,
    # Cold start: exec -> first response 3.6-4.0 ms against a Runtime API stub; AWS adds its
    # own sandbox set-up, ~40 ms billed INIT is assumed here.
    "cold_init_ms": 40.0,
    "memory_gb": 256 / 1024,                 # template.yaml Globals
}

# --- assumed usage per client company a month -------------------------------------------------
USAGE = {
    "contacts": 3,
    "visits_per_contact": 8,                 # sign-ins (a magic link each)
    "pages_per_visit": 10,
    "api_requests_per_page": 2.5,            # the page's data, the session, the bell now and then
    "staff_api_requests": 300,               # the agency's side, for this client
    "writes": 60,                            # messages, reviews, milestones, uploads recorded
    "wru_per_write": 8,                      # item + activity/outbox + audit, in a transaction (2x)
    "wru_per_sign_in": 10,                   # token, session, rate-limit counters (transaction)
    "notification_mails": 20,                # batched and digested
    "cold_share": 0.3,                       # invocations that start an instance (low traffic)
    "stored_items": 400,
    "item_kb": 1.0,
    "web_kb_per_visit": 350,                 # the app's first load (gzip), then cached
    "log_kb_per_request": 0.6,               # one JSON line or two
    # the agency's files (shown apart)
    "files_gb_stored": 2.0,
    "files_gb_downloaded": 1.0,
    "file_downloads": 40,
    "file_uploads": 10,
}

# Fixed a month, whatever the number of clients.
DRAIN_RUNS = 60 * 24 * 30                     # every minute
DRAIN_RRU = 4                                 # outbox, mail queue, billing watch leases
DRAIN_MS = 120.0                              # assumed: a few queries, usually nothing to send
ALARM_METRICS = 2 + 2 + 1 + 1 + 1 + 2         # API 5xx+count, table reads+writes, bounce, complaint, outbox, Lambda sums
CUSTOM_METRICS = 1                            # ClientPortal/OutboxAgeSeconds


def monthly(clients: int) -> dict:
    u, m, p = USAGE, MEASURED, PRICE
    sign_ins = clients * u["contacts"] * u["visits_per_contact"]
    client_requests = sign_ins * u["pages_per_visit"] * u["api_requests_per_page"]
    requests = client_requests + clients * u["staff_api_requests"]
    seconds = requests * (m["warm_ms"] + u["cold_share"] * m["cold_init_ms"]) / 1000
    drain_seconds = DRAIN_RUNS * DRAIN_MS / 1000
    lambda_cost = (requests + DRAIN_RUNS) * p["lambda_request"] + (seconds + drain_seconds) * m["memory_gb"] * p["lambda_gb_second"]

    rru = requests * m["items_per_read_request"] * 0.5 + DRAIN_RUNS * DRAIN_RRU
    wru = clients * u["writes"] * u["wru_per_write"] + sign_ins * u["wru_per_sign_in"]
    table_gb = clients * u["stored_items"] * u["item_kb"] / 1024 / 1024
    dynamo = rru * p["dynamodb_rru"] + wru * p["dynamodb_wru"] + table_gb * (p["dynamodb_gb_month"] + p["dynamodb_pitr_gb_month"])

    mails = sign_ins + clients * u["notification_mails"]
    web_gb = sign_ins * u["web_kb_per_visit"] / 1024 / 1024
    cloudfront = (requests + sign_ins * 3) * p["cloudfront_request"] + web_gb * p["cloudfront_gb"]
    logs_gb = (requests + DRAIN_RUNS) * u["log_kb_per_request"] / 1024 / 1024
    monitoring = ALARM_METRICS * p["cloudwatch_alarm_metric"] + CUSTOM_METRICS * p["cloudwatch_custom_metric"]

    running = {
        "Lambda": lambda_cost,
        "API Gateway (HTTP API)": requests * p["http_api_request"],
        "DynamoDB (on-demand, PITR)": dynamo,
        "SES": mails * p["ses_mail"],
        "EventBridge Scheduler": DRAIN_RUNS * p["scheduler_invocation"],
        "CloudFront": cloudfront,
        "CloudWatch Logs": logs_gb * p["cloudwatch_logs_gb"],
    }
    files = {
        "S3 storage (files, versions)": clients * u["files_gb_stored"] * p["s3_gb_month"],
        "S3 downloads (transfer + GET)": clients * (u["files_gb_downloaded"] * p["s3_transfer_gb"] + u["file_downloads"] * p["s3_get"]),
        "S3 uploads (PUT, parts)": clients * u["file_uploads"] * 4 * p["s3_put"],
    }
    return {"requests": requests, "mails": mails, "running": running, "monitoring": monitoring, "files": files}


def money(x: float) -> str:
    return f"${x:,.2f}" if x >= 0.995 else f"${x:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50, 500])
    args = parser.parse_args()
    rows = {n: monthly(n) for n in args.clients}
    head = "| a month | " + " | ".join(f"{n} clients" for n in args.clients) + " |"
    print(head)
    print("|---|" + "---:|" * len(args.clients))
    print("| API requests | " + " | ".join(f"{rows[n]['requests']:,.0f}" for n in args.clients) + " |")
    print("| mails | " + " | ".join(f"{rows[n]['mails']:,.0f}" for n in args.clients) + " |")
    for service in rows[args.clients[0]]["running"]:
        print(f"| {service} | " + " | ".join(money(rows[n]["running"][service]) for n in args.clients) + " |")
    running = {n: sum(rows[n]["running"].values()) for n in args.clients}
    print("| **running cost** | " + " | ".join(f"**{money(running[n])}**" for n in args.clients) + " |")
    print(f"| CloudWatch alarms ({ALARM_METRICS} metrics) + the outbox metric | " + " | ".join(money(rows[n]["monitoring"]) for n in args.clients) + " |")
    print("| **with monitoring** | " + " | ".join(f"**{money(running[n] + rows[n]['monitoring'])}**" for n in args.clients) + " |")
    for item in rows[args.clients[0]]["files"]:
        print(f"| {item} | " + " | ".join(money(rows[n]["files"][item]) for n in args.clients) + " |")
    print("| **the agency's files** | " + " | ".join(f"**{money(sum(rows[n]['files'].values()))}**" for n in args.clients) + " |")
    per_client = {n: running[n] / n for n in args.clients}
    print("\nRunning cost per client company: " + ", ".join(f"{money(per_client[n])} at {n}" for n in args.clients) + ".")
    print(f"Fixed whatever the size: the drain's {DRAIN_RUNS:,} runs and {ALARM_METRICS} alarm metrics.")


if __name__ == "__main__":
    main()
