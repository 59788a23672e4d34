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
        documents = self.parse_all(probe)
        if len(documents) > 1:
            raise ParseError(f"the message carries {len(documents)} documents", code="JSON_DOCUMENTS_MULTIPLE",
                             line=1)
        return documents[0]

    def parse_all(self, probe: Probe) -> list[Document]:
        """``document``: one; ``documents``: several (an FHL's houses, an interchange's messages as JSON)."""
        obj = load(probe.data, strip="/document")
        if isinstance(obj, dict) and "document" in obj:
            return [DOCUMENT.validate_python(obj["document"])]  # the engine reports ValidationError
        if isinstance(obj, dict) and isinstance(obj.get("documents"), list) and obj["documents"]:
            return [DOCUMENT.validate_python(one) for one in obj["documents"]]
        raise ParseError("a canonical JSON message has a 'document' member (or a non-empty 'documents' list)",
                         code="JSON_MALFORMED", line=1)

    def render(self, doc: Document, ctx: RenderContext) -> Output:
        return self.render_all([doc], ctx)

    def render_all(self, docs: list[Document], ctx: RenderContext) -> Output:
        """One canonical JSON message: ``document`` for one, ``documents`` for several; ``origin`` (the
        hub message id and authenticated sender it comes from) when the context tells it."""
        bodies = [doc.model_dump_json(exclude_none=True) for doc in docs]
        member = f'"document":{bodies[0]}' if len(bodies) == 1 else f'"documents":[{",".join(bodies)}]'
        origin = "" if ctx.origin is None else \
            f'"origin":{json.dumps({"hub_message_id": ctx.origin[0], "sender": ctx.origin[1]})},'
        envelope = f'{{"schema":"{SCHEMA_ID}","message_id":{json.dumps(ctx.message_id)},{origin}{member}}}'
        return Output(data=envelope.encode(), media_type=self.media_type)


def adapters() -> list[Adapter]:
    from .quarantine import QuarantinePersons
    return [CanonicalJson(), QuarantinePersons()]
