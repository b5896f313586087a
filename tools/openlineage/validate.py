#!/usr/bin/env python3
"""Validate OpenLineage RunEvent JSON lines against the official 2-0-2 schema.

Reads JSON lines from the files given (or stdin). Every line must be a valid
OpenLineage 2-0-2 event AND a RunEvent (validated against $defs/RunEvent
too, since the top-level schema is a oneOf of RunEvent, DatasetEvent and
JobEvent). Formats `uuid`, `date-time` and `uri` are checked. Every dataset
facet must name (in `_schemaURL`) one of the facet schemas stored beside this
script, and is validated against it.

Prints "ok N events" and exits 0, or prints each problem (line number, JSON
path, message) and exits 1. An empty input is an error.
"""
import json
import pathlib
import re
import sys
import urllib.parse
import uuid

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

HERE = pathlib.Path(__file__).parent
SCHEMA = HERE / "OpenLineage-2-0-2.json"
FACET_SCHEMAS = [HERE / "SchemaDatasetFacet-1-2-0.json", HERE / "DatasetVersionDatasetFacet-1-0-1.json"]

RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

checker = FormatChecker()


@checker.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    return True


@checker.checks("uri", raises=ValueError)
def _uri(value):
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    if not parts.scheme or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme):
        raise ValueError(f"not an absolute URI: {value!r}")
    if any(c.isspace() for c in value):
        raise ValueError(f"URI contains whitespace: {value!r}")
    return True


@checker.checks("uuid", raises=ValueError)
def _uuid(value):
    if not isinstance(value, str):
        return True
    if len(value) != 36 or str(uuid.UUID(value)) != value.lower():
        raise ValueError(f"not a UUID: {value!r}")
    return True


def main(argv):
    schema = json.loads(SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    whole = Draft202012Validator(schema, format_checker=checker)
    run_event = Draft202012Validator(
        {"$ref": "#/$defs/RunEvent", "$defs": schema["$defs"]}, format_checker=checker)
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    facets = {}   # "<$id>#/$defs/<Name>" -> validator
    for path in FACET_SCHEMAS:
        facet = json.loads(path.read_text())
        Draft202012Validator.check_schema(facet)
        registry = registry.with_resource(facet["$id"], Resource.from_contents(facet))
        for name in facet["$defs"]:
            facets[f"{facet['$id']}#/$defs/{name}"] = name
    facet_validators = {
        url: Draft202012Validator({"$ref": url}, registry=registry, format_checker=checker)
        for url in facets
    }
    sources = [open(p) for p in argv[1:]] or [sys.stdin]
    problems, count = [], 0
    for source in sources:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            count += 1
            try:
                event = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"line {number}: not JSON: {e}")
                continue
            for validator, what in ((whole, "OpenLineage"), (run_event, "RunEvent")):
                for error in validator.iter_errors(event):
                    path = "/".join(str(p) for p in error.absolute_path)
                    problems.append(f"line {number}: {what}: /{path}: {error.message}")
            for side in ("inputs", "outputs"):
                for i, dataset in enumerate(event.get(side, []) if isinstance(event, dict) else []):
                    for key, facet in (dataset.get("facets") or {}).items():
                        url = facet.get("_schemaURL", "") if isinstance(facet, dict) else ""
                        where = f"line {number}: /{side}/{i}/facets/{key}"
                        if url not in facet_validators:
                            problems.append(f"{where}: _schemaURL {url!r} is not a stored facet schema")
                            continue
                        for error in facet_validators[url].iter_errors(facet):
                            path = "/".join(str(p) for p in error.absolute_path)
                            problems.append(f"{where}/{path}: {error.message}")
    if count == 0:
        problems.append("no events in the input")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"ok {count} events")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
