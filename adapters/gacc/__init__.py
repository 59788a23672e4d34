"""China customs (GACC) formats: manifests (舱单) and customs declarations (报关单).

Design note: GACC publishes no XSD for these messages, so the hub ships its own in
``schemas/gacc/``, written from the published structure, reference templates and
receipts seen in public code (see each module's notes). Conventions shared by all:

- Times carry no offset and are Beijing time (:mod:`.clock`).
- GACC code lists differ from the canonical ISO/UN ones; :mod:`.codes` holds small
  explicit tables, and an unmapped code is an error naming the field.
- Manifest Heads take MessageID/SenderID/ReceiverID/SendTime from the RenderContext
  (ctx.message_id verbatim; :func:`.head.message_id` mints the GACC-style id).
- A waybill renders as a one-consignment MT1101/MT2101 of its first flight. It has no
  customs office, so its manifest has no DeclarationOfficeID.

Adapters: gacc-mt1101, gacc-mt2101 (manifests; write waybills too), gacc-mt3101 (arrival
report), gacc-mt4101 (tally report), gacc-mt9999 (manifest receipt, answering any of them),
gacc-dec (DecMessage), gacc-dec-response (DecImportResponse), gacc-dec-result (DEC_RESULT).
"""

from hub.adapters import Adapter

from .dec import CustomsDeclaration
from .dec_receipts import DecImportResponse, DecResult
from .head import message_id
from .manifest import OriginalManifest, PreloadingManifest
from .manifest_receipt import ManifestReceipt
from .manifest_report import ArrivalReportAdapter, TallyReportAdapter

__all__ = ["adapters", "message_id"]


def adapters() -> list[Adapter]:
    """The GACC adapters, in detection order."""
    return [OriginalManifest(), PreloadingManifest(), ArrivalReportAdapter(), TallyReportAdapter(),
            ManifestReceipt(), CustomsDeclaration(), DecImportResponse(), DecResult()]
