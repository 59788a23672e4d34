"""Party blocks (SHP, CNE, AGT) and other customs information (OCI), shared by FWB, FHL and FSU.

A party block is its tag line (``SHP`` or ``SHP/ACCOUNT``) then, in order, the
name, street, place and country lines. FWB/16 writes them as continuations
(``/NAME``); FHL and older FWBs tag them (``NAM/``, ``ADR/``, ``LOC/``) and
continue with the country line (``/CH/4070/TE/0041...``: country, postcode,
then contact pairs, of which TE, the telephone, is kept). A state or province
on the place line stays in the city after its ``/`` (the canonical address has
no province). Reading strips blanks around names, as the Cargo-XML readers do.
"""

from __future__ import annotations

from hub.models import Address, CustomsNote, Party

from .lines import Line, Segment, one_line

_SUBTAGS = ("NAM", "ADR", "LOC")


def read_party(seg: Segment) -> Party:
    """A SHP/CNE/NFY block as a Party (the account on the tag line is its id)."""
    name, street, place, country = _slots(seg.more)
    account = (seg.line.after(1).split("/")[0].strip() or None)
    contact = [f.strip() for f in country.fields[1:]] if country else []
    phone = next((number for kind, number in zip(contact[2::2], contact[3::2]) if kind == "TE" and number), None)
    address = Address(street=_text(street), city=_text(place),
                      postcode=(contact[1] or None) if len(contact) > 1 else None,
                      country=(contact[0] or None) if contact else None)
    return Party(id=account, name=_text(name), phone=phone,
                 address=None if address == Address() else address)


def _slots(lines: list[Line]) -> tuple[Line | None, Line | None, Line | None, Line | None]:
    """Name, street, place and country lines, whether tagged or positional."""
    tagged = {line.text[:3]: line for line in lines if line.text[:3] in _SUBTAGS and line.text[3:4] == "/"}
    if tagged:
        rest = [line for line in lines if line.text.startswith("/")]
        return tagged.get("NAM"), tagged.get("ADR"), tagged.get("LOC"), rest[0] if rest else None
    padded = [*lines[:4], None, None, None, None]
    return padded[0], padded[1], padded[2], padded[3]


def _text(line: Line | None) -> str | None:
    """The text after the line's tag or leading slash."""
    return None if line is None else (line.after(1).strip() or None)


def write_party(tag: str, party: Party, tagged: bool = False) -> list[str]:
    """The block's lines: positional continuations (FWB/16) or NAM/ADR/LOC lines (FHL)."""
    address = party.address or Address()
    values = [party.name, address.street, address.city]
    country = _country_line(address, party.phone)
    lines = [f"{tag}/{party.id}" if party.id else tag]
    if tagged:
        lines += [f"{sub}/{one_line(v or '')}" for sub, v in zip(_SUBTAGS, values) if v is not None or sub == "NAM"]
        return lines + ([country] if country else [])
    slots = [*("/" + one_line(v or "") for v in values), country or "/"]
    while slots and slots[-1] == "/":
        slots.pop()
    return lines + slots


def _country_line(address: Address, phone: str | None) -> str | None:
    fields = [address.country or "", address.postcode or ""]
    if phone:
        fields += ["TE", one_line(phone)]
    while fields and not fields[-1]:
        fields.pop()
    return "/" + "/".join(fields) if fields else None


def read_agent(seg: Segment) -> Party:
    """``AGT/account/IATA agent code/CASS address`` then name and place: the agent code (else the account) is the id."""
    fields = [f.strip() for f in seg.fields]
    code = fields[1] if len(fields) > 1 and fields[1] else None
    name = _text(seg.more[0]) if seg.more else None
    city = _text(seg.more[1]) if len(seg.more) > 1 else None
    return Party(id=code or (fields[0] if fields and fields[0] else None), name=name,
                 address=Address(city=city) if city else None)


def write_agent(agent: Party) -> list[str]:
    """``AGT//agent code``, then the name and place lines."""
    lines = [f"AGT//{agent.id}" if agent.id else "AGT"]
    city = agent.address.city if agent.address else None
    if agent.name is not None or city is not None:
        lines.append("/" + one_line(agent.name or ""))
    if city is not None:
        lines.append("/" + one_line(city))
    return lines


def read_customs_notes(seg: Segment) -> list[CustomsNote]:
    """One note per OCI line: country / information id / customs information id / supplementary text."""
    notes = []
    for line in seg.lines:
        fields = line.fields[1:]
        if len(fields) < 3:
            raise line.error("an OCI line is country/information id/customs id/text", "CIMP_FIELD_INVALID")
        notes.append(CustomsNote(country=fields[0].strip() or None, subject_code=fields[1].strip() or None,
                                 content_code=fields[2].strip(), content=line.after(4).strip()))
    return notes


def write_customs_notes(notes: list[CustomsNote]) -> list[str]:
    """``OCI/country/information id/customs id/text``, then one continuation line per further note."""
    return [("OCI/" if i == 0 else "/") + "/".join([n.country or "", n.subject_code or "", n.content_code,
                                                      one_line(n.content)])
            for i, n in enumerate(notes)]
