"""moto server, with DynamoDB's isolation of writes to the same item.

moto checks a write's conditions and then applies it, on whichever server thread the request
arrived on; two conditional writes or transactions racing on one item can both pass their
checks. DynamoDB serialises them (a transaction that touches an item another one is writing is
cancelled with `TransactionConflict`), and the portal's rules rely on it: the last owner of a
team, a login token redeemed once. So this runs moto's own server with one lock around
DynamoDB's writes: reads stay concurrent, writes see each other as they do on AWS.

Usage is moto_server's: `python tools/moto_server.py -H 127.0.0.1 -p 4566`.
"""

import functools
import sys
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_writes = threading.RLock()

for _name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
    _original = getattr(DynamoDBBackend, _name)

    @functools.wraps(_original)
    def _serialised(self, *args, __original=_original, **kwargs):
        with _writes:
            return __original(self, *args, **kwargs)

    setattr(DynamoDBBackend, _name, _serialised)

if __name__ == "__main__":
    sys.exit(main())
