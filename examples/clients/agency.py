"""Take deliveries from the e-port hub and answer each with an "accepted" receipt in canonical JSON.

    EPORT_AMQP_URL=amqps://ARCHIVE:SECRET@hub.example:5671/%2F python agency.py [COUNT]

Needs pika. The contract is docs/integration.md: a receipt goes to the receipts exchange and quotes the
delivery's AMQP message_id (<hub message id>.<receiver>), which correlates it to exactly that delivery.
EPORT_PREFIX: the hub's topology prefix (default hub). COUNT: stop after that many deliveries.
"""

import json
import os
import sys
import uuid

import pika

params = pika.URLParameters(os.environ["EPORT_AMQP_URL"])
party, prefix = params.credentials.username, os.environ.get("EPORT_PREFIX", "hub")   # login = party id
count = int(sys.argv[1]) if sys.argv[1:] else None
channel = pika.BlockingConnection(params).channel()
channel.confirm_delivery()   # basic_publish raises unless the broker confirms the receipt
channel.basic_qos(prefetch_count=10)
for n, (method, props, body) in enumerate(channel.consume(f"{prefix}.out.{party}"), 1):
    headers = props.headers or {}
    # ... hand `body` (format: headers["x-hub-format"]) to the agency's own system here ...
    receipt = {"schema": "eport-hub.canonical/1", "message_id": f"{party}-{uuid.uuid4().hex}",
               "document": {"kind": "receipt", "answers_message_id": props.message_id, "status": "accepted",
                            "business_key": headers.get("x-hub-business-key") or props.message_id}}
    channel.basic_publish(f"{prefix}.acks", "", json.dumps(receipt).encode(), pika.BasicProperties(
        user_id=party, message_id=receipt["message_id"], content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent))
    channel.basic_ack(method.delivery_tag)   # only once the receipt is confirmed: a crash answers again
    print(f"{props.message_id} {headers.get('x-hub-format')} {len(body)} bytes -> accepted", flush=True)
    if n == count:
        break
