"""Canonical JSON: the hub's own model as JSON, for agencies with JSON interfaces and for debugging."""

from __future__ import annotations

import json

from hub.adapters import Adapter, Output, Probe, RenderContext
from hub.errors import ParseError
from hub.models import DOCUMENT, Document, Kind

from .loader import load

SCHEMA_ID = "eport-hub.canonical/1"


class CanonicalJson(Adapter):
    name = "json"
    family = "canonical"
    description = "the hub's canonical model as JSON (any kind)"
    media_type = "application/json"
    reads = frozenset(Kind)
    writes = frozenset(Kind)

    def detect(self, probe: Probe) -> bool:
        head = probe.head
        return head[:1] == b"{" and SCHEMA_ID.encode() in head

    def parse(self, probe: Probe) -> Document:
        obj = load(probe.data, strip="/document")
        if not isinstance(obj, dict) or "document" not in obj:
            raise ParseError("a canonical JSON message has a 'document' member", code="JSON_MALFORMED", line=1)
        return DOCUMENT.validate_python(obj["document"])  # the engine reports ValidationError

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        body = doc.model_dump_json(exclude_none=True)
        envelope = (f'{{"schema":"{SCHEMA_ID}","message_id":{json.dumps(ctx.message_id)},'
                    f'"document":{body}}}')
        return Output(data=envelope.encode(), media_type=self.media_type)


def adapters() -> list[Adapter]:
    from .quarantine import QuarantinePersons
    return [CanonicalJson(), QuarantinePersons()]
