#!/usr/bin/env bash
# tests/integration/trace_offline_cut.sh: pcap and pcapng files cut at random offsets, or with a bad record: every whole packet traced, valid JSON (document and --jsonl), the warning, exit 3.
# CUT_SEED=N repeats a run (the seed is printed); CUT_RANDOM=N offsets per format (10).
. "$(dirname "$0")/../lib/common.sh"

t_need_tracer
t_workdir trace_cut

# One Python process writes both files (recording where each record ends), cuts them, runs
# hello-trace on every cut in both modes and prints one "ok: ..." or "FAIL: ..." per check;
# the outputs are validated together at the end (the schema is compiled once).
run_cuts() {
	PYTHONPATH=$HELLO_ROOT/tools "$PYTHON" - "$HELLO_ROOT" "$TRACE" "$W" <<'PY'
import json, os, random, shutil, subprocess, sys
root, trace, work = sys.argv[1:4]
import mkpcap_trace as mk

seed = int(os.environ.get("CUT_SEED") or random.randrange(1 << 30))
nrandom = int(os.environ.get("CUT_RANDOM") or 10)
rng = random.Random(seed)
print(f"note: seed {seed} (CUT_SEED={seed} repeats this run)")
frames = [mk.eth(p) for p in (mk.tcp_hello() + mk.udp_hello()) * 8]
tcpdump = shutil.which("tcpdump")
docs, lines = [], []

def check(what, fine, detail=""):
    print(f"{'ok' if fine else 'FAIL'}: {what}" + ("" if fine else f" ({detail})"))

for fmt, write in (("pcap", mk.write_pcap), ("pcapng", mk.write_pcapng)):
    whole = os.path.join(work, "whole." + fmt)
    ends = write(whole, frames)
    write(os.path.join(work, "empty." + fmt), [])
    header = os.path.getsize(os.path.join(work, "empty." + fmt))
    data = open(whole, "rb").read()
    # Fixed cuts: just past the header (no packet), one byte into the first record, a
    # record boundary (nothing lost), one byte short of the end; then random offsets.
    cuts = [header, header + 1, ends[len(ends) // 2], len(data) - 1]
    cuts += sorted(rng.randrange(header + 1, len(data)) for _ in range(nrandom))
    for off in cuts:
        cut = os.path.join(work, f"cut{off}.{fmt}")
        with open(cut, "wb") as f:
            f.write(data[:off])
        n = sum(e <= off for e in ends)
        clean = off == header or off in ends
        want_rc, want_reason = (0, "end_of_file") if clean else (3, "truncated")
        tag = f"{fmt} cut at {off} of {len(data)} ({n} whole packets)"
        doc = cut + ".json"
        r = subprocess.run([trace, "--no-kernel", "-r", cut, "-o", doc], capture_output=True, text=True, timeout=30)
        check(f"{tag}: document exit {r.returncode}", r.returncode == want_rc, f"want {want_rc}: {r.stderr.strip()}")
        if r.returncode not in (0, 3):
            continue
        d = json.load(open(doc))
        docs.append(doc)
        got = (d["capture"]["packets_seen"], sum(e["type"] == "packet" for e in d["events"]), d["capture"]["stop_reason"])
        check(f"{tag}: packets_seen, packet events, stop_reason {got}", got == (n, n, want_reason))
        warn = f"hello-trace: warning: -r {cut}: the file is cut short after {n} packets (libpcap: "
        check(f"{tag}: the warning names the file, the packets and libpcap's words",
              (warn in r.stderr) == (not clean), r.stderr.strip())
        jl = cut + ".jsonl"
        r = subprocess.run([trace, "--no-kernel", "-r", cut, "--jsonl", "-o", jl], capture_output=True, text=True, timeout=30)
        out = [json.loads(t) for t in open(jl)] if r.returncode in (0, 3) else []
        lines.append(jl)
        got = (r.returncode, sum(o["type"] == "packet" for o in out), out[-1]["type"] if out else None,
               out[-1]["capture"].get("stop_reason") if out else None)
        check(f"{tag}: --jsonl exit, packet lines, last line, stop_reason {got}", got == (want_rc, n, "summary", want_reason))
        if tcpdump and off in cuts[:4]:
            t = subprocess.run([tcpdump, "--count", "-r", cut], capture_output=True, text=True)
            check(f"{tag}: tcpdump --count agrees ({t.stdout.strip()})", t.stdout.strip() == f"{n} packets")
    # A record libpcap refuses in the middle (a pcap record longer than any snap length, a
    # pcapng block shorter than a block header): the packets before it, read_error, exit 3.
    k = len(ends) // 3
    bad = bytearray(data)
    if fmt == "pcap":
        bad[ends[k - 1] + 8:ends[k - 1] + 12] = (1 << 28).to_bytes(4, "little")
    else:
        bad[ends[k - 1] + 4:ends[k - 1] + 8] = (8).to_bytes(4, "little")
    cut = os.path.join(work, f"bad.{fmt}")
    with open(cut, "wb") as f:
        f.write(bad)
    r = subprocess.run([trace, "--no-kernel", "-r", cut, "-o", cut + ".json"], capture_output=True, text=True, timeout=30)
    got = (r.returncode, json.load(open(cut + ".json"))["capture"]) if r.returncode == 3 else (r.returncode, {})
    check(f"{fmt} with a bad record after {k} packets: exit 3, read_error, {k} packets, the warning",
          got[0] == 3 and got[1].get("stop_reason") == "read_error" and got[1].get("packets_seen") == k and
          f"-r {cut}: a record cannot be read after {k} packets (libpcap: " in r.stderr, f"{got}: {r.stderr.strip()}")
    if r.returncode == 3:
        docs.append(cut + ".json")
    # Cut inside the file's own header: nothing can be read, exit 1, no output left.
    cut = os.path.join(work, f"head.{fmt}")
    with open(cut, "wb") as f:
        f.write(data[:header - 1])
    r = subprocess.run([trace, "--no-kernel", "-r", cut, "-o", cut + ".json"], capture_output=True, text=True, timeout=30)
    check(f"{fmt} cut inside its header: exit 1, says so, no output",
          r.returncode == 1 and f"-r {cut}: " in r.stderr and not os.path.exists(cut + ".json"), r.stderr.strip())

with open(os.path.join(work, "docs.list"), "w") as f:
    f.write("\n".join(docs) + "\n")
with open(os.path.join(work, "lines.list"), "w") as f:
    f.write("\n".join(lines) + "\n")
PY
}

t_checker cuts run_cuts

VALIDATE=$HELLO_ROOT/tests/hostile/validate.py
SCHEMA=$HELLO_ROOT/docs/trace.schema.json
mapfile -t docs <"$W/docs.list"
mapfile -t lines <"$W/lines.list"
"$PYTHON" "$VALIDATE" "$SCHEMA" doc "${docs[@]}" >"$W/docs.out"
t_check "every cut's document validates (${#docs[@]})" [ $? = 0 ]
"$PYTHON" "$VALIDATE" "$SCHEMA" jsonl --sample 20 "${lines[@]}" >"$W/lines.out"
t_check "every cut's JSON lines validate (${#lines[@]})" [ $? = 0 ]
grep -h FAIL "$W/docs.out" "$W/lines.out" | head -3

# tools/corpus.sh judges a folder of captures the same way (docs/testing.md): whole, with a
# bad record, and not a capture at all; each also cut once.
mkdir "$W/corpus"
cp "$W/whole.pcap" "$W/whole.pcapng" "$W/bad.pcap" "$W/corpus/"
echo "not a capture" >"$W/corpus/junk.pcap"
"$HELLO_ROOT/tools/corpus.sh" --bin "$HELLO_BIN" --jsonl --render --cuts 1 --seed 5 "$W/corpus" >"$W/corpus.out" 2>&1
rc=$?
t_check "tools/corpus.sh: exit $rc, $(tail -n 1 "$W/corpus.out")" \
	[ $rc = 0 -a "$(grep -c '^ok .* render-html: drawn' "$W/corpus.out")" -ge 3 ]
grep '^FAIL' "$W/corpus.out" | head -3
t_done
