"""WCO Data Model 3.6 family, compatible with the UK CDS DMS profile.

- ``wco-dec``: the DEC goods declaration (md:MetaData wrapping a Declaration, or a
  bare Declaration), read and written as the canonical Declaration.
- ``wco-res``: the RES response (md:MetaData wrapping Response elements, or a
  bare Response), read and written as the canonical Receipt.

The hub's own XSD subsets are in ``schemas/wco/``; what the DMS profile cannot
carry, and how the hub folds it, is written down in :mod:`.codes`,
:mod:`.dms`, :mod:`.dec_read`, :mod:`.dec_write` and :mod:`.response`.
"""

from hub.adapters import Adapter

from .declaration import WcoDeclaration
from .response import WcoResponse


def adapters() -> list[Adapter]:
    """The family's adapters, in detection order."""
    return [WcoDeclaration(), WcoResponse()]
