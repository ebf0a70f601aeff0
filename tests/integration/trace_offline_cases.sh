#!/usr/bin/env bash
# tests/integration/trace_offline_cases.sh: every tests/trace/cases/NAME/case.json -> pcap -> hello-trace -r -> schema + expectations.
. "$(dirname "$0")/../lib/common.sh"

t_need_tracer
t_workdir trace_cases

# One Python process builds every pcap (scapy loads once) and checks every trace; it
# prints one "ok: NAME: ..." or "FAIL: NAME: ..." line per check (t_checker).
run_cases() {
	PYTHONPATH=$HELLO_ROOT/tools "$PYTHON" - "$HELLO_ROOT" "$TRACE" "$W" <<'PY'
import json, os, subprocess, sys
root, trace, work = sys.argv[1:4]
import mkpcap_trace as mk
import jsonschema
schema = json.load(open(os.path.join(root, "docs/trace.schema.json")))
validator = jsonschema.Draft202012Validator(schema)
MISSING = object()

def get(doc, path):
    want_len = path.endswith("#len")
    v = doc
    for part in path[:-4].split(".") if want_len else path.split("."):
        if isinstance(v, list) and part.isdigit() and int(part) < len(v):
            v = v[int(part)]
        elif isinstance(v, dict) and part in v:
            v = v[part]
        else:
            return MISSING
    return len(v) if want_len else v

cases = os.path.join(root, "tests/trace/cases")
for name in sorted(os.listdir(cases)):
    path = os.path.join(cases, name, "case.json")
    if not os.path.isfile(path):
        continue
    case = json.load(open(path))
    pcap, out = os.path.join(work, name + ".pcap"), os.path.join(work, name + ".json")
    mk.write_case(pcap, case)
    r = subprocess.run([trace, "-r", pcap, "-o", out], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        print(f"FAIL: {name}: hello-trace exit {r.returncode}: {r.stderr.strip()}")
        continue
    doc = json.load(open(out))
    errs = list(validator.iter_errors(doc))
    print(f"FAIL: {name}: schema: {errs[0].message}" if errs else f"ok: {name}: validates")
    for key, want in case["expect"].items():
        got = get(doc, key)
        fine = got is MISSING if want is None else got == want
        shown = "absent" if got is MISSING else json.dumps(got)
        print(f"{'ok' if fine else 'FAIL'}: {name}: {key} = {shown}" + ("" if fine else f", want {json.dumps(want)}"))
PY
}

t_checker cases run_cases
# Every case folder ran: a case the checker passed over (or never reached) is a failure.
want=$(for f in "$HELLO_ROOT"/tests/trace/cases/*/case.json; do f=${f%/case.json}; echo "${f##*/}"; done)
ran=$(sed -n 's/^\(ok\|FAIL\): \([^:]*\): .*/\2/p' "$T_CHECKER_OUT" | sort -u)
missing=$(comm -23 <(echo "$want" | sort) <(echo "$ran"))
t_check "every case ran: $(echo "$ran" | grep -c .) of $(echo "$want" | grep -c .)${missing:+, not: $(echo $missing)}" \
	test -z "$missing" -a -n "$want"
t_done
