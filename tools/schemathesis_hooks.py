"""Schemathesis hooks for `make test`'s API contract step.

The local Lambda emulator (`cargo lambda watch`) cannot turn a request body that is not valid
UTF-8 into an API Gateway event: it answers 500 itself, before any function code runs. API
Gateway base64-encodes such bodies, and the functions answer 400 `invalid_json` — proven in
process by `shared/tests/it/http_errors.rs::non_utf8_body_is_400`. So those generated bodies are
skipped here rather than reported as the functions' failures.

The same emulator answers 500 itself for header or cookie values holding bytes outside ASCII
(HTTP allows them as obs-text) because it cannot put them into the JSON event. The functions
treat such a cookie as no session (401) — proven in process by
`shared/tests/it/http_errors.rs::non_ascii_cookie_bytes_are_401` — so those cases are skipped too.

Now and then the emulator also fails a well-formed request on its own, in a few milliseconds and
without running any function code: its instance pool loses the reply under load. That 500 is
the emulator's problem+json (`"type":"https://httpstatuses.com/500"`), a shape the functions never
send (ours is `{"error":{"code","message"}}`). Such a response is sent again, at most twice, and
each retry is printed; a 500 that the retry repeats still fails the run, so a response the
emulator cannot carry (a bad header, say) is still caught.
"""

import json
import os
import sys

import requests
import schemathesis
from schemathesis.core.transport import Response

EMULATOR_500 = b'"type":"https://httpstatuses.com/500"'


def _utf8(value) -> bool:
    if isinstance(value, (bytes, bytearray)):
        try:
            bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError):
        return False
    return True


@schemathesis.hook
def filter_body(context, body):
    return _utf8(body)


def _ascii_values(mapping) -> bool:
    if not mapping:
        return True
    return all(str(value).isascii() for value in mapping.values())


@schemathesis.hook
def filter_headers(context, headers):
    return _ascii_values(headers)


@schemathesis.hook
def filter_cookies(context, cookies):
    return _ascii_values(cookies)


def _text_type(case) -> bool:
    declared = (case.headers or {}).get("Content-Type") or (case.headers or {}).get("content-type") or case.media_type or ""
    return str(declared).split(";")[0].strip().lower().startswith("text/")


@schemathesis.hook
def filter_case(context, case):
    # The coverage phase re-sends a binary body (the logo upload's) under an undeclared text
    # type: the emulator cannot carry non-UTF-8 text either (see above); the function answers
    # 415 for any text type (`api::branding`).
    binary_as_text = _text_type(case) and not _utf8(getattr(case, "body", None) or b"")
    return _ascii_values(case.headers) and _ascii_values(case.cookies) and not binary_as_text


def _emulator_failure(response) -> bool:
    return response.status_code == 500 and EMULATOR_500 in (response.content or b"")


# The functions answer 503 `service_unavailable` when DynamoDB does not answer in time: the
# designed answer to an outage. The one emulator process now and then stalls for seconds under
# the contract run's load (a 4 s timeout in the functions' log, in production DynamoDB answers in
# milliseconds), so such a 503 is sent again too, at most twice; one that persists still fails.
OUR_503 = b'"code":"service_unavailable"'


def _stalled(response) -> bool:
    return response.status_code == 503 and OUR_503 in (response.content or b"")


def _record(case, response):
    """One line per answer (`CONTRACT_STATS`): which operations reached a success path."""
    path = os.environ.get("CONTRACT_STATS")
    operation = getattr(case, "operation", None)
    if not path or operation is None:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{operation.method.upper()} {operation.path} {response.status_code}\n")


def unreached(lines):
    """Operations that never answered 2xx, from the recorded lines."""
    seen, succeeded = set(), set()
    for line in lines:
        method, path, status = line.split(" ")
        seen.add((method, path))
        if status.startswith("2"):
            succeeded.add((method, path))
    return sorted(seen - succeeded)


@schemathesis.hook
def after_call(context, case, response):
    try:
        _retry_stalls(response)
    finally:
        _record(case, response)


def _retry_stalls(response):
    for attempt in (1, 2):
        if not (_emulator_failure(response) or _stalled(response)):
            return
        request = response.request
        what = "emulator 500" if _emulator_failure(response) else "503 (the emulator stalled)"
        print(f"{what} on {request.method} {request.path_url[:120]}: sending again ({attempt}/2)", file=sys.stderr)
        with requests.Session() as session:
            retried = Response.from_requests(session.send(request.copy(), timeout=30), verify=response.verify)
        # The hook contract: the response is modified in place.
        for name in Response.__slots__:
            setattr(response, name, getattr(retried, name))


# --- Responses carry only what the API documents -------------------------------------------
#
# Every object schema a response can use is made closed (`additionalProperties: false`) when the
# schema loads, unless it says otherwise: `response_schema_conformance` then fails on any
# property a response sends that openapi.yaml does not declare (a stored model leaking out).
# A schema combined with allOf is merged into one first, and the merge is closed.


def _resolve(raw, ref):
    node = raw
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def _flatten_all_of(raw, schema):
    """Merges allOf parts into the schema itself (properties and required, in order), so the
    whole can be closed: each part closed alone would refuse the properties of the others."""
    import copy

    parts = schema.pop("allOf")
    properties = dict(schema.get("properties") or {})
    required = list(schema.get("required") or [])
    for part in parts:
        part = _resolve(raw, part["$ref"]) if "$ref" in part else part
        if "allOf" in part:
            part = copy.deepcopy(part)
            _flatten_all_of(raw, part)
        for name, child in (part.get("properties") or {}).items():
            properties.setdefault(name, copy.deepcopy(child))
        required += [name for name in part.get("required") or [] if name not in required]
        if part.get("additionalProperties") is not None and "additionalProperties" not in schema:
            if part["additionalProperties"] is not False:
                schema["additionalProperties"] = copy.deepcopy(part["additionalProperties"])
        schema.setdefault("type", part.get("type", "object"))
    schema["properties"] = properties
    if required:
        schema["required"] = required


def close_response_schemas(raw):
    """Closes every object schema reachable from a response; answers how many were closed."""
    seen = set()
    closed = 0

    def walk(schema):
        nonlocal closed
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref not in seen:
                seen.add(ref)
                walk(_resolve(raw, ref))
            return
        if id(schema) in seen:
            return
        seen.add(id(schema))
        if "allOf" in schema:
            _flatten_all_of(raw, schema)
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
            closed += 1
        for key in ("properties", "patternProperties"):
            for child in (schema.get(key) or {}).values():
                walk(child)
        for key in ("items", "additionalProperties", "not"):
            walk(schema.get(key))
        for key in ("oneOf", "anyOf"):
            for child in schema.get(key) or []:
                walk(child)

    def walk_response(response):
        if "$ref" in response:
            response = _resolve(raw, response["$ref"])
        for media in (response.get("content") or {}).values():
            walk(media.get("schema"))

    for methods in (raw.get("paths") or {}).values():
        for operation in methods.values():
            if isinstance(operation, dict):
                for response in (operation.get("responses") or {}).values():
                    walk_response(response)
    return closed


@schemathesis.hook
def before_load_schema(context, raw_schema):
    close_response_schemas(raw_schema)


# --- Real ids, so operations reach their success paths ---------------------------------------
#
# Generated ids only ever find nothing (404). Two cases in three get ids that exist instead,
# read once from the running stack as the session in CONTRACT_COOKIE sees it (CONTRACT_URL):
# the company's projects, deliverables, notes, files, requests, invoices and estimates; for
# the agency, its clients with their contacts, projects and requests, and the other staff.
# The rest keep what was generated, so not-found paths stay tested too.

_KNOWN = None
_calls = 0


def _get(session, base, path):
    try:
        response = session.get(base + path, timeout=10)
        return response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        return {}


def _ids(items, key="id"):
    return [str(item[key]) for item in items or [] if isinstance(item, dict) and item.get(key) is not None]


def discover(base, cookie):
    """What exists, as the session sees it: {param name: [values]} plus consistent groups."""
    known = {"projects": [], "requests": [], "clients": [], "staff": [], "flat": {}}
    with requests.Session() as session:
        session.headers["Cookie"] = cookie
        me = _get(session, base, "/api/me")
        admin = (me.get("user") or {}).get("role") == "admin" or me.get("role") == "admin"
        flat = known["flat"]
        if not admin:
            for project in _ids(_get(session, base, "/api/projects?status=all&limit=100").get("items"))[:5]:
                detail = _get(session, base, f"/api/projects/{project}")
                files = _ids(_get(session, base, f"/api/projects/{project}/files?limit=50").get("items"))
                known["projects"].append({
                    "projectId": project,
                    "deliverableId": _ids(detail.get("deliverables")),
                    "noteId": _ids(detail.get("notes")),
                    "fileId": files,
                })
            for request in _ids(_get(session, base, "/api/requests?limit=50").get("items"))[:5]:
                files = _ids(_get(session, base, f"/api/requests/{request}").get("files"))
                known["requests"].append({"requestId": request, "fileId": files})
            flat["invoiceId"] = _ids(_get(session, base, "/api/invoices?limit=50").get("items"))
            flat["estimateId"] = _ids(_get(session, base, "/api/estimates").get("items"))
            flat["contactId"] = _ids(_get(session, base, "/api/team").get("items"))
            flat["passkeyId"] = _ids(_get(session, base, "/api/passkeys").get("items"))
        else:
            own = str((me.get("user") or {}).get("id", ""))
            flat["adminId"] = [i for i in _ids(_get(session, base, "/api/admin/staff").get("items")) if i != own]
            # The clients with the most in them (the contract run itself adds empty ones).
            for client in _ids(_get(session, base, "/api/admin/clients?limit=100").get("items"))[:15]:
                project_ids = _ids(_get(session, base, f"/api/admin/clients/{client}/projects?limit=50").get("items"))
                if not project_ids:
                    continue
                detail = _get(session, base, f"/api/admin/clients/{client}")
                contacts = detail.get("contacts") or []
                projects = []
                for project in project_ids[:3]:
                    tree = _get(session, base, f"/api/admin/clients/{client}/projects/{project}")
                    files = _ids(_get(session, base, f"/api/admin/clients/{client}/projects/{project}/files?limit=50").get("items"))
                    projects.append({
                        "projectId": project,
                        "deliverableId": _ids(tree.get("deliverables")),
                        "milestoneId": _ids(tree.get("milestones")),
                        "noteId": _ids(tree.get("notes")),
                        "fileId": files,
                    })
                request_list = _get(session, base, f"/api/admin/clients/{client}/requests?limit=50").get("items")
                requests_of = []
                for request in _ids(request_list)[:3]:
                    files = _ids(_get(session, base, f"/api/admin/clients/{client}/requests/{request}").get("files"))
                    requests_of.append({"requestId": request, "fileId": files})
                known["clients"].append({
                    "clientId": client,
                    "contactId": _ids(contacts),
                    "email": [c["email"] for c in contacts if isinstance(c, dict) and c.get("email")],
                    "projects": projects,
                    "requests": requests_of,
                })

            def richness(client):
                inside = sum(len(p[k]) for p in client["projects"] for k in ("deliverableId", "milestoneId", "noteId", "fileId"))
                return inside + len(client["contactId"]) + sum(len(r["fileId"]) + 1 for r in client["requests"])

            known["clients"] = sorted(known["clients"], key=richness, reverse=True)[:3]
    return known


def _pick(values, n):
    return values[n % len(values)] if values else None


def with_known_ids(path, params, known, n):
    """`params` with ids that exist put in, consistently (a deliverable of that project)."""
    params = dict(params)

    def put(name, value):
        if name in params and value is not None:
            params[name] = value

    scope = known
    if "clientId" in params and known["clients"]:
        # A client that has what the path names (a request's file, a project's deliverable).
        def fits(client):
            if "requestId" in params and "fileId" in params:
                return any(r["fileId"] for r in client["requests"])
            if "requestId" in params:
                return bool(client["requests"])
            wanted = [name for name in ("deliverableId", "milestoneId", "noteId", "fileId") if name in params]
            if "projectId" in params:
                return any(all(p.get(name) for name in wanted) for p in client["projects"])
            return True

        scope = _pick([c for c in known["clients"] if fits(c)] or known["clients"], n)
        put("clientId", scope["clientId"])
        put("contactId", _pick(scope["contactId"], n))
        put("email", _pick(scope["email"], n))
    if "requestId" in params:
        requests_here = scope.get("requests") or []
        if "fileId" in params:
            requests_here = [r for r in requests_here if r["fileId"]] or requests_here
        request = _pick(requests_here, n)
        if request:
            put("requestId", request["requestId"])
            put("fileId", _pick(request["fileId"], n))
    if "projectId" in params:
        projects = scope.get("projects") or []
        wanted = [name for name in ("deliverableId", "milestoneId", "noteId", "fileId") if name in params]
        fitting = [p for p in projects if all(p.get(name) for name in wanted)] or projects
        project = _pick(fitting, n)
        if project:
            put("projectId", project["projectId"])
            for name in wanted:
                put(name, _pick(project.get(name) or [], n))
    for name, values in known["flat"].items():
        put(name, _pick(values, n))
    return params


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    global _KNOWN, _calls
    base, cookie = os.environ.get("CONTRACT_URL"), os.environ.get("CONTRACT_COOKIE")
    if not path_parameters or not base or not cookie:
        return path_parameters
    _calls += 1
    if _calls % 3 == 0:
        return path_parameters  # a generated id: the not-found path
    if _KNOWN is None:
        _KNOWN = discover(base, cookie)
    path = getattr(getattr(context, "operation", None), "path", "")
    return with_known_ids(path, path_parameters, _KNOWN, _calls)


if __name__ == "__main__":
    # `python tools/schemathesis_hooks.py STATS`: the operations that never reached 2xx.
    with open(sys.argv[1], encoding="utf-8") as stats:
        missed = unreached(stats.read().splitlines())
    for method, path in missed:
        print(f"  no 2xx: {method} {path}")
    print(f"{len(missed)} operation(s) never answered 2xx")
