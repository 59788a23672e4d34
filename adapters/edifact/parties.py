"""NAD (+ COM) <-> Party.

NAD: 3035 qualifier + C082 party id + C058 name and address (unstructured) + C080 party name
+ C059 street + 3164 city + 3229 sub-entity + 3251 postcode + 3207 country. The name is
C080 (five components of an..35), else the unstructured C058 lines; the street is C059 (three
components of an..35 up to D95B, four from D96A). A long name or street is laid out over the
components and read back by :mod:`.lengths`' join rule (a component ending with a blank or
filling all 35 positions is continued by the next); the additional name is a further line.
City (an..35), postcode (an..9, an..17 from D99B), country and party id that do not fit are
refused (CONVERT_FIELD_INVALID), never cut. Phone and e-mail follow as ``CTA+IC`` (the contact
group the directories put COM in), ``COM+number:TE`` and ``COM+address:EM`` (3155
communication means; C076 3148 an..25 up to D95B); a reader takes COM with or without CTA.
"""

from __future__ import annotations

from hub.models import Address, Party

from . import lengths
from .lengths import FittedWriter
from .reading import joined
from .syntax import Segment

NAME_WIDTH = 35
"""C080 3036, C058 3124 and C059 3042 are an..35 in every directory."""


def read(nad: Segment | None, following: list[Segment] = ()) -> Party | None:
    """The party of a NAD and the COM segments right after it."""
    if nad is None:
        return None
    address = Address(street=joined(nad, 4, NAME_WIDTH), city=nad.get(5), postcode=nad.get(7), country=nad.get(8))
    phone = email = None
    for seg in following:
        if seg.tag == "CTA":
            continue
        if seg.tag != "COM":
            break
        kind, number = seg.get(0, 1), seg.get(0, 0)
        if kind == "TE" and phone is None:
            phone = number
        elif kind == "EM" and email is None:
            email = number
    return Party(id=nad.get(1), name=joined(nad, 3, NAME_WIDTH) or joined(nad, 2, NAME_WIDTH),
                 address=address if address.model_dump(exclude_none=True) else None, phone=phone, email=email)


def after(segments: list[Segment], nad: Segment | None) -> list[Segment]:
    """The segments that follow ``nad`` in ``segments`` (where its COM segments are)."""
    if nad is None:
        return []
    at = next(i for i, s in enumerate(segments) if s is nad)
    return segments[at + 1:]


def find(segments: list[Segment], qualifier: str) -> Party | None:
    """The party of the first NAD with ``qualifier`` in ``segments``."""
    nad = next((s for s in segments if s.tag == "NAD" and s.get(0) == qualifier), None)
    return read(nad, after(segments, nad))


def write(w: FittedWriter, qualifier: str, party: Party | None) -> None:
    """NAD (and COM) for ``party``; nothing when it is None."""
    if party is None:
        return
    a = party.address
    name = "\n".join(p for p in (party.name, party.additional_name) if p) or None   # the further line below
    at = f"NAD+{qualifier}"
    w.add("NAD", qualifier, [w.value(party.id, "3039", f"{at} C082 3039")], None,
          w.lines(name, "3036", lengths.NAME_LINES, f"{at} C080 3036"),
          w.lines(a.street, "3042", lengths.street_lines(w.version), f"{at} C059 3042") if a else None,
          w.value(a and a.city, "3164", f"{at} 3164"), None, w.value(a and a.postcode, "3251", f"{at} 3251"),
          w.value(a and a.country, "3207", f"{at} 3207"))
    if party.phone is not None or party.email is not None:
        w.add("CTA", "IC")   # the directories put COM in a contact group (CTA) under the NAD
    if party.phone is not None:
        w.add("COM", [w.value(party.phone, "3148", "COM C076 3148"), "TE"])
    if party.email is not None:
        w.add("COM", [w.value(party.email, "3148", "COM C076 3148"), "EM"])
