"""Receipt: an answer to a message, from an agency (or from the hub to a sender)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import Field

from .common import Kind, MessageHeader, Model


class ReceiptStatus(str, Enum):
    """The hub's reading of an agency answer; ``agency_status`` keeps the agency's own code."""

    ACKNOWLEDGED = "acknowledged"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    OTHER = "other"


class ReceiptError(Model):
    code: str
    text: str | None = None
    pointer: str | None = None


class Receipt(Model):
    """Which message it answers, from whom, how it stands, and the agency's own reference."""

    kind: Literal[Kind.RECEIPT] = Kind.RECEIPT
    header: MessageHeader = Field(default_factory=MessageHeader)
    answers_message_id: str | None = None
    answers_interchange: str | None = Field(None, description="the answered envelope's reference "
                                            "(EDIFACT UNB 0020, DXP CopMsgId) when the format has one")
    answers_type: str | None = Field(None, description="the answered message type, e.g. 741, MT1101, DEC")
    business_key: str = Field(..., description="the business key of the answered message")
    issuer: str | None = Field(None, description="who answered (agency id)")
    status: ReceiptStatus
    agency_status: str | None = Field(None, description="the agency's own status code or name")
    agency_reference: str | None = Field(None, description="MRN, SeqNo, entry number ...")
    issued_at: datetime | None = None
    text: str | None = None
    errors: list[ReceiptError] = Field(default_factory=list)
    more: list[Receipt] = Field(default_factory=list, description="further answers the same message "
                                  "carries (other records of a CEB receipt), each correlated on its own, "
                                  "applied before this one, oldest first")

    def answers(self) -> list[Receipt]:
        """Every answer in this message, in the order to apply them (this one last)."""
        return [*self.more, self.model_copy(update={"more": []})]
