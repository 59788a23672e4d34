"""GACC cross-border e-commerce (跨境电商) CEB messages and the DXP envelope.

Design note: the customs publish an XSD (2022 edition) for these messages, but the hub
validates with its own (``schemas/ceb/``, one per message plus ``ceb-types.xsd`` and
``dxp.xsd``), stricter where it needs a value it maps. Conventions shared by all:

- Namespace http://www.chinaport.gov.cn/ceb; message attributes guid (36-character
  upper-case UUID, derived from the hub message id, :func:`guid_for`) and version 1.0.
- Times are Beijing time without offset (adapters/gacc/clock.py); currencies and countries
  are GACC numbers mapped to ISO codes through adapters/gacc/codes.py.
- Declarations: :mod:`.declaration` (shape) and :mod:`.documents` (field tables);
  receipts and the returnStatus table: :mod:`.returns`; the unsigned CEB621 signature
  template for a hub without a signing key (with one, :mod:`hub.signatures` signs):
  :mod:`.signature`; the DXP envelope: :mod:`.dxp` (seal/open, DxpRep) and
  :mod:`.envelope` (the ``dxp`` adapter the engine unwraps and seals with).

Adapters: ceb311 order, ceb411 payment, ceb511 logistics waybill, ceb621 inventory (read and
write their documents); ceb312, ceb412, ceb512, ceb622 (their receipts); dxp (envelope).
"""

from hub.adapters import Adapter

from .common import guid_for
from .documents import InventoryMessage, LogisticsMessage, OrderMessage, PaymentMessage
from .envelope import Dxp, DxpReply
from .returns import InventoryReturn, LogisticsReturn, OrderReturn, PaymentReturn

__all__ = ["adapters", "guid_for"]


def adapters() -> list[Adapter]:
    """The CEB adapters, in detection order."""
    return [OrderMessage(), OrderReturn(), PaymentMessage(), PaymentReturn(), LogisticsMessage(),
            LogisticsReturn(), InventoryMessage(), InventoryReturn(), Dxp(), DxpReply()]
