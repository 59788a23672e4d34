"""NAD (+ COM) <-> Party.

NAD: 3035 qualifier + C082 party id + C058 name and address (unstructured) + C080 party name
+ C059 street + 3164 city + 3229 sub-entity + 3251 postcode + 3207 country. The name is
C080 (one line per component, at most five), else the unstructured C058 lines; the street
is C059 (up to four lines). Phone and e-mail follow as ``COM+number:TE`` and
``COM+address:EM`` (3155 communication means).
"""

from __future__ import annotations

from hub.models import Address, Party

from .reading import joined, lines
from .syntax import Segment
from .writer import MessageWriter


def read(nad: Segment | None, following: list[Segment] = ()) -> Party | None:
    """The party of a NAD and the COM segments right after it."""
    if nad is None:
        return None
    address = Address(street=joined(nad, 4), city=nad.get(5), postcode=nad.get(7), country=nad.get(8))
    phone = email = None
    for seg in following:
        if seg.tag != "COM":
            break
        kind, number = seg.get(0, 1), seg.get(0, 0)
        if kind == "TE" and phone is None:
            phone = number
        elif kind == "EM" and email is None:
            email = number
    return Party(id=nad.get(1), name=joined(nad, 3) or joined(nad, 2),
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


def write(w: MessageWriter, qualifier: str, party: Party | None) -> None:
    """NAD (and COM) for ``party``; nothing when it is None."""
    if party is None:
        return
    a = party.address
    name = "\n".join(p for p in (party.name, party.additional_name) if p) or None   # C080: one line each
    w.add("NAD", qualifier, [party.id], None, lines(name, 5),
          lines(a.street, 4) if a else None, a and a.city, None, a and a.postcode, a and a.country)
    if party.phone is not None:
        w.add("COM", [party.phone, "TE"])
    if party.email is not None:
        w.add("COM", [party.email, "EM"])
