"""UN/EDIFACT: CUSCAR, CUSDEC, IFTMIN, PAXLST messages and CONTRL, APERAK, CUSRES receipts.

Layers, each in its module: :mod:`.charsets` (syntax identifiers UNOA..UNOY), :mod:`.syntax`
(UNA, segments, release character), :mod:`.envelope` and :mod:`.controls` (UNB..UNZ with every
control count and reference checked), :mod:`.pointer` (how errors say where they are),
:mod:`.writer`; then one module per message type, sharing :mod:`.base`, :mod:`.reading`,
:mod:`.dates`, :mod:`.parties` and :mod:`.receipts`. Each message module's docstring is the
hub's profile of that message.

Every message format answers a rejected sender with CONTRL (``negative_receipt``); CONTRL
itself is never answered. ``adapters(lenient=True)`` builds the family with the control
counts and references relaxed (see :mod:`.envelope`), for senders known to miscount.
Personal data (PAXLST) is never logged: nothing in this package logs at all.
"""

from hub.adapters import Adapter

from .aperak import Aperak
from .contrl import Contrl
from .cuscar import Cuscar
from .cusdec import Cusdec
from .cusres import Cusres
from .iftmin import Iftmin
from .paxlst import Paxlst

__all__ = ["adapters"]


def adapters(lenient: bool = False, syntax_id: str | None = None) -> list[Adapter]:
    """The EDIFACT adapters, for the composition root to register."""
    return [cls(lenient=lenient, syntax_id=syntax_id)
            for cls in (Cuscar, Cusdec, Iftmin, Paxlst, Contrl, Aperak, Cusres)]
