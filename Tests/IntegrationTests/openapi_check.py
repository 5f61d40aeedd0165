"""Checks an OpenAPI 3.1 document with openapi-spec-validator, then checks real answers against it.

    python openapi_check.py openapi.json answers.jsonl

Each line of answers.jsonl is {"method", "path" (the template, such as /v1/comments/{id}), "status",
"content_type", "body"}. A JSON answer must match the schema the document gives for that operation and
status; a text answer must be documented as text. Prints every mismatch and exits 1 if there is one.
"""
import json
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

spec = json.load(open(sys.argv[1]))
validate(spec)
failures = []


def resolve(node):
    """A response or schema with a top-level local $ref followed."""
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


for line in open(sys.argv[2]):
    answer = json.loads(line)
    where = f'{answer["method"]} {answer["path"]} {answer["status"]}'
    operation = spec["paths"].get(answer["path"], {}).get(answer["method"].lower())
    if operation is None:
        failures.append(f"{where}: no such operation in the document")
        continue
    response = operation["responses"].get(str(answer["status"]))
    if response is None:
        failures.append(f"{where}: status not documented")
        continue
    response = resolve(response)
    media = answer["content_type"].split(";")[0].strip()
    content = response.get("content", {})
    if media not in content:
        failures.append(f"{where}: content type {media} not documented (documented: {sorted(content)})")
        continue
    schema = content[media].get("schema", {})
    body = answer["body"]
    if media == "application/json":
        body = json.loads(body)
    # Local references (#/components/schemas/...) resolve inside the wrapped schema.
    wrapped = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": spec["components"], **schema}
    errors = list(Draft202012Validator(wrapped).iter_errors(body))
    for error in errors:
        failures.append(f"{where}: {error.message} at {list(error.absolute_path)}")

for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
