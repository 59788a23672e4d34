"""Send one message file to the e-port hub, then print its status events until every delivery is answered.

    EPORT_AMQP_URL=amqps://AIRLINE-CA:SECRET@hub.example:5671/%2F python sender.py FILE MESSAGE_ID

Needs pika. The contract is docs/integration.md. EPORT_PREFIX: the hub's topology prefix (default hub).
"""

import json
import os
import sys
import time

import pika

params = pika.URLParameters(os.environ["EPORT_AMQP_URL"])
party, prefix = params.credentials.username, os.environ.get("EPORT_PREFIX", "hub")   # login = party id
path, message_id = sys.argv[1:3]
channel = pika.BlockingConnection(params).channel()
channel.confirm_delivery()   # from now on basic_publish raises unless the broker confirms
types = {".xml": "application/xml", ".json": "application/json"}
props = pika.BasicProperties(user_id=party, message_id=message_id, delivery_mode=pika.DeliveryMode.Persistent,
                             content_type=types.get(os.path.splitext(path)[1], "text/plain"))
with open(path, "rb") as file:
    channel.basic_publish(f"{prefix}.in", "", file.read(), props, mandatory=True)

FINAL = {"delivery.accepted", "delivery.rejected", "delivery.refused", "delivery.failed"}
ours, waiting = set(), set()   # our hub message ids (one per document: <id>-P<n>), (hub id, receiver) unanswered
deadline = time.monotonic() + float(os.environ.get("EPORT_WAIT_SECONDS", "120"))
for method, props, body in channel.consume(f"{prefix}.status.{party}", inactivity_timeout=1):
    if method is not None:
        channel.basic_ack(method.delivery_tag)
        event = json.loads(body) if props.content_type == "application/json" else {}  # else the native receipt
        mine = (event.get("sender_message_id") or "").split("#")[0] == message_id  # <id>#<n>: the n-th document
        if event and (mine or event["hub_message_id"] in ours):
            print(json.dumps(event, ensure_ascii=False), flush=True)
            hub_id, name = event["hub_message_id"], event["event"]
            ours.add(hub_id)
            if name in ("message.rejected", "message.duplicate") or (name == "message.failed"
                                                                    and not event["retrying"]):
                sys.exit(1)   # refused, or dead-lettered: the event's errors say why
            waiting |= {(hub_id, d["receiver"]) for d in event.get("deliveries", [])}
            waiting -= {(hub_id, event.get("receiver"))} if name in FINAL else set()
    if (ours and not waiting) or time.monotonic() > deadline:
        break
sys.exit(0 if ours and not waiting else 2)   # 0: every delivery answered; 2: still waiting at the deadline
