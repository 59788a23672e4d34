"""Party blocks (SHP, CNE, NFY, AGT) and other customs information (OCI), shared by FWB, FHL and FSU.

A party block, as the standard writes it (FWB/16-17, FHL/5)::

    SHP/ACCOUNT                       the tag line; its text is the account
    NAM/NAME (35)                     '/...' lines below continue the name
    ADR/STREET (35)                   '/...' lines below continue the street
    LOC/PLACE (17)/STATE (9)          the place; a state or province stays in the city after its '/'
    /CC/POSTCODE (9)/TE/NUMBER (25)   the line after LOC: country, postcode, contact pairs

Field variants read too: the four lines written positionally (``/NAME``,
``/STREET``, ``/PLACE``, ``/CC/...``; more than four lines: the first is the
name, the last country-shaped one the country, the one before it the place, the
rest street lines), and the FHL/1-4 layout with the name on the tag line
(``SHP/NAME`` then positional street, place and country). Only the line after
LOC (or, without LOC, a last ``/CC`` line) is ever the country line; contact
pairs may run on to the next line. Continuations join with one blank, as a
sender splitting at a blank meant (``MANUFACTURING `` + ``/ BLDG``); under NAM, a
continuation the line above had room for is a name line of its own (``NAM/CISCO
SYSTEMS INC`` + ``/SLC``: a branch, a department), kept as the party's additional
name rather than glued to the name. Of the
contacts, TE (the telephone) is kept. Reading strips blanks around names, as
the Cargo-XML readers do.

Writing uses the standard tagged layout; a name or street longer than 35
characters goes on continuation lines split at blanks, an additional name on the
continuation lines after the name's, so that the rule above reads it back as
written: when the name's last line has no room for the additional name's first
word (``NAM/ACME INTERNATIONAL LOGISTICS CO`` + ``/WAREHOUSE 5`` would read as one
name), the name's last word goes on a continuation led by a blank (``/ CO``, a
wrap), which leaves the room. Where nothing can (no name; a name's last word
and the additional name's first word together longer than 33), the two are
written as one name and read back so: ``name`` is then the party's
``full_name`` and ``additional_name`` empty: no text lost or reordered. So too when the layout
would take more lines than the version gives the name (two, :mod:`.fields`); a name, or a street,
longer than its lines is refused (CONVERT_FIELD_INVALID, by the output check). A place, state,
postcode, account or contact number longer than its field is refused
(CONVERT_FIELD_INVALID), never cut.
"""

from __future__ import annotations

import re

from hub.models import Address, CustomsNote, Party

from .lines import Line, Segment, fit, one_line, wrap

_SUBTAGS = ("NAM", "ADR", "LOC")
_COUNTRY_LINE = re.compile(r"^/[A-Z]{2}(/|\s*$)")
NAME, STREET, PLACE, STATE, POSTCODE, CONTACT, ACCOUNT = 35, 35, 17, 9, 9, 25, 14
NAME_LINES = 2
"""Lines a party's name may take (NAM and one continuation, :mod:`.fields`): an additional name that
would need more is folded into the name; a name longer than that is CONVERT_FIELD_INVALID."""


def read_party(seg: Segment, name_on_tag: bool = False) -> Party:
    """A SHP/CNE/NFY block as a Party: the tag line's text is the account, or (``name_on_tag``, an FHL
    block without a NAM line) the name."""
    tag_text = seg.line.after(1).split("/")[0].strip() or None
    tagged = any(_subtag(line) for line in seg.more)
    name, street, place, country = _tagged(seg.more) if tagged else _positional(seg.more, name_on_tag)
    account = tag_text
    if name_on_tag and not tagged:
        name, account = [tag_text] if tag_text else [], None
    contact = [f.strip() for line in country for f in line.fields[1:]]
    phone = next((number for kind, number in zip(contact[2::2], contact[3::2]) if kind == "TE" and number), None)
    address = Address(street=_joined(street), city=_text(place),
                      postcode=(contact[1] or None) if len(contact) > 1 else None,
                      country=(contact[0] or None) if contact else None)
    first, *more = _name_lines(name)
    return Party(id=account, name=first, additional_name=" ".join(more) or None, phone=phone,
                 address=None if address == Address() else address)


def _subtag(line: Line) -> str | None:
    return line.text[:3] if line.text[:3] in _SUBTAGS and line.text[3:4] == "/" else None


def _tagged(lines: list[Line]) -> tuple[list[str], list[str], Line | None, list[Line]]:
    """NAM, ADR and their continuations; LOC; the line after LOC and any contact lines after it."""
    name: list[str] = []
    street: list[str] = []
    place, country, current = None, [], name
    loose = [line for line in lines if not _subtag(line)]
    last_loose = loose[-1] if loose else None
    has_loc = any(_subtag(line) == "LOC" for line in lines)
    for line in lines:
        tag = _subtag(line)
        if tag == "NAM":
            current = name
            name.append(line.after(1))
        elif tag == "ADR":
            current = street
            street.append(line.after(1))
        elif tag == "LOC":
            place, current = line, country
        elif current is country:
            country.append(line)
        elif not has_loc and line is last_loose and _COUNTRY_LINE.match(line.text):
            country.append(line)
        else:
            current.append(line.after(1))
    return name, street, place, country


def _positional(lines: list[Line], name_on_tag: bool) -> tuple[list[str], list[str], Line | None, list[Line]]:
    """``/name``, ``/street``, ``/place``, ``/country`` (without the name when it is on the tag line)."""
    slots = ([] if name_on_tag else ["name"]) + ["street", "place", "country"]
    if len(lines) <= len(slots):
        found = dict(zip(slots, lines))
        name = [found["name"].after(1)] if "name" in found else []
        street = [found["street"].after(1)] if "street" in found else []
        return name, street, found.get("place"), [found["country"]] if "country" in found else []
    rest = list(lines)
    name = [] if name_on_tag else [rest.pop(0).after(1)]
    country = [rest.pop()] if _COUNTRY_LINE.match(rest[-1].text) else []
    place = rest.pop()
    return name, [line.after(1) for line in rest], place, country


def _name_lines(parts: list[str]) -> list[str | None]:
    """The name, then any further name lines: a continuation is a wrap of the line above when the
    sender needed the room (the line above and the continuation's first word would not fit in one
    line, or the break falls on a blank), else a name line of its own (a branch, a department)."""
    lines: list[list[str]] = []
    for part in parts:
        word = part.strip().split(" ")[0]
        above = lines[-1][-1] if lines else None
        wrapped = above is not None and (not above.strip() or len(above.rstrip()) + 1 + len(word) > NAME
                                         or above.endswith(" ") or part.startswith(" "))
        if lines and (wrapped or not part.strip()):
            lines[-1].append(part)
        else:
            lines.append([part])
    return [_joined(line) for line in lines] or [None]


def _joined(parts: list[str]) -> str | None:
    """Continuation parts as one value, joined with one blank."""
    return " ".join(p.strip() for p in parts if p.strip()) or None


def _text(line: Line | None) -> str | None:
    """The text after the line's tag or leading slash."""
    return None if line is None else (line.after(1).strip() or None)


def write_party(tag: str, party: Party) -> list[str]:
    """The block in the standard layout: NAM, ADR (each split over continuation lines), LOC, country line."""
    address = party.address or Address()
    account = fit(party.id, ACCOUNT, f"{tag} account") if party.id else None
    lines = [f"{tag}/{account}" if account else tag]
    names = _name_parts(party)
    lines += [("NAM/" if i == 0 else "/") + part for i, part in enumerate(names)] if names != [""] else []
    if address.street is not None:
        lines += [("ADR/" if i == 0 else "/") + part for i, part in enumerate(wrap(address.street, STREET))]
    if address.city is not None:
        lines.append("LOC/" + _place(address.city, tag))
    country = _country_line(address, party.phone, tag)
    return lines + ([country] if country else [])


def _name_parts(party: Party) -> list[str]:
    """The NAM line and its continuations, laid out so that :func:`_name_lines` reads back the name and
    the additional name as they are: the additional name's first line must follow a name line with
    room for its first word. When the name's last line has none, its last word moves to a line of
    its own, led by a blank (a wrap to the reader); when even that cannot make room (no name, no
    blank to break at) the two are written, and read back, as one name (``full_name``)."""
    names = wrap(party.name or "", NAME)
    if not party.additional_name:
        return names
    more = wrap(party.additional_name, NAME)
    word = more[0].split(" ")[0]
    if names[-1] and len(names[-1]) + 1 + len(word) <= NAME:
        laid = names + more
    else:
        head, blank, tail = names[-1].rpartition(" ")
        laid = names[:-1] + [head, " " + tail] + more if head.strip() and 1 + len(tail) + 1 + len(word) <= NAME \
            else []
    return laid if laid and len(laid) <= NAME_LINES else wrap(party.full_name or "", NAME)


def _place(city: str, tag: str) -> str:
    """``PLACE`` or ``PLACE/STATE`` (a state read from a LOC line stays in the city after its '/')."""
    place, _, state = one_line(city).partition("/")
    text = fit(place, PLACE, f"{tag} place")
    return text + ("/" + fit(state, STATE, f"{tag} state or province") if state else "")


def _country_line(address: Address, phone: str | None, tag: str) -> str | None:
    fields = [fit(address.country or "", 2, f"{tag} country"), fit(address.postcode or "", POSTCODE, f"{tag} postcode")]
    if phone:
        fields += ["TE", fit(phone, CONTACT, f"{tag} telephone")]
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
    """``AGT//agent code`` (an id of 7 digits, the IATA cargo agent code, n7) or ``AGT/account`` (any
    other, up to 14), then the name (35) and place (17) lines."""
    if agent.id:
        ident = fit(agent.id, ACCOUNT, "agent's account or IATA code")
        lines = [f"AGT//{ident}" if len(ident) == 7 and ident.isdigit() else f"AGT/{ident}"]
    else:
        lines = ["AGT"]
    city = agent.address.city if agent.address else None
    if agent.name is not None or city is not None:
        lines.append("/" + fit(agent.name or "", NAME, "agent's name"))
    if city is not None:
        lines.append("/" + fit(city, PLACE, "agent's place"))
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
    """``OCI/country (2)/information id (3)/customs information id (2)/text (35)``, then one continuation
    line per further note."""
    return [("OCI/" if i == 0 else "/") + "/".join([
        fit(n.country or "", 2, "OCI country"), fit(n.subject_code or "", 3, "OCI information identifier"),
        fit(n.content_code, 2, "OCI customs information identifier"),
        fit(n.content, 35, "OCI supplementary customs information")]) for i, n in enumerate(notes)]
