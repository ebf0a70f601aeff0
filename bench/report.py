#!/usr/bin/env python3
# bench/report.py: turns tools/bench.sh's rows (one JSON object a line) into bench/results.json and the table with ratios.
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys


def load_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe", "--always",
                                 "--dirty"], capture_output=True, text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    # HELLO_BIN=<an older build> measures that build: BENCH_COMMIT names it
    commit = os.environ.get("BENCH_COMMIT") or commit
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "load_avg_at_end": list(os.getloadavg()),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit,
    }


def ratio(a, b):
    return round(a / b, 3) if a and b else None


def best_rows(rows, section):
    """Per (name, conns): the round with the most requests/s, and every round's figure."""
    groups = {}
    for r in rows:
        if r["section"] == section:
            groups.setdefault((r["name"], r["conns"]), []).append(r)
    out = []
    for trials in groups.values():
        rps = [(t.get("bench") or {}).get("rps", 0.0) for t in trials]
        best = dict(trials[rps.index(max(rps))])
        best["trials_rps"] = [round(x) for x in rps]
        out.append(best)
    return out


def bench_rows(rows, section):
    out = []
    for r in best_rows(rows, section):
        b = r.get("bench") or {}
        lat = b.get("latency_us", {})
        out.append({
            "name": r["name"], "conns": r["conns"], "rps": round(b.get("rps", 0.0), 1),
            "p50_us": lat.get("p50"), "p90_us": lat.get("p90"), "p99_us": lat.get("p99"), "max_us": lat.get("max"),
            "errors": b.get("errors"), "timeouts": b.get("timeouts"), "lost_connections": b.get("lost_connections"),
            "bad_replies": b.get("bad_replies"), "first_error": b.get("first_error"),
            "connected": b.get("connected"), "active": b.get("active"),
            "offered_rps": b.get("offered_rps"), "ok": bool(b),
            "round": r.get("round"), "trials_rps": r["trials_rps"],
            "median_rps": sorted(r["trials_rps"])[len(r["trials_rps"]) // 2],
        })
    return out


def find(rows, name, conns):
    for r in rows:
        if r["name"] == name and r["conns"] == conns and r["ok"]:
            return r
    return None


def offline_rows(rows, section="offline"):
    out = []
    for r in rows:
        if r["section"] != section:
            continue
        cpu = r["user_s"] + r["sys_s"]
        n = r["packets"]
        ok = r["exit"] == 0
        status = "ok" if ok else ("killed after %s s" % r.get("limit_s") if r["exit"] == 137 else "exit %d" % r["exit"])
        out.append({
            "name": r["name"], "packets": n, "exit": r["exit"], "status": status,
            "elapsed_s": r["elapsed_s"], "cpu_s": round(cpu, 3),
            "pps_wall": round(n / r["elapsed_s"]) if ok and r["elapsed_s"] else None,
            "pps_cpu": round(n / cpu) if ok and cpu else None,
            "max_rss_mib": round(r["max_rss_kb"] / 1024.0, 1) if r["max_rss_kb"] else None,
            "bytes_per_packet": round(r["out_bytes"] / n, 1) if ok and n else None,
        })
        if "flows" in r:
            out[-1]["flows"] = r["flows"]
    return out


def count(n):
    """1000000 -> "1M", 3000 -> "3k"."""
    return "%gM" % (n / 1e6) if n >= 1000000 else "%gk" % (n / 1e3) if n >= 1000 else str(n)


def target(results, name, value, op, limit, note="", how=""):
    ok = None if value is None else (value >= limit if op == ">=" else value <= limit if op == "<=" else value < limit)
    results.append({"target": name, "value": value, "op": op, "limit": limit, "met": ok, "note": note, "how": how})


def compute(rows, args):
    tcp, udp, live = bench_rows(rows, "tcp"), bench_rows(rows, "udp"), bench_rows(rows, "live")
    for r in tcp:
        base, redis = find(tcp, "epoll-baseline", r["conns"]), find(tcp, "redis", r["conns"])
        r["x_baseline"] = ratio(r["rps"], base and base["rps"])
        r["x_redis"] = ratio(r["rps"], redis and redis["rps"])
    for r in udp:
        base = find(udp, "udp-baseline", r["conns"])
        r["x_baseline"] = ratio(r["rps"], base and base["rps"])
    off = offline_rows(rows)
    byname = {r["name"]: r for r in off}
    ts = byname.get("tshark-json")
    for r in off:
        # Each row against tcpdump on the same capture: the 10M rows against tcpdump-big.
        td = byname.get("tcpdump-big" if r["name"].endswith("-big") else "tcpdump")
        r["x_tcpdump_cpu"] = ratio(r["pps_cpu"], td and td["pps_cpu"])
        r["x_tshark_cpu"] = ratio(r["pps_cpu"], ts and ts["pps_cpu"])
        r["x_tcpdump_wall"] = ratio(r["pps_wall"], td and td["pps_wall"])
        r["x_tshark_wall"] = ratio(r["pps_wall"], ts and ts["pps_wall"])
    caps = {(r["name"], r.get("round")): r.get("capture") for r in rows if r["section"] == "live-trace"}
    un, tdl = find(live, "untraced", 50), find(live, "tcpdump-traced", 50)
    for r in live:
        r["x_untraced"] = ratio(r["rps"], un and un["rps"])
        r["x_tcpdump_traced"] = ratio(r["rps"], tdl and tdl["rps"])
        cap = caps.get((r["name"], r["round"]))
        if cap:
            r["packets_seen"] = cap.get("packets_seen")
            r["packets_dropped"] = cap.get("packets_dropped")
            r["packets_if_dropped"] = cap.get("packets_if_dropped")

    targets = []
    srv = "hello-tcp-server --port P >log"
    ev50, ev1 = find(tcp, "hello-event", 50), find(tcp, "hello-event", 1)
    target(targets, "TCP 50 connections x bare epoll server", ev50 and ev50["x_baseline"], ">=", 0.9,
           how="%s vs hello-bench-epoll; hello-bench --connections 50" % srv)
    target(targets, "TCP 50 connections x redis-server PING", ev50 and ev50["x_redis"], ">=", 1.2,
           how="%s vs redis-server; hello-bench --connections 50 (redis: --send 'PING\\r\\n')" % srv)
    target(targets, "TCP 1 connection x bare epoll server", ev1 and ev1["x_baseline"], ">=", 0.95,
           how="%s vs hello-bench-epoll; hello-bench --connections 1" % srv)
    u50 = find(udp, "hello-udp", 50)
    target(targets, "UDP 50 sockets x bare recvfrom/sendto", u50 and u50["x_baseline"], ">=", 0.9,
           how="hello-udp-server --port P >log vs hello-bench-udp; hello-bench --udp --sockets 50")
    ht = next((r for r in live if r["name"] == "hello-traced"), None)
    live_how = "hello-trace -i lo -w f.pcap -o f.json 'tcp port P' vs tcpdump -i lo -w f.pcap 'tcp port P'"
    target(targets, "live: traced x tcpdump-traced rate", ht and ht["x_tcpdump_traced"], ">=", 0.9, how=live_how)
    target(targets, "live: packets dropped", ht and ht.get("packets_dropped"), "<=", 0, how=live_how)
    for mode, flag in (("jsonl", " --jsonl"), ("json", " -o f.json")):
        for big in ("", "-big"):
            r = byname.get("hello-trace-%s%s" % (mode, big))
            if big and not r:
                continue
            what = "offline %s %s" % (mode, count(r["packets"]) if r else "")
            how = "hello-trace --no-kernel -r f.pcap%s vs tcpdump -nn -r f.pcap" % flag
            target(targets, what + ": pkts/s x tcpdump (CPU)", r and r["x_tcpdump_cpu"], ">=", 1.2, how=how)
            target(targets, what + ": pkts/s x tcpdump (wall)", r and r["x_tcpdump_wall"], ">=", 1.2, how=how)
            target(targets, what + ": peak RSS MiB", r and r["max_rss_mib"], "<", 64, how=how)
            target(targets, what + ": JSON bytes per packet", r and r["bytes_per_packet"], "<=", 300, how=how)

    return {
        "tool": "make bench (tools/bench.sh)",
        "smoke": args.smoke,
        "machine": machine(),
        "pinning": args.pinning,
        "trial_duration_s": float(args.duration),
        "rounds": int(args.rounds),
        "run_seconds": args.seconds,
        "tcp": tcp, "udp": udp, "offline": off, "offline_flows": offline_rows(rows, "offline-flows"), "live": live,
        "targets": targets,
    }


def fmt(v, spec="{:.0f}"):
    return "-" if v is None else spec.format(v)


def table(res):
    """The parts a run measured (tools/bench.sh --flows measures one)."""
    L = []
    m = res.get("machine") or {}
    load = m.get("load_avg_at_end") or []
    L.append("run: %s, %s CPUs (%s), kernel %s, load average at the end %s, commit %s" % (
        m.get("date", "?"), m.get("cpus", "?"), m.get("cpu_model", "?"), m.get("kernel", "?"),
        " ".join("%.1f" % x for x in load) or "?", m.get("commit") or "?"))
    if res["tcp"]:
        L.append("TCP (requests/s: best and median of the rounds; ratios of the best to the same connection count)")
        L.append("  %-20s %5s %10s %8s %9s %9s %6s %7s %10s %8s" % ("server", "conns", "req/s", "median", "p50 us", "p99 us", "errors", "active", "x baseline", "x redis"))
        for r in res["tcp"]:
            L.append("  %-20s %5d %10s %8s %9s %9s %6s %7s %10s %8s" % (
                r["name"], r["conns"], fmt(r["rps"]), fmt(r.get("median_rps")), fmt(r["p50_us"], "{:.1f}"), fmt(r["p99_us"], "{:.1f}"),
                fmt(r["errors"]), fmt(r["active"]), fmt(r["x_baseline"], "{:.2f}"), fmt(r["x_redis"], "{:.2f}")))
    if res["udp"]:
        L.append("UDP")
        L.append("  %-20s %5s %10s %8s %9s %9s %6s %10s" % ("server", "socks", "req/s", "median", "p50 us", "p99 us", "errors", "x baseline"))
        for r in res["udp"]:
            L.append("  %-20s %5d %10s %8s %9s %9s %6s %10s" % (
                r["name"], r["conns"], fmt(r["rps"]), fmt(r.get("median_rps")), fmt(r["p50_us"], "{:.1f}"), fmt(r["p99_us"], "{:.1f}"),
                fmt(r["errors"]), fmt(r["x_baseline"], "{:.2f}")))
    if res["offline"]:
        L.append("Offline (pkts/s from CPU time user+sys, and from wall time)")
        L.append("  %-22s %8s %10s %10s %8s %9s %10s %9s  %s" % ("tool", "packets", "pkts/s cpu", "pkts/s wall", "RSS MiB", "bytes/pkt", "x tcpdump", "x tshark", "status"))
        for r in res["offline"]:
            L.append("  %-22s %8d %10s %10s %8s %9s %10s %9s  %s" % (
                r["name"], r["packets"], fmt(r["pps_cpu"]), fmt(r["pps_wall"]), fmt(r["max_rss_mib"], "{:.1f}"),
                fmt(r["bytes_per_packet"], "{:.0f}"), fmt(r["x_tcpdump_cpu"], "{:.2f}"), fmt(r["x_tshark_cpu"], "{:.1f}"),
                r["status"]))
    flows = res.get("offline_flows") or []
    if flows:
        L.append("Distinct flows (hello-trace -r, default --max-flows 10000; RSS is the peak)")
        L.append("  %-24s %8s %8s %10s %10s %8s %9s  %s" % ("tool", "packets", "flows", "pkts/s cpu", "pkts/s wall", "RSS MiB", "bytes/pkt", "status"))
        for r in flows:
            L.append("  %-24s %8d %8d %10s %10s %8s %9s  %s" % (
                r["name"], r["packets"], r["flows"], fmt(r["pps_cpu"]), fmt(r["pps_wall"]),
                fmt(r["max_rss_mib"], "{:.1f}"), fmt(r["bytes_per_packet"], "{:.0f}"), r["status"]))
    if res["live"]:
        L.append("Live capture (hello-tcp-server as shipped, 50 connections; traced on lo by tcpdump -w or hello-trace -w -o)")
        L.append("  %-16s %10s %8s %11s %10s %10s %8s" % ("case", "req/s", "median", "x untraced", "x tcpdump", "pkts seen", "dropped"))
        for r in res["live"]:
            L.append("  %-16s %10s %8s %11s %10s %10s %8s" % (
                r["name"], fmt(r["rps"]), fmt(r.get("median_rps")), fmt(r["x_untraced"], "{:.2f}"),
                fmt(r.get("x_tcpdump_traced"), "{:.2f}"), fmt(r.get("packets_seen")), fmt(r.get("packets_dropped"))))
    if any(x["value"] is not None for x in res["targets"]):
        L.append("Targets (ratios within this run; the command each one compares below it)")
        last_how = None
        for t in res["targets"]:
            verdict = "n/a" if t["met"] is None else ("met" if t["met"] else "MISSED")
            v = t["value"]
            if t.get("how") and t["how"] != last_how:
                L.append("  $ %s" % t["how"])
                last_how = t["how"]
            L.append("    %-46s %10s %2s %-6s %s %s" % (t["target"], "-" if v is None else ("%.3g" % v), t["op"], t["limit"], verdict, t["note"]))
    if res["tcp"] or res["udp"] or res["live"]:
        L.append("pinning: %s; %s s per trial, best of %d rounds; whole run %s s" % (
            res["pinning"], res["trial_duration_s"], res["rounds"], res["run_seconds"]))
    else:
        L.append("pinning: %s; whole run %s s" % (res["pinning"], res["run_seconds"]))
    return "\n".join(L)


def before_after(before, after):
    """Each target's figure in the runs before a change and in the run after it: one line
    each, the before value from the first file that measured it."""
    L = ["Targets before and after (before: %s; after: %s)" % (
        ", ".join("%s, commit %s" % (b["machine"].get("date", "?"), b["machine"].get("commit", "?")) for b in before),
        "%s, commit %s" % (after["machine"].get("date", "?"), after["machine"].get("commit", "?"))),
        "  %-46s %9s %9s  target" % ("", "before", "after")]
    for t in after["targets"]:
        was = next((x["value"] for b in before for x in b["targets"]
                    if x["target"] == t["target"] and x["value"] is not None), None)
        L.append("  %-46s %9s %9s  %s %g%s" % (t["target"], fmt(was, "{:.3g}"), fmt(t["value"], "{:.3g}"),
                                             t["op"], t["limit"], "" if t["met"] else "  MISSED"))
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", metavar="RESULTS_JSON", action="append",
                    help="with --table: each target before (a run of an earlier commit) and after")
    ap.add_argument("--table", metavar="RESULTS_JSON", help="only print the table of an existing results.json")
    ap.add_argument("--rows")
    ap.add_argument("--out")
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--pinning", default="")
    ap.add_argument("--duration", default="0")
    ap.add_argument("--rounds", default="1")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if args.table:
        with open(args.table) as f:
            res = json.load(f)
        if args.before:
            before = []
            for name in args.before:
                with open(name) as f:
                    before.append(json.load(f))
            print(before_after(before, res))
        else:
            print(table(res))
        return 0
    if not args.rows or not args.out:
        ap.error("--rows and --out are required (or --table RESULTS_JSON)")
    res = compute(load_rows(args.rows), args)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    os.replace(tmp, args.out)
    print(table(res))
    print("results: %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
