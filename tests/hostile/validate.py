#!/usr/bin/env python3
"""tests/hostile/validate.py: validates trace.json documents or --jsonl files against docs/trace.schema.json.

usage: validate.py SCHEMA doc|jsonl [--sample N] FILE...   prints "ok: FILE" or "FAIL: FILE: why"
per file; exit 1 when any failed. One process for many files: the schema is compiled once.
--sample N (jsonl): every line is parsed, but only the first N, the last N and every
N-th other line are validated (jsonschema takes a minute for 150,000 lines).
"""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    doc = jsonschema.Draft202012Validator(schema)
    line = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/jsonl_line"})
    bad, files, sample = 0, sys.argv[3:], 0
    if files[:1] == ["--sample"]:
        sample, files = int(files[1]), files[2:]
    for path in files:
        try:
            if sys.argv[2] == "doc":
                err = next(doc.iter_errors(json.load(open(path))), None)
                where = ""
            else:
                err, where = None, ""
                lines = open(path).read().splitlines()
                for n, text in enumerate(lines, 1):
                    v = json.loads(text)
                    if sample and sample < n <= len(lines) - sample and n % sample:
                        continue
                    err = next(line.iter_errors(v), None)
                    if err:
                        where = f":{n}"
                        break
        except (OSError, ValueError) as e:
            err, where = e, ""
        if err:
            bad += 1
            if hasattr(err, "absolute_path"):
                msg = "at %s: %s %r: %s" % ("/".join(map(str, err.absolute_path)), err.validator,
                                           err.validator_value, err.message[-160:])
            else:
                msg = str(err)
            print(f"FAIL: {path}{where}: {msg[:400]}")
        else:
            print(f"ok: {path}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
