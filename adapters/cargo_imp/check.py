"""Checks a Cargo-IMP message's lines against the field definitions of its version (:mod:`.fields`).

Run on read, after the message has been read (so the reader's own codes, CIMP_AWB_LINE_INVALID,
CIMP_DATE_INVALID ..., still name what they name), and on write, before the text leaves the hub.
Each finding names its line and its field (``path``: the line's tag, then the field, ``NAM/name``).
Lines the hub reads past (charges, rates, certification, dimensions, onward movements) are not
checked: their fields are not the hub's to vouch for. Values are compared without trailing blanks
(a blank after the last character carries nothing; fixed-width goods lines keep theirs when read).

A field value breaking its format or length is ``value`` trouble (CIMP_FIELD_TOO_LONG,
CIMP_FIELD_FORMAT, CIMP_FIELD_MISSING); a run-together field that does not even have its shape
(a quantity that is no quantity) is ``structural``: on write the first is the sender's value the
target cannot carry, the second a line the writer made wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hub.errors import Problem

from .fields import (
    ACCOUNT,
    AWB,
    CARRIER,
    CONTACT_ID,
    CONTACT_NUMBER,
    COUNTRY,
    DAY_MONTH_TIME,
    FLIGHT,
    NAME,
    OCI,
    PLACE,
    PLACES,
    POSTCODE,
    QUANTITY,
    SHC,
    STATE,
    STREET,
    ULD,
    Field,
    Item,
    Version,
)
from .lines import PARTY_SUBTAGS, PARTY_TAGS, Line, tag_of

_COUNTRY_LINE = re.compile(r"^/[A-Z]{2}(/|\s*$)")
_DAY = re.compile(r"^\d{2}[A-Z]{3}")
_QUANTITY_START = re.compile(r"^[TPSD]\d")
_INFO_TAGS = frozenset({"OSI", "OCI", "DIM", "SCI", "COR", "SSR"})


@dataclass(frozen=True)
class Finding:
    """A field that breaks its definition: where (line and path), what, and whether the line's shape is wrong."""

    code: str
    message: str
    line: int
    path: str
    structural: bool = False

    def problem(self) -> Problem:
        return Problem(self.code, f"line {self.line}: {self.path}: {self.message}", self.line, self.path)


@dataclass
class _Segment:
    tag: str
    line: Line
    more: list[Line]


def check(version: Version, body: list[Line]) -> list[Finding]:
    """Every finding in a message body (the lines after its identifier), in line order."""
    walk = _WALKS[version.message]
    return sorted(walk(version, body), key=lambda f: f.line)


def items(line: Line, label: str, defs: Sequence[Item], values: Sequence[str]) -> Iterator[Finding]:
    """Findings of positional values against their definitions (extra values are not this table's; a
    definition without a value counts only when the field is required)."""
    for item, value in zip(defs, values):
        yield from one(line, label, item, value)
    for item in defs[len(values):]:
        if item.required:
            yield from one(line, label, item, "")


def one(line: Line, label: str, item: Item, value: str) -> tuple[Finding, ...]:
    """Findings of one value against its definition (none, the usual case, costs one regex)."""
    value = value.rstrip()
    if isinstance(item, Field):
        found = item.problem(value)
        return () if found is None else (Finding(found[0], found[1], line.number, f"{label}/{item.name}"),)
    if not value:
        return (Finding("CIMP_FIELD_MISSING", f"the {item.name} is missing", line.number,
                        f"{label}/{item.name}"),) if item.required else ()
    match = item.pattern.match(value.strip())
    if match is None:
        return (Finding("CIMP_FIELD_FORMAT", f"{value[:40]!r} is not a {item.name} ({item.example})", line.number,
                        f"{label}/{item.name}", structural=True),)
    found: list[Finding] = []
    for part, text in zip(item.parts, match.groups()):
        if text is not None and (problem := part.problem(text)) is not None:
            found.append(Finding(problem[0], problem[1], line.number, f"{label}/{part.name}"))
        elif text is None and part.required:
            found += one(line, label, part, "")
    return tuple(found)


def _segments(lines: list[Line]) -> list[_Segment]:
    found: list[_Segment] = []
    for line in lines:
        tag = tag_of(line)
        if found and (line.text.startswith("/") or (tag in PARTY_SUBTAGS and found[-1].tag in PARTY_TAGS)):
            found[-1].more.append(line)
        elif tag is not None:
            found.append(_Segment(tag, line, []))
    return found


def _detail(line: Line, text: str, label: str) -> Iterator[Finding]:
    """An AWB consignment detail (``157-53806270HKGNLU/T2K505.0``) and the fields after it."""
    head, _, rest = text.partition("/")
    yield from one(line, label, AWB, head)
    quantity = rest.split("/")[0]
    if quantity.strip():
        yield from one(line, label, QUANTITY, quantity)


def _common(v: Version, seg: _Segment) -> Iterator[Finding]:
    """OSI, SSR, OCI and SPH, as every message writes them."""
    if seg.tag in ("OSI", "SSR"):
        for line in seg.line, *seg.more:
            yield from one(line, seg.tag, v.lines[seg.tag][0], line.after(1))
    elif seg.tag == "OCI":
        for line in seg.line, *seg.more:
            yield from items(line, "OCI", OCI, [*line.fields[1:4], line.after(4)])
    elif seg.tag == "SPH":
        for line in seg.line, *seg.more:
            yield from _codes(line, "SPH", line.fields[1:])


def _codes(line: Line, label: str, values: list[str]) -> Iterator[Finding]:
    codes = [c for c in values if c.strip()]
    if len(codes) > len(SHC_DEFS):
        yield Finding("CIMP_FIELD_TOO_LONG", f"{len(codes)} special handling codes; a line takes {len(SHC_DEFS)}",
                      line.number, f"{label}/{SHC.name}")
    yield from items(line, label, SHC_DEFS, codes)


SHC_DEFS = (SHC,) * 9


def _party(v: Version, seg: _Segment) -> Iterator[Finding]:
    """A SHP, CNE or NFY block: NAM/ADR/LOC with their continuations, or the positional layout."""
    tag, tagged = seg.tag, any(_subtag(line) for line in seg.more)
    head = seg.line.after(1).split("/")[0]
    if not tagged and v.message == "FHL":          # FHL/1-4: the name on the tag line
        yield from one(seg.line, tag, NAME, head) if head.strip() else iter(())
        yield from _positional(seg, seg.more, name_on_tag=True)
        return
    yield from one(seg.line, tag, ACCOUNT, head)
    if tagged:
        yield from _tagged(v, seg)
    else:
        yield from _positional(seg, seg.more, name_on_tag=False)


def _subtag(line: Line) -> str | None:
    return line.text[:3] if line.text[:3] in PARTY_SUBTAGS and line.text[3:4] == "/" else None


def _tagged(v: Version, seg: _Segment) -> Iterator[Finding]:
    limits = {"NAM": v.party.name_lines, "ADR": v.party.street_lines}
    defs = {"NAM": NAME, "ADR": STREET}
    current, count, after_loc = "", 0, False
    loose = [line for line in seg.more if not _subtag(line)]
    has_loc = any(_subtag(line) == "LOC" for line in seg.more)
    for line in seg.more:
        sub = _subtag(line)
        if sub in defs:
            current, count = sub or "", 1
            yield from one(line, f"{seg.tag}/{sub}", defs[current], line.after(1))
        elif sub == "LOC":
            current, after_loc = "LOC", True
            yield from items(line, f"{seg.tag}/LOC", (PLACE, STATE), line.fields[1:3])
        elif after_loc or (not has_loc and line is loose[-1] and _COUNTRY_LINE.match(line.text)):
            yield from _country(seg.tag, line, first=current == "LOC" or not has_loc)
            current = "contact"
        elif current in defs:
            count += 1
            label = f"{seg.tag}/{current}"
            if count > limits[current]:
                yield Finding("CIMP_FIELD_TOO_LONG", f"the {defs[current].name} takes {count} lines; "
                              f"{v.message}/{v.number} gives it {limits[current]} of {defs[current].size}",
                              line.number, f"{label}/{defs[current].name}")
            yield from one(line, label, Field(defs[current].name, "t", defs[current].size), line.after(1))


def _country(tag: str, line: Line, first: bool) -> Iterator[Finding]:
    """``/CC/POSTCODE/TE/NUMBER`` (the line after LOC), or further contact pairs on the lines below it."""
    fields = line.fields[1:]
    if first:
        yield from items(line, tag, (COUNTRY, POSTCODE), fields[:2])
        fields = fields[2:]
    pairs = (CONTACT_ID, CONTACT_NUMBER) * (len(fields) // 2 + 1)
    yield from items(line, tag, pairs, fields)


def _positional(seg: _Segment, lines: list[Line], name_on_tag: bool) -> Iterator[Finding]:
    """``/name``, ``/street`` lines, ``/place/state``, ``/CC/postcode/contacts`` (as :mod:`.parties` reads them)."""
    if not lines:
        return
    rest = list(lines)
    country = rest.pop() if len(rest) > (0 if name_on_tag else 1) and _COUNTRY_LINE.match(rest[-1].text) else None
    name = None if name_on_tag or not rest else rest.pop(0)
    place = rest.pop() if rest else None
    if name is not None:
        yield from one(name, seg.tag, NAME, name.after(1))
    for street in rest:
        yield from one(street, seg.tag, STREET, street.after(1))
    if place is not None:
        yield from items(place, seg.tag, (PLACE, STATE), place.fields[1:3])
    if country is not None:
        yield from _country(seg.tag, country, first=True)


def _waybill(v: Version, body: list[Line]) -> Iterator[Finding]:
    if body:
        yield from _detail(body[0], body[0].text, "AWB")
    for seg in _segments(body[1:]):
        if seg.tag in PARTY_TAGS:
            yield from _party(v, seg)
        elif seg.tag == "AGT":
            yield from items(seg.line, "AGT", v.lines["AGT"], seg.line.fields[1:])
            for line, key in zip(seg.more, ("AGT/", "AGT//")):
                yield from one(line, "AGT", v.lines[key][0], line.after(1))
        elif seg.tag == "RTD":
            yield from _rates(v, seg)
        elif seg.tag in ("FLT", "RTG", "ISU"):
            yield from items(seg.line, seg.tag, v.lines[seg.tag], seg.line.fields[1:])
        else:
            yield from _common(v, seg)


def _rates(v: Version, seg: _Segment) -> Iterator[Finding]:
    """The rate line's number, pieces and weight; its goods, HS code, volume, ULD and SLAC items."""
    fields = seg.line.fields[1:]
    yield from items(seg.line, "RTD", v.lines["RTD"], fields[:1])
    for text in fields[1:]:
        if text[:1] == "P":
            yield from one(seg.line, "RTD", QUANTITY.parts[1], text[1:])
        elif text[:1] in ("K", "L") and text[1:2].isdigit():
            yield from one(seg.line, "RTD", QUANTITY.parts[3], text[1:])
    for line in seg.more:
        parts = line.fields
        at = 2 if len(parts) > 2 and parts[1].isdigit() else 1
        code = parts[at] if len(parts) > at else ""
        if at == 2:
            yield from one(line, "RTD", Field("item number", "n", 2), parts[1])
        if code in v.lines:
            value = line.after(at + 1)
            yield from one(line, f"RTD/{code}", v.lines[code][0], value if code in ("NG", "NC") else value.strip())


def _houses(v: Version, body: list[Line]) -> Iterator[Finding]:
    for seg in _segments(body):
        if seg.tag == "MBI":
            yield from _detail(seg.line, seg.line.after(1), "MBI")
        elif seg.tag == "HBS":
            fields = seg.line.fields[1:]
            yield from items(seg.line, "HBS", v.lines["HBS"], [*fields[:5], seg.line.after(6)])
            for line in seg.more:
                yield from _codes(line, "HBS", line.fields[1:])
        elif seg.tag == "TXT":
            for line in seg.line, *seg.more:
                yield from one(line, "TXT", v.lines["TXT"][0], line.after(1))
        elif seg.tag == "HTS":
            for line in seg.line, *seg.more:
                yield from items(line, "HTS", v.lines["HTS"], [c for c in line.fields[1:] if c.strip()])
        elif seg.tag in PARTY_TAGS:
            yield from _party(v, seg)
        else:
            yield from _common(v, seg)


def _status(v: Version, body: list[Line]) -> Iterator[Finding]:
    if body:
        yield from _detail(body[0], body[0].text, "AWB")
    for seg in _segments(body[1:]):
        if seg.tag == "ULD":
            yield from items(seg.line, "ULD", v.lines["ULD"], [u for u in seg.line.fields[1:] if u.strip()])
        elif seg.tag in ("OSI", "OCI", "SSR", "SPH"):
            yield from _common(v, seg)
        else:
            yield from _event(seg)


def _event(seg: _Segment) -> Iterator[Finding]:
    """``DEP/CA931/26NOV/PEKFRA/D15K300/...``: flight or carrier, day (and time), place(s), quantity."""
    fields = [f.strip() for f in seg.line.fields[1:]] + ["", "", ""]
    at = 0
    if not _DAY.match(fields[0]):
        yield from one(seg.line, seg.tag, FLIGHT if any(c.isdigit() for c in fields[0][2:]) else CARRIER, fields[0])
        at = 1
    yield from one(seg.line, seg.tag, DAY_MONTH_TIME, fields[at])
    yield from one(seg.line, seg.tag, PLACES, fields[at + 1])
    if _QUANTITY_START.match(fields[at + 2]):
        yield from one(seg.line, seg.tag, QUANTITY, fields[at + 2])


def _manifest(v: Version, body: list[Line]) -> Iterator[Finding]:
    """Flight line, points of unloading, ULD and consignment lines, OSI and OCI; each part of a payload."""
    expect_flight, last_tag = True, ""
    for line in body:
        text = line.text.strip()
        if expect_flight:
            if re.match(r"^\d{1,3}/", text):
                expect_flight = False
                yield from items(line, "flight", v.lines["flight"], [f.strip() for f in line.fields])
            continue                      # the next part's envelope and identifier
        if text in ("CONT", "LAST"):
            expect_flight = True
        elif re.match(r"^\d{3}-", text):
            last_tag = ""
            yield from _consignment(v, line, text)
        elif tag_of(line) in ("OSI", "OCI") or (text.startswith("/") and last_tag in ("OSI", "OCI")):
            last_tag = tag_of(line) or last_tag
            yield from _common(v, _Segment(last_tag, line, []))
        elif text.startswith("ULD/"):
            last_tag = ""
            uld = line.fields[1].strip()
            if uld != "BLK":
                yield from one(line, "ULD", ULD, uld)
        elif re.match(r"^[A-Z]{3}(/|$)", text) and tag_of(line) not in _INFO_TAGS:
            last_tag = ""
            yield from one(line, "point of unloading", v.lines["unloading"][0], line.fields[0].strip())
        else:
            last_tag = tag_of(line) or ""


def _consignment(v: Version, line: Line, text: str) -> Iterator[Finding]:
    yield from _detail(line, text, "consignment")
    rest = text.split("/")[2:]
    if rest:
        yield from one(line, "consignment", v.lines["consignment"][0], rest[0])
    codes = []
    for value in (r.strip() for r in rest[1:]):
        run_together = len(value) > 3 and len(value) % 3 == 0 and value.isalnum()
        codes += [value[i:i + 3] for i in range(0, len(value), 3)] if run_together else [value]
    yield from _codes(line, "consignment", codes)


def _ack(v: Version, body: list[Line]) -> Iterator[Finding]:
    """The ACK reason lines; the echoed message after them is the answered sender's, not checked."""
    for at, line in enumerate(body):
        if not (line.text.startswith("ACK/") and at == 0 or at > 0 and line.text.startswith("/")):
            return
        yield from one(line, "ACK", v.lines["ACK"][0], line.after(1))


_WALKS = {"FWB": _waybill, "FHL": _houses, "FSU": _status, "FFM": _manifest, "FMA": _ack, "FNA": _ack}
