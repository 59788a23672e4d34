"""The consignment detail every Cargo-IMP message opens with: ``157-53806270HKGNLU/P2K505.0MC1.2T10``.

AWB (prefix-serial), origin and destination, then the quantity: shipment
description code (T total, P part, S split, D divided), pieces, weight code
(K kilograms, L pounds) and weight, optionally a volume (MC cubic metres, CF
cubic feet, CI cubic inches, CC cubic centimetres), a density group (DG, read
and dropped) and, for a part, the consignment's total pieces (T298).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from hub.errors import ConversionError
from hub.models import Location, Measure

from .lines import Line

_DETAIL = re.compile(r"^(\d{3}-\d{8})([A-Z]{3})([A-Z]{3})(?:/(.*))?$")
_QUANTITY = re.compile(r"^([TPSD])(\d{1,5})(?:([A-Z])(\d{1,7}(?:\.\d{1,3})?))?(?:(MC|CF|CI|CC)(\d{1,9}(?:\.\d{1,3})?))?"
                       r"(?:DG\d{1,2})?(?:T(\d{1,5}))?$")
AWB_START = re.compile(r"^(\d{3}-\d{8})")
WEIGHT_UNITS = {"K": "KGM", "L": "LBR"}
VOLUME_UNITS = {"MC": "MTQ", "CF": "FTQ", "CI": "INQ", "CC": "CMQ"}
_WEIGHT_CODES = {unit: code for code, unit in WEIGHT_UNITS.items()}
_VOLUME_CODES = {unit: code for code, unit in VOLUME_UNITS.items()}
_TO_KILOGRAMS = {"TNE": Decimal(1000), "GRM": Decimal("0.001")}


@dataclass(frozen=True)
class Quantity:
    """Pieces, weight and volume, and what they cover."""

    code: str
    pieces: int
    weight: Measure | None = None
    volume: Measure | None = None
    total: int | None = None

    @property
    def consignment_pieces(self) -> int | None:
        """The whole consignment's pieces: the stated total, or the pieces of a total (T) line."""
        return self.total if self.total is not None else (self.pieces if self.code == "T" else None)


@dataclass(frozen=True)
class Detail:
    """An AWB consignment detail line."""

    awb: str
    origin: Location
    destination: Location
    quantity: Quantity | None
    rest: list[str]
    """Fields after the quantity (an FFM line's description and handling codes)."""


def read_detail(line: Line, quantity_required: bool = True) -> Detail:
    """Parse an AWB consignment detail line; a malformed one is CIMP_AWB_LINE_INVALID."""
    match = _DETAIL.match(line.text.rstrip())
    if not match:
        raise line.error(f"{line.text.strip()[:40]!r} is not an AWB line (157-53806270HKGNLU/T2K505.0)",
                         "CIMP_AWB_LINE_INVALID")
    fields = match.group(4).split("/") if match.group(4) is not None else []
    quantity = read_quantity(fields[0], line) if fields and fields[0] else None
    if quantity is None and quantity_required:
        raise line.error("the AWB line has no quantity (/T2K505.0)", "CIMP_AWB_LINE_INVALID")
    return Detail(match.group(1), Location(code=match.group(2)), Location(code=match.group(3)), quantity, fields[1:])


def read_quantity(text: str, line: Line) -> Quantity:
    """``T10K505.0`` and its variants; a weight code other than K or L is CIMP_WEIGHT_CODE_INVALID."""
    match = _QUANTITY.match(text.strip())
    if not match:
        raise _invalid(line, text, "a quantity (T10K505.0: code, pieces, K or L, weight)")
    code, pieces, weight_code, weight, volume_code, volume, total = match.groups()
    if weight_code is not None and weight_code not in WEIGHT_UNITS:
        raise line.error(f"weight code {weight_code!r} is neither K (kilograms) nor L (pounds)",
                         "CIMP_WEIGHT_CODE_INVALID")
    return Quantity(code, int(pieces),
                    None if weight is None else Measure(value=Decimal(weight), unit=WEIGHT_UNITS[weight_code]),
                    None if volume is None else Measure(value=Decimal(volume), unit=VOLUME_UNITS[volume_code]),
                    None if total is None else int(total))


def read_weight(text: str, line: Line) -> Measure:
    """``K1747`` (an FHL house line): a weight code other than K or L is CIMP_WEIGHT_CODE_INVALID."""
    match = re.match(r"^([A-Z])(\d{1,7}(?:\.\d{1,3})?)$", text.strip())
    if not match:
        raise _invalid(line, text, "a weight (K1747)")
    if match.group(1) not in WEIGHT_UNITS:
        raise line.error(f"weight code {match.group(1)!r} is neither K (kilograms) nor L (pounds)",
                         "CIMP_WEIGHT_CODE_INVALID")
    return Measure(value=Decimal(match.group(2)), unit=WEIGHT_UNITS[match.group(1)])


def write_detail(awb: str, origin: Location | None, destination: Location | None, quantity: Quantity | None) -> str:
    """``157-53806270HKGNLU/P2K505.0T10``."""
    if origin is None or destination is None:
        raise ConversionError(f"AWB {awb} needs an origin and a destination in Cargo-IMP",
                              code="CONVERT_FIELD_MISSING")
    text = f"{awb}{origin.code}{destination.code}"
    return text if quantity is None else f"{text}/{write_quantity(quantity)}"


def write_quantity(q: Quantity) -> str:
    """The quantity text; a total is written only for a part of a consignment."""
    text = f"{q.code}{q.pieces}"
    if q.weight is not None:
        text += write_weight(q.weight)
    if q.volume is not None:
        text += write_volume(q.volume)
    if q.total is not None and q.code != "T":
        text += f"T{q.total}"
    return text


def write_weight(weight: Measure) -> str:
    """``K505.0``: kilograms or pounds; tonnes and grams become kilograms."""
    if weight.unit in _TO_KILOGRAMS:
        weight = Measure(value=(weight.value * _TO_KILOGRAMS[weight.unit]).normalize(), unit="KGM")
    if weight.unit not in _WEIGHT_CODES:
        raise ConversionError(f"Cargo-IMP weights are in KGM or LBR, not {weight.unit}", code="CONVERT_UNIT")
    return _WEIGHT_CODES[weight.unit] + format(weight.value, "f")


def write_volume(volume: Measure) -> str:
    """``MC1.20``: cubic metres, feet, inches or centimetres."""
    if volume.unit not in _VOLUME_CODES:
        raise ConversionError(f"Cargo-IMP volumes are in MTQ, FTQ, INQ or CMQ, not {volume.unit}",
                              code="CONVERT_UNIT")
    return _VOLUME_CODES[volume.unit] + format(volume.value, "f")


def read_volume(text: str, line: Line) -> Measure:
    """``MC0.36`` (an RTD /NV/ line)."""
    match = re.match(r"^(MC|CF|CI|CC)(\d{1,9}(?:\.\d{1,3})?)$", text.strip())
    if not match:
        raise _invalid(line, text, "a volume (MC0.36)")
    return Measure(value=Decimal(match.group(2)), unit=VOLUME_UNITS[match.group(1)])


_LONG_NUMBER = re.compile(r"[0-9]{10,}")
"""More digits than any Cargo-IMP quantity field holds (pieces 5, weight 7, volume 9)."""


def _invalid(line: Line, text: str, what: str):
    """CIMP_QUANTITY_INVALID, or NUMBER_OUT_OF_RANGE when a number is longer than any field holds."""
    text = text.strip()
    shown = repr(text) if len(text) <= 40 else f"{text[:30]!r}... ({len(text)} characters)"
    if (long := _LONG_NUMBER.search(text)) is not None:
        return line.error(f"{shown}: a number of {len(long.group())} digits is out of range for {what}",
                          "NUMBER_OUT_OF_RANGE")
    return line.error(f"{shown} is not {what}", "CIMP_QUANTITY_INVALID")
