"""IATA Cargo-IMP text: FWB and FHL waybills, FFM manifests, FSU status, FMA/FNA answers; the Type-B envelope.

Design notes (details in each module's docstring):

- One adapter per message type, detected by the standard message identifier
  (``FWB/16``) after an optional Type-B envelope; any version number is read,
  one is written (FWB/16, FHL/5, FFM/5, FSU/14, FNA/1, FMA).
- Type-B envelope (:mod:`.envelope`): read when present and mapped to the
  MessageHeader (addresses, originator, time, message identity). Written when
  the RenderContext's parties are Type-B addresses (``sender_id`` one
  7-character address, ``receiver_id`` one or more, optionally led by a
  priority such as ``QD``); otherwise the message goes bare. The format names
  stay the same either way: whether a message is enveloped is a property of
  the link to its receiver, which the context already names, not of the format.
- Dates (:mod:`.dates`): an FWB's flight days (day of the month only) resolve
  forward from its own ISU issue date, legs in message order, never from a
  clock; without an ISU date they are CIMP_FLIGHT_DATE_UNRESOLVED. The
  envelope's transmission time (``DDHHMM``) is the nearest such day around the
  reception time (the adapter's clock), for an FWB never before its ISU date
  minus a few days' tolerance. FSU and FFM dates (day and month, no year
  anywhere in those messages) take the nearest year around the envelope's
  transmission time, else around the reception time (the clock is asked only
  for these two). ``adapters(clock=...)`` fixes the
  clock (tests); the composition root passes none: the time the engine's caller
  says the message was received (``Engine.read(data, received=...)``: the router
  gives the first reception of a message, also when it is retried, replayed or
  read again at a hold's release), else the system clock.
- Multi-part FFM (:mod:`.manifest`): consecutive parts in one payload are
  assembled; a lone part is read as that part's consignments.
- Answers (:mod:`.receipt`): every message format names FNA as its negative
  receipt; ``reply_facts`` gives the text to echo (the message without its
  envelope), its type, business key and Type-B identity.
- Not carried by the canonical model, so read and dropped: charges, rates and
  declared values (CVD, RTD rates, OTH, PPD/COL), certification and issue
  (CER, ISU's place and signature), shipment description codes of FFM consignments, onward
  movements. Output text: a line break inside a one-line field becomes a blank.
- Field definitions (:mod:`.fields`, applied by :mod:`.check`): each line's fields with their
  CIMP format and length per message and version. Read: checked after the message is read,
  CIMP_FIELD_TOO_LONG / CIMP_FIELD_FORMAT / CIMP_FIELD_MISSING with the line and field (``NAM/name``).
  Write: the output checked against the version it declares; a value the field cannot carry is
  CONVERT_FIELD_INVALID, a malformed line an EngineError; free text the writer cut or transliterated
  (an FFM description past 15, characters outside ASCII) is a warning on the Output.
- ULDs (:mod:`.uld`): an FFM's ULD lines and an FWB's ULD numbers (RTD ``/NU/``) are the
  consignment's or waybill's ``equipment``, written back as whole ULD identifiers (PMC12345CA).
"""

from hub.adapters import Adapter

from .dates import Clock
from .house import Fhl
from .manifest import Ffm
from .receipt import Fma, Fna
from .status import Fsu
from .waybill import Fwb


def adapters(clock: Clock | None = None) -> list[Adapter]:
    """The Cargo-IMP adapters, for the composition root to register."""
    return [Fwb(clock), Fhl(clock), Ffm(clock), Fsu(clock), Fma(clock), Fna(clock)]
