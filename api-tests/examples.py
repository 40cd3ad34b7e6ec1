"""Every example in the five OpenAPI documents is valid against its schema,
and every request and response body has one.

Reads the snapshots (the documents as the services serve them) and
validates with jsonschema_rs (Schemathesis' validator), each `$ref`
resolved against the document. Run by api-tests/run; exits 1 on the first
document with a problem, naming every problem in it.
"""

import glob
import json
import os
import sys

import jsonschema_rs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def document(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # An insta snapshot: a header between two `---` lines, then the document.
    return json.loads(text.split("\n---\n", 1)[1])


def resolve(doc, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def has_example(doc, schema, seen=()):
    """Whether a body of `schema` is shown by an example: its own, or one for
    every property (an array: for its items), or for every `oneOf` branch."""
    if isinstance(schema, dict) and "$ref" in schema:
        if schema["$ref"] in seen:
            return False
        seen = (*seen, schema["$ref"])
    schema = resolve(doc, schema)
    if not isinstance(schema, dict):
        return False
    if schema.get("examples") or "example" in schema or schema.get("type") == "null":
        return True
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return all(has_example(doc, branch, seen) for branch in schema[key])
    if "items" in schema:
        return has_example(doc, schema["items"], seen)
    properties = schema.get("properties")
    if properties:
        return all(has_example(doc, p, seen) for p in properties.values())
    return False


def check(doc, schema, value, where, problems):
    rooted = {"$ref": "#/x-schema", "x-schema": schema, "components": doc.get("components", {})}
    if isinstance(schema, dict) and "$ref" in schema:
        rooted = {**schema, "components": doc.get("components", {})}
    try:
        validator = jsonschema_rs.validator_for(rooted)
    except Exception as err:  # a schema the validator cannot read
        problems.append(f"{where}: schema does not compile: {err}")
        return
    for error in validator.iter_errors(value):
        problems.append(f"{where}: example {json.dumps(value)[:120]} is invalid: {error.message}")


def walk_schema(doc, schema, where, problems):
    """Every `examples`/`example` inside a schema, against the schema holding it."""
    if isinstance(schema, dict):
        if "$ref" not in schema:
            for value in schema.get("examples") or []:
                check(doc, schema, value, where, problems)
            if "example" in schema:
                check(doc, schema, schema["example"], where, problems)
        for key, child in schema.items():
            if key in ("examples", "example"):
                continue
            walk_schema(doc, child, f"{where}.{key}", problems)
    elif isinstance(schema, list):
        for i, child in enumerate(schema):
            walk_schema(doc, child, f"{where}[{i}]", problems)


def walk_media(doc, media, where, problems, needs_example):
    schema = media.get("schema")
    if schema is None:
        return
    values = []
    if "example" in media:
        values.append(media["example"])
    for name, example in (media.get("examples") or {}).items():
        example = resolve(doc, example)
        values.append(example.get("value"))
    for value in values:
        check(doc, schema, value, where, problems)
    if needs_example and not values and not has_example(doc, schema):
        problems.append(f"{where}: no example")


def main():
    failed = False
    for path in sorted(glob.glob(f"{ROOT}/services/*/tests/api/snapshots/*openapi_document.snap")):
        doc = document(path)
        problems = []
        walk_schema(doc, doc.get("components", {}).get("schemas", {}), "#/components/schemas", problems)
        for name, response in doc.get("components", {}).get("responses", {}).items():
            for media_type, media in response.get("content", {}).items():
                walk_media(doc, media, f"#/components/responses/{name}", problems, True)
        for route, item in doc.get("paths", {}).items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                where = f"{method.upper()} {route}"
                for parameter in operation.get("parameters", []):
                    walk_schema(doc, parameter.get("schema"), f"{where} {parameter['name']}", problems)
                body = operation.get("requestBody")
                for media_type, media in (body or {}).get("content", {}).items():
                    walk_media(doc, media, f"{where} request body", problems, True)
                for status, response in operation["responses"].items():
                    response = resolve(doc, response)
                    for media_type, media in response.get("content", {}).items():
                        walk_media(doc, media, f"{where} {status}", problems, True)
        name = os.path.relpath(path, ROOT)
        if problems:
            failed = True
            print(f"api-tests/examples.py: {name}:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(f"api-tests/examples.py: every example in {name} is valid; every body has one")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
