"""Schemathesis hooks for `make test`'s API contract step.

The local Lambda emulator (`cargo lambda watch`) cannot turn a request body that is not valid
UTF-8 into an API Gateway event: it answers 500 itself, before any function code runs. API
Gateway base64-encodes such bodies, and the functions answer 400 `invalid_json` — proven in
process by `shared/tests/it/http_errors.rs::non_utf8_body_is_400`. So those generated bodies are
skipped here rather than reported as the functions' failures.
"""

import json

import schemathesis


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
