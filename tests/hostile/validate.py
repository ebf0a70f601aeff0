#!/usr/bin/env python3
"""tests/hostile/validate.py: validates trace.json documents or --jsonl files against docs/trace.schema.json.

usage: validate.py SCHEMA doc|jsonl FILE...   prints "ok: FILE" or "FAIL: FILE: why" per file;
exit 1 when any failed. One process for many files: the schema is compiled once.
"""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    doc = jsonschema.Draft202012Validator(schema)
    line = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/jsonl_line"})
    bad = 0
    for path in sys.argv[3:]:
        try:
            if sys.argv[2] == "doc":
                err = next(doc.iter_errors(json.load(open(path))), None)
                where = ""
            else:
                err, where = None, ""
                for n, text in enumerate(open(path), 1):
                    err = next(line.iter_errors(json.loads(text)), None)
                    if err:
                        where = f":{n}"
                        break
        except (OSError, ValueError) as e:
            err, where = e, ""
        if err:
            bad += 1
            msg = getattr(err, "message", str(err))
            print(f"FAIL: {path}{where}: {msg[:200]}")
        else:
            print(f"ok: {path}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
