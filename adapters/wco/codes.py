"""Code values of the WCO DMS profile and their canonical meaning, both ways.

Design note: the DMS profile allows FunctionCode 9, 13 and 14 only. The hub
writes an original as 9, an amendment as 13 with the declaration type kept, and
a cancellation the way UK CDS asks for an invalidation: 13 with TypeCode INV.
It reads the UNTDID 1225 codes as well (1 cancel, 4/5 change/replace). The
declaration type's first two letters (DE 1/1: IM, EX, CO) give the direction;
a canonical type that is not a WCO type (another agency's code) cannot share
TypeCode with the direction, so only the direction (IM/EX) is written for it.
"""

from __future__ import annotations

import re

from hub.errors import ConversionError
from hub.models import Direction, Function, ReceiptStatus, TransportMode

CANCEL_TYPE = "INV"
AMEND_CODE = "13"
_FUNCTIONS_IN = {"9": Function.ORIGINAL, "13": Function.AMEND, "5": Function.AMEND,
                 "4": Function.AMEND, "1": Function.CANCEL}
_FUNCTIONS_OUT = {Function.ORIGINAL: "9", Function.AMEND: AMEND_CODE, Function.CANCEL: AMEND_CODE}
_DIRECTIONS = {"IM": Direction.IMPORT, "EX": Direction.EXPORT}
_PREFIXES = {Direction.IMPORT: "IM", Direction.EXPORT: "EX"}
_WCO_TYPE = re.compile(r"^(IM|EX|CO)[A-Z]?$")


def function_in(code: str, type_code: str | None) -> Function | None:
    """The canonical function of a FunctionCode (13 with TypeCode INV is a cancellation)."""
    if code == AMEND_CODE and type_code == CANCEL_TYPE:
        return Function.CANCEL
    return _FUNCTIONS_IN.get(code.lstrip("0") or "0")


def function_out(function: Function) -> str:
    return _FUNCTIONS_OUT[function]


def direction_in(type_code: str | None) -> Direction:
    """IM... is an import, EX... an export; anything else (CO, none) counts as an import."""
    return _DIRECTIONS.get((type_code or "")[:2], Direction.IMPORT)


def type_code_in(type_code: str | None) -> str | None:
    """The canonical type code: None for INV and for a bare IM/EX (the direction says it all)."""
    if type_code == CANCEL_TYPE or type_code in _DIRECTIONS:
        return None
    return type_code


def type_code_out(function: Function, direction: Direction, type_code: str | None) -> str:
    """TypeCode to write: INV for a cancellation, a WCO type as is, else the direction alone."""
    if function is Function.CANCEL:
        return CANCEL_TYPE
    if type_code is not None and _WCO_TYPE.match(type_code):
        return type_code
    return _PREFIXES[direction]


# Canonical transport document types and their UNTDID 1001 document codes (PreviousDocument TypeCode).
_DOCUMENT_CODES = {"AWB": "740", "MAWB": "741", "HAWB": "703", "BL": "705", "MBL": "704",
                   "HBL": "714", "CIM": "720", "CMR": "730", "INVOICE": "380"}
_DOCUMENT_TYPES = {code: name for name, code in _DOCUMENT_CODES.items()}
PREVIOUS_DOCUMENT_CATEGORY = "Z"
"""DE 2/1 category of a previous (transport) document."""


def document_type_in(code: str | None) -> str:
    """The canonical document type of a DMS code; an unknown code is kept as it is."""
    return _DOCUMENT_TYPES.get(code or "", code or "")


def document_code_out(doc_type: str, pointer: str) -> str:
    """The DMS code of a canonical document type; an unknown type of up to 3 characters is kept."""
    code = _DOCUMENT_CODES.get(doc_type)
    if code is not None:
        return code
    if len(doc_type) <= 3:
        return doc_type
    known = ", ".join(_DOCUMENT_CODES)
    raise ConversionError(f"document type {doc_type!r} has no WCO document code (known: {known})",
                          code="CONVERT_FIELD_TOO_LONG", path=pointer)


def transport_mode_in(code: str | None) -> TransportMode | None:
    """Rec 19 mode; modes the canonical model has no name for (5 post, 7 pipeline ...) read as None."""
    if not code:
        return None
    try:
        return TransportMode.from_rec19(code)
    except KeyError:
        return None


_STATUSES_IN = {"01": ReceiptStatus.ACCEPTED, "02": ReceiptStatus.ACKNOWLEDGED,
                "03": ReceiptStatus.REJECTED}
_STATUSES_OUT = {ReceiptStatus.ACCEPTED: "01", ReceiptStatus.ACKNOWLEDGED: "02",
                 ReceiptStatus.REJECTED: "03", ReceiptStatus.OTHER: "09"}


def status_in(code: str) -> ReceiptStatus:
    """01 accepted, 02 received (an acknowledgement), 03 rejected; 09, 13 (assessment) ... other."""
    return _STATUSES_IN.get(code.zfill(2), ReceiptStatus.OTHER)


def status_out(status: ReceiptStatus, agency_status: str | None) -> str:
    """The agency's own code when it is a DMS code meaning the same status, else the status's code."""
    if agency_status and re.fullmatch(r"\d{1,2}", agency_status) and status_in(agency_status) is status:
        return agency_status
    return _STATUSES_OUT[status]


def is_rejection(code: str) -> bool:
    return status_in(code) is ReceiptStatus.REJECTED
