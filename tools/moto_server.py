"""moto server, with DynamoDB's isolation of writes to the same item.

moto checks a write's conditions and then applies it, on whichever server thread the request
arrived on; two conditional writes or transactions racing on one item can both pass their
checks. DynamoDB serialises them (a transaction that touches an item another one is writing is
cancelled with `TransactionConflict`), and the portal's rules rely on it: the last owner of a
team, a login token redeemed once. So this runs moto's own server with one lock around
DynamoDB's writes: reads stay concurrent, writes see each other as they do on AWS.

It also names two answers as S3 does: moto 5.2 wraps ListParts and CompleteMultipartUpload in
`<…Response>`, where S3 (and so the SDK's parser) says `<ListPartsResult>` and
`<CompleteMultipartUploadResult>`; multipart uploads need both.

It also honours TransactWriteItems' `ClientRequestToken` as DynamoDB does: the SDK sends one
with every transaction and keeps it when it retries, so a transaction whose answer was lost (an
attempt that timed out while the emulator was busy) succeeds when retried instead of failing its
own conditions; moto ignores the token.

And `/moto-api/data.json` (the dev mailbox and the tests read sent mail from it) survives an
unfinished multipart upload: moto 5.2 fails the whole page on an attribute of a part it cannot
read, so attributes that fail in any way are left out, as moto already does for those it cannot
serialise (and objects' bytes are not read at all). `?service=ses` limits the walk to one
service, which the mailbox reader asks for.

Two costs of moto's server that every request paid are cut (a profile of the contract run put
them at about a third of moto's time): the dispatcher found each request's service by listing
moto's package directory and matching hundreds of URL patterns, under a lock; here the answer
is remembered per host. And werkzeug logged every request; `MOTO_REQUEST_LOG=1` brings the lines
back.

Usage is moto_server's: `python tools/moto_server.py -H 127.0.0.1 -p 4566`.
"""

import functools
import logging
import os
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

from moto.core.responses import ActionResult
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler
import json

from moto.core.serialize import S3Serializer
from moto.moto_api._internal.responses import MotoAPIResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import main

_writes = threading.RLock()

for _name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
    _original = getattr(DynamoDBBackend, _name)

    @functools.wraps(_original)
    def _serialised(self, *args, __original=_original, **kwargs):
        with _writes:
            return __original(self, *args, **kwargs)

    setattr(DynamoDBBackend, _name, _serialised)

# ClientRequestToken → when it succeeded; DynamoDB remembers a token for ten minutes.
_TOKEN_SECONDS = 600
_done_tokens: dict = {}
_transact = DynamoHandler.transact_write_items


@functools.wraps(_transact)
def _idempotent_transact(self):
    token = self.body.get("ClientRequestToken")
    if not token:
        return _transact(self)
    # Under the write lock: a retry waits for its first attempt to finish, then sees its token.
    with _writes:
        now = time.monotonic()
        for seen, at in list(_done_tokens.items()):
            if now - at > _TOKEN_SECONDS:
                del _done_tokens[seen]
        if token in _done_tokens:
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = _transact(self)
        _done_tokens[token] = now
        return result


DynamoHandler.transact_write_items = _idempotent_transact

_serialize_s3 = S3Serializer._serialized_result_to_response
_RESULT_ROOTS = ("ListParts", "CompleteMultipartUpload")


def _s3_result(self, resp, result, shape, serialized_result):
    resp = _serialize_s3(self, resp, result, shape, serialized_result)
    name = self.operation_model.name
    if name in _RESULT_ROOTS and isinstance(resp.get("body"), str):
        body = resp["body"].replace(f"<{name}Response", f"<{name}Result", 1)
        resp["body"] = body.replace(f"</{name}Response>", f"</{name}Result>", 1)
    return resp


S3Serializer._serialized_result_to_response = _s3_result



def _model_data(self, request, full_url, headers):
    from moto.core.model_instances import model_data

    # `?service=ses` walks that service alone. The whole walk reads every DynamoDB item and S3
    # object ever stored, so a mailbox poll would grow slower with every test that ran before it.
    only = parse_qs(urlparse(full_url).query).get("service")
    results = {}
    for service in sorted(model_data):
        if only and service not in only:
            continue
        models = model_data[service]
        results[service] = {}
        for name in sorted(models):
            results[service][name] = []
            for instance in models[name].instances_tracked:
                fields = {}
                for attr in dir(instance):
                    # `value` is an object's bytes: never JSON, and reading a large one per
                    # mailbox poll would be slow.
                    if attr.startswith("_") or attr == "value":
                        continue
                    try:
                        value = getattr(instance, attr)
                        json.dumps(value)
                    except Exception:  # noqa: BLE001 - moto skips what it cannot read
                        continue
                    fields[attr] = value
                results[service][name].append(fields)
    return 200, {"Content-Type": "application/javascript"}, json.dumps(results)


MotoAPIResponse.model_data = _model_data

# The service a host name stands for never changes while the server runs.
_backend_for_host = DomainDispatcherApplication.get_backend_for_host
_backends_by_host: dict = {}


@functools.wraps(_backend_for_host)
def _remembered_backend_for_host(self, host):
    if host not in _backends_by_host:
        _backends_by_host[host] = _backend_for_host(self, host)
    return _backends_by_host[host]


DomainDispatcherApplication.get_backend_for_host = _remembered_backend_for_host

if os.environ.get("MOTO_REQUEST_LOG") != "1":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

if __name__ == "__main__":
    sys.exit(main())
