"""FMA (accepted) and FNA (rejected): answers that echo the message they answer.

Layout::

    FNA/1                                  FMA for an acknowledgement
    ACK/RULE_AWB_CHECK_DIGIT (/number): AWB 157-53806271 fails its check digit
    /CIMP_TAG_UNKNOWN: line 7: unknown tag 'XYZ'        one reason per line (none: no ACK line);
    / ...                                  a reason longer than a line (65) continues on lines led by a blank
    FWB/16                                 the answered message, from its identifier line on
    157-53806271HKGNLU/T2K505.0
    ...

The answered message's type and business key (its AWB, house number, or
flight and day) are read from the echo; the echo itself is ``Receipt.text``.
A reason the hub writes is ``CODE (pointer): text``; a reason in any other
shape (``INVALID AWB NO``) is read whole as the text of an error coded FNA or
FMA. The issuer and time are the envelope's originator and transmission time.
The hub does not answer an FMA or FNA (no negative receipt), so two systems
cannot trade rejections forever.
"""

from __future__ import annotations

import re
from typing import ClassVar

from hub.models import Document, Kind, Receipt, ReceiptError, ReceiptStatus

from .base import CargoImpAdapter, Message, business_key
from .lines import one_line, printable, wrap

_IDENTIFIER = re.compile(r"^([A-Z]{3})(?:/\d{1,3})?\s*$")
REASON = 65
"""Characters of an ACK reason line: a longer reason goes on continuation lines led by a blank."""
_REASON = re.compile(r"^([A-Z][A-Z0-9_]*)(?: \(([^)]*)\))?(?:: (.*))?$")


class AckAdapter(CargoImpAdapter):
    """An FMA or FNA: a receipt of one status that echoes the answered message."""

    negative_receipt = None
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})
    statuses: ClassVar[frozenset[ReceiptStatus]]
    """The receipt statuses it writes."""
    status: ClassVar[ReceiptStatus]
    """The status it reads as."""

    def accepts(self, doc: Document) -> bool:
        return isinstance(doc, Receipt) and doc.status in self.statuses

    def read(self, msg: Message) -> Receipt:
        body, reasons = msg.body, []
        if body and (body[0].text.startswith("ACK/") or body[0].text.strip() == "ACK"):
            reasons.append(body[0].after(1))
            body = body[1:]
            while body and body[0].text.startswith("/"):
                text = body[0].after(1)
                if text.startswith(" ") and reasons:
                    reasons[-1] = reasons[-1].rstrip() + " " + text.strip()   # a long reason, wrapped
                else:
                    reasons.append(text)
                body = body[1:]
        match = _IDENTIFIER.match(body[0].text) if body else None
        answered = match.group(1) if match else None
        key = business_key(answered, body[1:], lambda: msg.reference) if answered else None
        header = msg.header
        return Receipt(header=header, answers_type=answered, business_key=key or "", issuer=header.sender_id,
                       status=self.status, issued_at=header.issued_at,
                       text="\n".join(line.text for line in body) or None,
                       errors=[self._error(r.strip()) for r in reasons if r.strip()])

    def _error(self, reason: str) -> ReceiptError:
        match = _REASON.match(reason)
        if match is None:
            return ReceiptError(code=self.identifier, text=reason)
        return ReceiptError(code=match.group(1), pointer=match.group(2) or None, text=match.group(3) or None)

    def write(self, r: Receipt) -> list[str]:
        pieces = [(" " if i else "") + piece for e in r.errors
                  for i, piece in enumerate(wrap(printable(_reason(e), "ACK/reason"), REASON - 1))]
        reasons = [("ACK/" if i == 0 else "/") + piece for i, piece in enumerate(pieces)]
        return reasons + [line for line in (r.text or "").splitlines() if line.strip()]


def _reason(error: ReceiptError) -> str:
    text = error.code
    if error.pointer:
        text += f" ({one_line(error.pointer).replace(')', ']')})"
    return text + (f": {one_line(error.text)}" if error.text else "")


class Fma(AckAdapter):
    """FMA: the answered message was accepted."""

    name = "fma"
    identifier = "FMA"
    version = None
    description = "IATA Cargo-IMP FMA acknowledgement (accepted; echoes the message)"
    statuses = frozenset({ReceiptStatus.ACCEPTED, ReceiptStatus.ACKNOWLEDGED})
    status = ReceiptStatus.ACCEPTED


class Fna(AckAdapter):
    """FNA: the answered message was rejected, with the reasons."""

    name = "fna"
    identifier = "FNA"
    version = "1"
    description = "IATA Cargo-IMP FNA rejection (reasons; echoes the message)"
    statuses = frozenset({ReceiptStatus.REJECTED})
    status = ReceiptStatus.REJECTED
