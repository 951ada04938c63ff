"""What the OpenAPI document says beyond what drf-spectacular infers (a postprocessing hook).

The schema must tell the truth (issue 9 §4; schemathesis checks it in CI):

* every operation lists the errors it can answer — 400 when it takes parameters or a body,
  401/403 when it needs a log-in, 404 when its path names an object — with one error shape;
* a required string of a request cannot be empty (DRF refuses ``""``): ``minLength: 1``.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": "{detail: message} or {field: [messages]}, translated (zh-hans by default).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input: the fields and why (translated).",
    "401": "Not logged in (no or a wrong token).",
    "403": "Logged in, but this role may not do this.",
    "404": "No such object in the caller's scope (out of scope is 404, never 403).",
}
METHODS = {"get", "post", "put", "patch", "delete"}
# Create calls that honour an Idempotency-Key (foundation.idempotency).
IDEMPOTENT = {"/api/v1/households/", "/api/v1/visits/", "/api/v1/grievances/"}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any string up to 100 characters, new for each thing you create. A repeat "
    "with the same key creates nothing and answers 200 with what the first call created.",
    "schema": {"type": "string", "maxLength": 100},
}


def _error(code):
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if method == "post" and path in IDEMPOTENT:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
                created = responses.get("201")
                if created:
                    responses.setdefault(
                        "200", {**created, "description": "Already created by this key."}
                    )
            wanted = []
            if operation.get("parameters") or operation.get("requestBody"):
                wanted.append("400")
            if operation.get("security", [{}]) not in ([], [{}]):
                wanted += ["401", "403"]
            if "{" in path:
                wanted.append("404")
            for code in wanted:
                responses.setdefault(code, _error(code))
    for schema in result["components"]["schemas"].values():
        required = set(schema.get("required", ()))
        for name, prop in (schema.get("properties") or {}).items():
            if (
                name in required
                and prop.get("type") == "string"
                and not prop.get("readOnly")
                and "enum" not in prop
                and "format" not in prop
            ):
                prop.setdefault("minLength", 1)
    return result
