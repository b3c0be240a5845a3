#!/usr/bin/env python3
"""openlineage-check.py - validates OpenLineage events written as JSON Lines.

    openlineage-check.py SCHEMA_DIR FILE...

Every line of every FILE must be a RunEvent that validates against
SCHEMA_DIR/OpenLineage.json (JSON Schema 2020-12, Debian's python3-jsonschema),
and every dataset facet named "schema" against SchemaDatasetFacet.json.  The
$refs between the schemas are resolved from SCHEMA_DIR, never the network.
Formats are checked too: eventTime is RFC 3339, runId a UUID, producer and
schemaURL absolute URIs.  The events of one run must be START then exactly
one of COMPLETE, ABORT, FAIL.

Prints "ok: N events in R runs" and exits 0, or prints each problem and
exits 1.
"""
import datetime
import json
import os
import re
import sys
import urllib.parse
import uuid

import jsonschema
from referencing import Registry, Resource

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def load_registry(folder):
    resources = []
    schemas = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            doc = json.load(f)
        schemas[name] = doc
        resources.append((doc["$id"], Resource.from_contents(doc)))
    return schemas, Registry().with_resources(resources)


def format_checker():
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def is_datetime(value):
        if not isinstance(value, str) or not RFC3339.match(value):
            return False
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    @checker.checks("uuid")
    def is_uuid(value):
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()

    @checker.checks("uri")
    def is_uri(value):
        if not isinstance(value, str):
            return False
        u = urllib.parse.urlsplit(value)
        return bool(u.scheme) and " " not in value

    return checker


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    schemas, registry = load_registry(argv[1])
    checker = format_checker()
    event_schema = schemas["OpenLineage.json"]
    facet_schema = {
        "$ref": schemas["SchemaDatasetFacet.json"]["$id"] + "#/$defs/SchemaDatasetFacet"
    }
    events = jsonschema.Draft202012Validator(event_schema, registry=registry,
                                             format_checker=checker)
    facets = jsonschema.Draft202012Validator(facet_schema, registry=registry,
                                             format_checker=checker)
    problems = []
    runs = {}
    count = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                where = "%s:%d" % (path, number)
                try:
                    ev = json.loads(line)
                except ValueError as e:
                    problems.append("%s: not JSON: %s" % (where, e))
                    continue
                count += 1
                for err in events.iter_errors(ev):
                    problems.append("%s: %s at %s" % (where, err.message, err.json_path))
                for i, ds in enumerate(ev.get("inputs", []) + ev.get("outputs", [])):
                    facet = ds.get("facets", {}).get("schema")
                    if facet is None:
                        continue
                    for err in facets.iter_errors(facet):
                        problems.append("%s: dataset %d schema facet: %s at %s"
                                        % (where, i, err.message, err.json_path))
                run = ev.get("run", {}).get("runId")
                runs.setdefault(run, []).append(ev.get("eventType"))
    for run, types in runs.items():
        if not types or types[0] != "START":
            problems.append("run %s: does not begin with START: %s" % (run, types))
        ends = [t for t in types if t in ("COMPLETE", "ABORT", "FAIL")]
        if len(ends) != 1 or types[-1] != ends[0]:
            problems.append("run %s: not one final event: %s" % (run, types))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok: %d events in %d runs" % (count, len(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
