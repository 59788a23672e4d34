"""ULD identifiers as Cargo-IMP writes them: type, serial and owner run together (``PMC12345CA``).

An FFM's ULD line and an FWB's ULD number (RTD ``/NU/``) both carry the whole identifier: three
letters of ULD type, four or five digits of serial number, two characters of owner (an airline
code), as the canonical model reads and writes one (``TransportEquipment.from_id`` and ``.id``),
without the blanks the model also reads. Equipment that is not such a ULD (a ULD without its
owner, a sea container) has no place in either: writing it is CONVERT_FIELD_INVALID rather than
a line the receiver cannot read.
"""

from __future__ import annotations

from hub.errors import ConversionError
from hub.models import TransportEquipment


def read_uld(text: str) -> TransportEquipment | None:
    """``PMC12345CA`` as a ULD's type, serial and owner; None when the text is not one."""
    text = text.strip()
    uld = TransportEquipment.from_id(text)
    return uld if uld.owner is not None and " " not in text else None


def write_uld(uld: TransportEquipment, where: str) -> str:
    """The identifier of a whole ULD (type, serial, owner); anything else is CONVERT_FIELD_INVALID."""
    text = uld.id.upper()
    if uld.type_code is None or uld.serial is None or uld.owner is None or read_uld(text) is None:
        raise ConversionError(f"equipment {uld.id!r} is not a ULD of type, serial and owner (PMC12345CA), "
                              f"which is all {where} can name", code="CONVERT_FIELD_INVALID")
    return text
