"""Turn the measurements into one Markdown report: a budget table first, then each section's detail."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.env import ROOT


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    commit = ""
    with contextlib.suppress(OSError):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()} ({platform.machine()}); "
        f"Python {platform.python_version()}; tree at commit {commit or '?'} plus uncommitted work"
    )


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}" if value >= 0.0995 else f"{value * 1000:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


INIT_BUDGET, TOTAL_BUDGET = 1.25, 1.4  # issue 13: x the floor's init, x the floor's whole cold start


def cold_failures(cold: dict[str, Any]) -> list[str]:
    """The rows whose first request did not answer 2xx (or whose run broke): `python -m bench` exits 1 on any."""
    return [f"{t.name}: {t.error}" for t in cold["targets"] if t.error]


def _cold_budgets(cold: dict[str, Any]) -> list[list[Any]]:
    targets = {t.name: t for t in cold["targets"]}
    floor = targets.get("floor")
    f_init, f_total = (floor.median("init"), floor.median("total")) if floor else (None, None)
    rows: list[list[Any]] = []
    for t in cold["targets"]:
        if t.kind != "function" or not t.budgeted:
            continue
        if t.error:
            rows.append([f"cold start {t.name}", "a 2xx first request", t.error, "**failed**"])
            continue
        for label, value, floor_value, budget, of in (
            ("init", t.median("init"), f_init, INIT_BUDGET, "floor init"),
            ("to first 2xx", t.median("total"), f_total, TOTAL_BUDGET, "floor total"),
        ):
            if value and floor_value:
                rows.append(
                    [
                        f"cold start {label} {t.name}",
                        f"<= {budget}x {of}",
                        f"{ms(value)} ms = {_ratio(value, floor_value)}",
                        _verdict(value <= budget * floor_value),
                    ]
                )
    return rows


def _cold_section(cold: dict[str, Any]) -> list[str]:
    targets = {t.name: t for t in cold["targets"]}
    floor, peer = targets.get("floor"), targets.get("peer")
    f_init = floor.median("init") if floor else None
    f_total = floor.median("total") if floor else None
    p_total = peer.median("total") if peer else None
    rows = []
    for t in cold["targets"]:
        name = t.name if t.kind == "function" else f"*{t.name}*"
        if t.error:
            rows.append([name, t.route, "**failed**", "-", "-", "-", "-", "-", "-", "-", "-", "-", t.error])
            continue
        total = t.median("total")
        rows.append(
            [
                name + ("" if t.budgeted or t.kind != "function" else " (not budgeted)"),
                t.route,
                t.status,
                ms(t.median("interpreter")),
                ms(t.median("init")),
                _ratio(t.median("init"), f_init),
                ms(t.median("first")),
                f"**{ms(total)}**",
                _ratio(total, f_total),
                _ratio(total, p_total),
                ms(t.median("snapshot", restored=True)) if t.restored else "-",
                ms(t.median("first", restored=True)) if t.restored else "-",
                ", ".join(f"{package} {value:.0f}" for package, value in t.top_imports),
            ]
        )
    lines = [
        "## 1. Cold start",
        "",
        f"Fresh interpreter per run, median of {cold['runs']} interleaved runs (plus one untimed run each), "
        "milliseconds, on a local backend seeded as `make run` seeds it. Each function serves a recorded event "
        "of events/ (its hottest route, real ids and a valid body; tenants' routes as a signed-in user with a "
        "bearer access token, operator routes with the operator key) and every row must answer 2xx: a row that "
        "does not is marked **failed** and `python -m bench` exits 1. The signing secret is read from Secrets "
        "Manager as deployed. *interp* = spawn to the runner's first line; *init* = importing the handler module "
        "(imports and module-level setup); *1st request* = the first invocation, clients and the secret "
        "included; *total* = all three. *floor* = `import boto3` + a DynamoDB client + a constant handler; "
        "*peer* = GET /v1/health in FastAPI + Mangum + boto3 (bench/baselines/). Budgets: init <= "
        f"{INIT_BUDGET}x the floor's init, total <= {TOTAL_BUDGET}x the floor's total. Top imports: self time "
        "(ms) per top-level package from one `python -X importtime` run. Login is reported but not budgeted: "
        "its Argon2id verification is the request's own work by design. *SnapStart* columns: the same function "
        "with the SnapStart hooks run between init and the first request (platform_api.snapstart, as template "
        "parameter SnapStart=true deploys it): init up to the snapshot (paid once per published version, at "
        "deploy), and the first request of an environment restored from it (Lambda's own restore time, which "
        "only AWS can measure, comes on top).",
        "",
    ]
    lines += _table(
        [
            "function",
            "route",
            "status",
            "interp",
            "init",
            "init /floor",
            "1st request",
            "total",
            "total /floor",
            "/peer",
            "SnapStart: init to snapshot",
            "SnapStart: 1st request after restore",
            "top imports (ms, -X importtime)",
        ],
        rows,
    )
    lines += [""] + [f"- {n}" for n in cold["notes"]] + [""]
    parts = cold.get("parts") or []
    if parts:
        lines += [
            "### Where a cold start goes",
            "",
            "bench/_cold_parts.py: the pieces an API function pays, each timed on top of the ones before it, "
            f"median of {cold['runs']} fresh interpreters (no request made). The floor is the first two rows "
            "plus the last.",
            "",
        ]
        lines += _table(["step", "ms", "/floor total"], [[n, ms(v), _ratio(v, f_total)] for n, v in parts])
        stack = sum(v for n, v in parts if not n.startswith(("what ", "import boto3", "second client")))
        imports = stack - sum(v for n, v in parts if n.startswith("first client"))
        lines += [
            "",
            "The stack alone, before a line of this project's code (every step but the second client and the last "
            f"two): its imports {ms(imports)} ms = {_ratio(imports, f_init)} the floor's init; with the first "
            f"client, {ms(stack)} ms = {_ratio(stack, f_total)} the floor's whole cold start.",
            "",
        ]
    return lines


def render(results: dict[str, Any], command: str, elapsed: float) -> str:
    budgets: list[list[Any]] = []
    out: list[str] = []

    # ---- cold start
    cold = results.get("cold")
    cold_lines: list[str] = []
    if cold:
        budgets += _cold_budgets(cold)
        cold_lines += _cold_section(cold)

    # ---- DynamoDB cost
    inproc = results.get("inprocess")
    cost_lines: list[str] = []
    if inproc:
        rows = []
        for r in inproc.cost:
            if r.tally is None:
                rows.append([r.label, r.route, "-", "-", "-", "-", "-", "-", r.budget or "-", r.note])
                if r.budget:
                    budgets.append([f"round trips: {r.label}", r.budget, r.note, "n/a"])
                continue
            t = r.tally
            rows.append(
                [
                    r.label,
                    r.route,
                    r.status,
                    f"**{t.round_trips}**",
                    t.items_read,
                    t.items_written,
                    f"{t.rcu:g}",
                    f"{t.wcu:g}",
                    r.budget or "-",
                    t.detail(),
                ]
            )
            if r.budget_trips is not None:
                ok = t.round_trips <= r.budget_trips and (r.status or 500) < 400
                budgets.append(
                    [
                        f"round trips: {r.label}",
                        r.budget,
                        f"{t.round_trips} ({t.operations()})",
                        _verdict(ok) + ("" if (r.status or 500) < 400 else f" (status {r.status})"),
                    ]
                )
        rate = [r for r in inproc.cost if r.tally is not None and r.tally.wcu_on("RATE#")]
        if rate:
            worst = max(rate, key=lambda r: r.tally.wcu_on("RATE#"))
            value = worst.tally.wcu_on("RATE#")
            budgets.append(
                ["rate limiting WCU per request", "<= 1 WCU", f"{value:g} (worst: {worst.label})", _verdict(value <= 1)]
            )
        else:
            authed = [r for r in inproc.cost if r.tally is not None and r.label != "health (public)"]
            budgets.append(
                [
                    "rate limiting WCU per request",
                    "<= 1 WCU",
                    "no RATE# write seen"
                    + (" on authenticated routes" if authed else " (no authenticated route measured)"),
                    "n/a",
                ]
            )
        cost_lines += [
            "## 2. DynamoDB cost per request (steady state)",
            "",
            "In process against moto, authenticated as a freshly registered user; each request is made twice "
            "untimed, then counted. Counted at `botocore.client.BaseClient._make_api_call`, so boto3 and "
            "pynamodb calls alike (bench/counters.py). *items read* = Items/Count (ScannedCount for a Query), "
            "Responses of batch/transact gets. RCU/WCU are computed from the item sizes with DynamoDB's rules "
            "(moto's own ConsumedCapacity is a constant); a transaction counts double.",
            "",
        ]
        cost_lines += _table(
            [
                "request",
                "route",
                "status",
                "round trips",
                "items read",
                "items written",
                "RCU",
                "WCU",
                "budget",
                "calls / note",
            ],
            rows,
        )
        cost_lines.append("")

        # ---- pagination
        page_lines = ["## 3. Pagination depth", ""]
        rows = []
        first = next((r for r in inproc.pagination if r.label == "cursor page 1" and r.tally), None)
        for r in inproc.pagination:
            if r.tally is None:
                rows.append([r.label, r.route, "-", "-", "-", "-", r.note])
                continue
            rows.append(
                [
                    r.label,
                    r.route,
                    r.status,
                    r.tally.round_trips,
                    r.tally.items_read,
                    f"{r.tally.rcu:g}",
                    r.tally.detail() + (f"; {r.note}" if r.note else ""),
                ]
            )
        deep = next((r for r in inproc.pagination if r.label.startswith("cursor page") and r is not first), None)
        if first and deep and deep.tally:
            a, b = first.tally.items_read or 1, deep.tally.items_read
            ok = b <= 1.1 * a and deep.tally.round_trips <= 1.1 * max(1, first.tally.round_trips)
            budgets.append(
                [
                    f"{deep.label} vs cursor page 1",
                    "<= 1.1x",
                    f"items read {b} vs {first.tally.items_read}, round trips {deep.tally.round_trips} vs "
                    f"{first.tally.round_trips}",
                    _verdict(ok),
                ]
            )
        else:
            budgets.append(
                [
                    "cursor page 50 vs page 1",
                    "<= 1.1x",
                    (deep.note if deep else inproc.pagination[0].note if inproc.pagination else "-"),
                    "n/a",
                ]
            )
        page_lines += [
            "A 5,000-resource collection in one namespace (one API create, the rest cloned with BatchWriteItem), "
            "read with the default sort; cursor pages follow `meta.next_cursor` (the pages in between are "
            "read uncounted).",
            "",
        ]
        page_lines += _table(["page", "request", "status", "round trips", "items read", "RCU", "calls / note"], rows)
        page_lines.append("")

        # ---- fanout
        fan_lines = ["## 4. Webhook fanout", ""]
        rows = []
        for r in inproc.fanout:
            if r.tally is None:
                rows.append([r.label, "-", "-", "-", "-", r.note])
                budgets.append(["fanout calls for 100 subscriptions", "<= 11", r.note, "n/a"])
                continue
            total_calls = r.tally.round_trips + len(r.tally.of("sqs"))
            rows.append(
                [
                    r.label,
                    r.tally.round_trips,
                    len(r.tally.of("sqs")),
                    total_calls,
                    f"{r.tally.operations()}; SQS: {r.tally.operations('sqs')}",
                    r.note,
                ]
            )
            budgets.append(
                ["fanout calls for 100 subscriptions", "<= 11", f"{total_calls}", _verdict(total_calls <= 11)]
            )
        fan_lines += _table(["case", "DynamoDB calls", "SQS calls", "total", "calls", "note"], rows)
        fan_lines.append("")

        # ---- latency
        lat_lines = [
            "## 5. Warm handler latency",
            "",
            "In-process handler time against moto (moto's own work included), milliseconds. Where each "
            "request's time goes: *in AWS calls* = inside botocore's calls (building, the round trip to moto, "
            "parsing), *own* = everything else (the front door, Powertools routing and validation, our code); "
            "medians per request.",
            "",
        ]

        def _f(value: float | None, digits: int = 2) -> str:
            return "-" if value is None else f"{value:.{digits}f}"

        lat_lines += _table(
            ["handler", "p50", "p99", "AWS calls", "in AWS calls (p50)", "own (p50)", "n", "note"],
            [
                [r.label, _f(r.p50), _f(r.p99), _f(r.calls, 1), _f(r.aws_p50), _f(r.own_p50), r.n or "-", r.note]
                for r in inproc.latency
            ],
        )
        lat_lines.append("")
    else:
        page_lines = fan_lines = lat_lines = []

    # ---- package size
    size_lines: list[str] = []
    sizes = results.get("sizes")
    if sizes:
        artifacts, notes = sizes
        size_lines += ["## 6. Package size (`.aws-sam/build`)", ""]
        size_lines += _table(
            ["artifact", "kind", "files", "unpacked (KiB)", "zipped (KiB)"],
            [[a.name, a.kind, a.files, f"{a.unpacked / 1024:,.0f}", f"{a.zipped / 1024:,.0f}"] for a in artifacts],
        )
        size_lines += [""] + [f"- {n}" for n in notes] + [""]

    stack_lines = _stack_section(results.get("stack"))

    notes = (inproc.notes if inproc else []) + results.get("notes", []) + (results.get("stack") or {}).get("notes", [])
    out += [
        "# Performance",
        "",
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} by `{command}` in {elapsed:.0f}s on: "
        f"{machine()}.",
        "",
        "Reproduce with `make bench` (installs bench/requirements.txt, runs `python -m bench`); "
        "`.venv/bin/python -m bench --help` lists the knobs. Figures are reports, not assertions: "
        "the budgets below are compared, never enforced by a test.",
        "",
        "## Budgets",
        "",
    ]
    out += _table(["budget", "target", "measured", "verdict"], budgets)
    out += [""] + ([f"- {n}" for n in notes] + [""] if notes else [])
    analysis = Path(__file__).with_name("ANALYSIS.md")
    if analysis.exists():  # the engineers' reading of the figures: kept by hand, carried into every report
        out += [analysis.read_text().rstrip(), ""]
    out += cold_lines + cost_lines + page_lines + fan_lines + lat_lines + size_lines + stack_lines
    return "\n".join(out).rstrip() + "\n"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value / 2**20:,.0f}"


def _stack_section(stack: dict[str, Any] | None) -> list[str]:
    """Section 7: the local stack over HTTP (bench/local_stack.py). Figures only: no budget, no verdict."""
    if not stack:
        return []
    lines = [
        "## 7. Local stack under load",
        "",
        "`python -m local run` over HTTP, a fresh stack in a temporary folder per part, rate limits lifted "
        "(`RATE_LIMITS_JSON`), milliseconds unless stated. *rss* = resident memory of the stack process (the API "
        "server, the embedded moto and its emulator), function workers excluded. Reported, not asserted.",
        "",
    ]
    sizes = (stack.get("sizes") or {}).get("rows") or []
    if sizes:
        base = sizes[0]
        lines += [
            "**Flat cost against table size.** One user; the table grown with filler items written straight to the "
            "embedded moto (BatchWriteItem, `BENCHFILL#` partitions no API route reads). At each size: 3 batches of "
            "23 creates (`POST /v1/resources/batch`), 10 single creates, 10 `GET /v1/resources?per_page=20`; "
            "medians, and the ratio to the smallest table. Paced: 2 s before each batch, 0.5 s after each single "
            "request, so the earlier writes' events have left the pipeline (stream -> forwarder -> fanout share the "
            "stack process with moto). *back to back* = 10 more lists without a pause, for comparison.",
            "",
        ]
        rows = []
        for r in sizes:
            rows.append(
                [
                    f"~{r['target']:,}",
                    f"{r['items']:,}",
                    f"{ms(r['batch'])} ({_ratio(r['batch'], base['batch'])})",
                    f"{ms(r['single'])} ({_ratio(r['single'], base['single'])})",
                    f"{ms(r['list'])} ({_ratio(r['list'], base['list'])})",
                    ms(r.get("list_back_to_back")),
                    f"{ms(r['single_max'])} / {ms(r['list_max'])}",
                    f"{_mib(r['rss'])} ({_ratio(r['rss'], base['rss'])})",
                    "-" if r.get("snapshot_bytes") is None else f"{r['snapshot_bytes'] / 1024:,.0f}",
                ]
            )
        lines += _table(
            [
                "table",
                "items before",
                "batch of 23",
                "single create",
                "list 20",
                "list 20 back to back",
                "max single / list",
                "rss MiB",
                "snapshot KiB",
            ],
            rows,
        )
        lines.append("")

    load = stack.get("load")
    if load:
        overall = load["all"]
        lines += [
            f"**Mixed load.** {load['total']:,} requests from {load['clients']} concurrent clients (a "
            f"`requests.Session` each) over {load['users']} users with 20 seed resources each: 60% list "
            "(`per_page=20`), 20% get by id, 15% create, 5% PATCH. Latency is the client's, queueing included.",
            "",
            f"- **{load['rps']:.1f} requests/s**, p50 {ms(overall['p50'])} ms, p99 {ms(overall['p99'])} ms, "
            f"max {ms(overall['max'])} ms, {overall['errors']} non-2xx"
            + (f" ({', '.join(f'{k}: {v}' for k, v in load['error_statuses'].items())})" if overall["errors"] else "")
            + f"; {load['wall']:.1f} s wall; rss {_mib(load['rss_before'])} -> {_mib(load['rss_after'])} MiB.",
            f"- {stack.get('before', '')}.",
            "",
        ]
        lines += _table(
            ["request", "n", "p50", "p99", "max", "non-2xx"],
            [
                [kind, f["n"], ms(f["p50"]), ms(f["p99"]), ms(f["max"]), f["errors"]]
                for kind, f in load["kinds"].items()
            ],
        )
        lines.append("")
        profile = load.get("profile") or {}
        lines += ["**Where the time goes** (py-spy, during the mixed load).", ""]
        if profile.get("dumps"):
            lines += [
                f"{profile['dumps']} `py-spy dump --subprocesses` of the stack, every thread classified by its "
                "frames; thread-samples, idle ones (accept loops, keep-alive reads, long polls, idle workers) left "
                "out. Each dump pauses the process for a few ms."
                + (f" ({profile['error']})" if profile["error"] else ""),
                "",
            ]
            for title, counts in (("stack process", profile["stack"]), ("function workers", profile["workers"])):
                busy = [(label, n) for label, n in counts if not label.startswith("idle")]
                total = sum(n for _, n in busy) or 1
                idle = sum(n for label, n in counts if label.startswith("idle"))
                lines.append(
                    f"- {title} ({total} busy, {idle} idle): "
                    + "; ".join(f"{label} {n} ({n / total:.0%})" for label, n in busy[:7])
                )
            stack_counts = dict(profile["stack"])
            lines.append(
                f"- emulator lock: {stack_counts.get('waiting for the emulator lock', 0)} thread-samples waiting for "
                f"it, {stack_counts.get('moto DynamoDB/SQS work under the emulator lock', 0)} working under it"
            )
            if profile["top_frames"]:
                lines.append(
                    "- innermost non-stdlib frame, busy threads: "
                    + "; ".join(f"`{frame}` {n}" for frame, n in profile["top_frames"][:6])
                )
        else:
            lines.append(f"- no profile: {profile.get('error') or 'no dump taken'}")
        lines.append("")

    soak = stack.get("soak")
    if soak:
        ops = ", ".join(f"{k} {v}" for k, v in sorted(soak["ops"].items()))
        errors = sum(soak["errors"].values())
        growth_live = soak["growth_per_1000_live"]
        growth_items = soak["growth_per_1000_items"]
        lines += [
            f"**Soak.** {soak['seconds']:.0f} s, {soak['users']} users each with a webhook subscription "
            "(`resource.created`) to a receiver on 127.0.0.1, one client per user: creates, PATCHes, deletes and "
            "lists; rss sampled every 5 s; then a wait (at most 120 s) for every event.",
            "",
        ]
        lines += _table(
            ["figure", "value"],
            [
                ["requests", f"{soak['requests']:,} ({ops}); p50 {ms(soak['p50'])} ms, p99 {ms(soak['p99'])} ms"],
                [
                    "non-2xx",
                    f"{errors}" + (f" ({', '.join(f'{k}: {v}' for k, v in soak['errors'].items())})" if errors else ""),
                ],
                ["resource.created expected", f"{soak['expected']:,}"],
                ["received unique (by webhook-id)", f"{soak['unique']:,} ({soak['deliveries']:,} deliveries)"],
                ["duplicates", soak["duplicates"]],
                ["missing", soak["missing"]],
                ["time to drain after the soak", f"{soak['drain']:.1f} s"],
                [
                    "live resources start -> end",
                    f"{soak['live_start']:,} -> {soak['live_end']:,} ({soak['deleted']:,} deleted)",
                ],
                ["table items start -> end", f"{soak['items_start']:,} -> {soak['items_end']:,}"],
                [
                    "rss start -> end of soak -> drained (peak) MiB",
                    f"{_mib(soak['rss_start'])} -> {_mib(soak['rss_loop_end'])} -> {_mib(soak['rss_end'])} "
                    f"({_mib(soak['rss_peak'])})",
                ],
                [
                    "rss growth per 1,000 live resources",
                    "-" if growth_live is None else f"{growth_live / 2**20:,.1f} MiB",
                ],
                [
                    "rss growth per 1,000 table items",
                    "-" if growth_items is None else f"{growth_items / 2**20:,.1f} MiB",
                ],
            ],
        )
        samples = soak.get("samples") or []
        if samples:
            lines += [
                "",
                "rss every 5 s (s: MiB, live resources): "
                + ", ".join(f"{t:.0f}: {_mib(rss)} ({live:,})" for t, rss, live in samples),
            ]
        lines.append("")
    return lines


def command_line() -> str:
    return " ".join(["python -m bench", *sys.argv[1:]])
