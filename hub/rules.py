"""Business rules that XSDs cannot express, checked on the canonical model.

Each rule yields :class:`~hub.errors.Problem` values whose ``path`` is a JSON
pointer into the canonical document; the pipeline asks the input adapter to
turn that pointer into a source line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pycountry

from .errors import Problem
from .models import (
    Address,
    ArrivalReport,
    Declaration,
    Document,
    Inventories,
    Journey,
    LogisticsBills,
    Manifest,
    Orders,
    Party,
    Payments,
    PersonsList,
    Receipt,
    ShipmentStatus,
    TallyReport,
    TransportMode,
    Waybill,
    WaybillType,
)

AWB = re.compile(r"^(\d{3})-?(\d{8})$")
HS_CODE = re.compile(r"^\d{6,10}$")
IATA_LOCATION = re.compile(r"^[A-Z]{3}$")
UN_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
CUSTOMS_OFFICE = re.compile(r"^\d{4}$")


EARLIEST, LATEST = 1990, 2099


def _plausible(when: date | datetime | None, path: str) -> Iterator[Problem]:
    if when is not None and not EARLIEST <= when.year <= LATEST:
        yield Problem("RULE_DATE_RANGE", f"{when.isoformat()} is outside {EARLIEST}-{LATEST}", path=path)


def awb_problem(number: str, path: str) -> Problem | None:
    """An AWB is 3 + 8 digits whose last digit is the first seven of the serial mod 7."""
    match = AWB.match(number)
    if not match:
        return Problem("RULE_AWB_FORMAT", f"AWB {number!r} is not 3 digits, '-', 8 digits", path=path)
    serial = match.group(2)
    if int(serial[:7]) % 7 != int(serial[7]):
        return Problem("RULE_AWB_CHECK_DIGIT",
                       f"AWB {number} fails its check digit (expected {int(serial[:7]) % 7})", path=path)
    return None


@cache
def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


@cache
def is_currency(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None


def check(doc: Document) -> list[Problem]:
    """Every business-rule problem of a canonical document."""
    return list(_CHECKERS[type(doc)](doc))


def _positive(value: int | Decimal | None, path: str, what: str) -> Iterator[Problem]:
    if value is not None and value <= 0:
        yield Problem("RULE_NOT_POSITIVE", f"{what} must be positive, not {value}", path=path)


def _hs(codes: list[str], path: str) -> Iterator[Problem]:
    for i, code in enumerate(codes):
        if not HS_CODE.match(code):
            yield Problem("RULE_HS_CODE", f"HS code {code!r} must have 6 to 10 digits", path=f"{path}/{i}")


def _country(code: str | None, path: str) -> Iterator[Problem]:
    if code is not None and not is_country(code):
        yield Problem("RULE_COUNTRY_CODE", f"{code!r} is not an ISO 3166 country code", path=path)


def _currency(code: str | None, path: str) -> Iterator[Problem]:
    if code is not None and not is_currency(code):
        yield Problem("RULE_CURRENCY_CODE", f"{code!r} is not an ISO 4217 currency code", path=path)


def _location(code: str, path: str) -> Iterator[Problem]:
    if not (IATA_LOCATION.match(code) or UN_LOCODE.match(code)):
        yield Problem("RULE_LOCATION_CODE",
                      f"location {code!r} is neither a UN/LOCODE (CNSHA) nor an IATA code (PVG)", path=path)
    elif UN_LOCODE.match(code) and not IATA_LOCATION.match(code):
        yield from _country(code[:2], path)


def _party(party: Party | None, path: str) -> Iterator[Problem]:
    if party is not None and party.address is not None:
        yield from _address(party.address, f"{path}/address")


def _address(address: Address, path: str) -> Iterator[Problem]:
    yield from _country(address.country, f"{path}/country")


def _waybill(w: Waybill) -> Iterator[Problem]:
    if w.type is WaybillType.MASTER:
        if (p := awb_problem(w.number, "/number")) is not None:
            yield p
    if w.master_number is not None and (p := awb_problem(w.master_number, "/master_number")):
        yield p
    yield from _positive(w.pieces, "/pieces", "the number of pieces")
    yield from _positive(w.gross_weight.value, "/gross_weight/value", "the gross weight")
    if w.volume is not None:
        yield from _positive(w.volume.value, "/volume/value", "the volume")
    yield from _hs(w.hs_codes, "/hs_codes")
    yield from _location(w.origin.code, "/origin/code")
    yield from _location(w.destination.code, "/destination/code")
    for role in ("shipper", "consignee", "agent"):
        yield from _party(getattr(w, role), f"/{role}")
    for i, note in enumerate(w.customs_notes):
        yield from _country(note.country, f"/customs_notes/{i}/country")
    for i, leg in enumerate(w.routing):
        yield from _plausible(leg.departure_at, f"/routing/{i}/departure_at")


def _manifest(m: Manifest) -> Iterator[Problem]:
    yield from _plausible(m.conveyance.departure_date, "/conveyance/departure_date")
    yield from _plausible(m.arrival_at, "/arrival_at")
    yield from _location(m.loading_location.code, "/loading_location/code")
    yield from _location(m.unloading_location.code, "/unloading_location/code")
    for i, c in enumerate(m.consignments):
        base = f"/consignments/{i}"
        if m.conveyance.mode is TransportMode.AIR and (p := awb_problem(c.transport_document,
                                                                       f"{base}/transport_document")):
            yield p
        yield from _positive(c.pieces, f"{base}/pieces", "the number of pieces")
        yield from _positive(c.gross_weight.value, f"{base}/gross_weight/value", "the gross weight")
        yield from _hs(c.hs_codes, f"{base}/hs_codes")
        for end in ("origin", "destination"):
            if (loc := getattr(c, end)) is not None:
                yield from _location(loc.code, f"{base}/{end}/code")
    if m.total_pieces is not None and m.total_pieces != m.summed_pieces():
        yield Problem("RULE_TOTAL_MISMATCH", f"total pieces {m.total_pieces} differ from the "
                      f"consignments' sum {m.summed_pieces()}", path="/total_pieces")
    if m.total_gross_weight is not None and m.total_gross_weight.value != m.summed_weight():
        yield Problem("RULE_TOTAL_MISMATCH", f"total gross weight {m.total_gross_weight.value} differs "
                      f"from the consignments' sum {m.summed_weight()}", path="/total_gross_weight/value")


def _declaration(d: Declaration) -> Iterator[Problem]:
    yield from _plausible(d.issued_at, "/issued_at")
    for role in ("declarant", "importer", "exporter"):
        yield from _party(getattr(d, role), f"/{role}")
    yield from _country(d.trade_country, "/trade_country")
    currencies = set()
    for i, item in enumerate(d.items):
        base = f"/items/{i}"
        yield from _hs([item.hs_code], f"{base}/hs_code")
        yield from _country(item.origin_country, f"{base}/origin_country")
        yield from _currency(item.value.currency, f"{base}/value/currency")
        if item.quantity is not None:
            yield from _positive(item.quantity.value, f"{base}/quantity/value", "the quantity")
        yield from _positive(item.value.value, f"{base}/value/value", "the value")
        if item.gross_weight is not None:
            yield from _positive(item.gross_weight.value, f"{base}/gross_weight/value", "the gross weight")
        currencies.add(item.value.currency)
    if d.total_value is not None:
        yield from _currency(d.total_value.currency, "/total_value/currency")
        if currencies == {d.total_value.currency} and d.total_value.value != d.summed_value():
            yield Problem("RULE_TOTAL_MISMATCH", f"total value {d.total_value.value} differs from the "
                          f"items' sum {d.summed_value()}", path="/total_value/value")
    if d.total_gross_weight is not None:
        yield from _positive(d.total_gross_weight.value, "/total_gross_weight/value", "the gross weight")


def _receipt(r: Receipt) -> Iterator[Problem]:
    return iter(())


def _persons(p: PersonsList) -> Iterator[Problem]:
    yield from _plausible(p.departure_at, "/departure_at")
    yield from _plausible(p.arrival_at, "/arrival_at")
    if p.total is not None and p.total != len(p.persons):
        yield Problem("RULE_TOTAL_MISMATCH", f"the stated total {p.total} differs from the "
                      f"{len(p.persons)} persons listed", path="/total")
    for i, person in enumerate(p.persons):
        born = person.born_on
        if born is not None and not 1900 <= born.year <= LATEST:
            yield Problem("RULE_DATE_RANGE", f"birth date {born.isoformat()} is before 1900 or after {LATEST}",
                          path=f"/persons/{i}/born_on")


def _status(s: ShipmentStatus) -> Iterator[Problem]:
    if (p := awb_problem(s.waybill, "/waybill")) is not None:
        yield p
    yield from _positive(s.pieces, "/pieces", "the number of pieces")
    if s.weight is not None:
        yield from _positive(s.weight.value, "/weight/value", "the weight")
    yield from _plausible(s.happened_at, "/happened_at")


def _not_negative(value: int | Decimal | None, path: str, what: str) -> Iterator[Problem]:
    if value is not None and value < 0:
        yield Problem("RULE_NEGATIVE", f"{what} must not be negative, not {value}", path=path)


def _orders(d: Orders) -> Iterator[Problem]:
    for i, o in enumerate(d.records):
        base = f"/records/{i}"
        yield from _positive(o.goods_value, f"{base}/goods_value", "the goods value")
        for name in ("freight", "discount", "tax_total", "actual_paid"):
            yield from _not_negative(getattr(o, name), f"{base}/{name}", name.replace("_", " "))
        summed = sum((item.total for item in o.items), Decimal(0))
        if o.items and summed != o.goods_value:
            yield Problem("RULE_TOTAL_MISMATCH", f"goods value {o.goods_value} differs from the items' "
                          f"sum {summed}", path=f"{base}/goods_value")
        for j, item in enumerate(o.items):
            yield from _positive(item.quantity, f"{base}/items/{j}/quantity", "the quantity")


def _payments(d: Payments) -> Iterator[Problem]:
    for i, p in enumerate(d.records):
        yield from _positive(p.amount_paid, f"/records/{i}/amount_paid", "the amount paid")
        yield from _plausible(p.paid_at, f"/records/{i}/paid_at")


def _logistics(d: LogisticsBills) -> Iterator[Problem]:
    for i, b in enumerate(d.records):
        yield from _positive(b.weight.value, f"/records/{i}/weight/value", "the weight")
        yield from _positive(b.packages, f"/records/{i}/packages", "the number of packages")


def _inventories(d: Inventories) -> Iterator[Problem]:
    for i, inv in enumerate(d.records):
        base = f"/records/{i}"
        yield from _plausible(inv.declared_on, f"{base}/declared_on")
        yield from _positive(inv.gross_weight, f"{base}/gross_weight", "the gross weight")
        yield from _positive(inv.packages, f"{base}/packages", "the number of packages")
        yield from _hs([item.hs_code for item in inv.items], f"{base}/hs_codes")
        for j, item in enumerate(inv.items):
            yield from _positive(item.quantity, f"{base}/items/{j}/quantity", "the quantity")


def _journey(j: Journey, when: datetime, path: str) -> Iterator[Problem]:
    yield from _plausible(j.departure_date, "/journey/departure_date")
    yield from _plausible(when, path)
    # a day's grace: the journey date is local where it departs, the report's time where it is made
    if j.departure_date is not None and when.date() < j.departure_date - timedelta(days=1):
        yield Problem("RULE_ARRIVAL_BEFORE_DEPARTURE", f"{when.isoformat()} is before the journey's date "
                      f"{j.departure_date.isoformat()}", path=path)


def _arrival(r: ArrivalReport) -> Iterator[Problem]:
    yield from _journey(r.journey, r.arrived_at, "/arrived_at")
    yield from _location(r.arrival_location.code, "/arrival_location/code")


def _tally(t: TallyReport) -> Iterator[Problem]:
    """Tallied counts are never negative (0 pieces: a bill's cargo was missing); the stated totals are
    the bills' sums; a bill whose count or weight differs from its declared one says why."""
    yield from _journey(t.journey, t.tallied_at, "/tallied_at")
    if t.location is not None:
        yield from _location(t.location.code, "/location/code")
    for i, b in enumerate(t.bills):
        base = f"/bills/{i}"
        if t.journey.mode is TransportMode.AIR and (p := awb_problem(b.transport_document,
                                                                    f"{base}/transport_document")):
            yield p
        yield from _not_negative(b.pieces, f"{base}/pieces", "the number of pieces tallied")
        yield from _not_negative(b.gross_weight.value, f"{base}/gross_weight/value", "the weight tallied")
        if b.differs() and not b.discrepancies:
            declared = b.declared_gross_weight
            yield Problem("RULE_TALLY_DISCREPANCY", f"bill {b.transport_document}: tallied {b.pieces} pieces, "
                          f"{b.gross_weight.value} {b.gross_weight.unit}; declared {b.declared_pieces or '-'} "
                          f"pieces, {f'{declared.value} {declared.unit}' if declared else '-'}: a difference "
                          "needs a discrepancy code", path=f"{base}/discrepancies")
    if t.total_pieces is not None and t.total_pieces != t.summed_pieces():
        yield Problem("RULE_TOTAL_MISMATCH", f"total pieces {t.total_pieces} differ from the bills' sum "
                      f"{t.summed_pieces()}", path="/total_pieces")
    if t.total_gross_weight is not None:
        summed = t.summed_weight(t.total_gross_weight.unit)
        if summed is not None and summed != t.total_gross_weight.value:
            yield Problem("RULE_TOTAL_MISMATCH", f"total gross weight {t.total_gross_weight.value} differs "
                          f"from the bills' sum {summed}", path="/total_gross_weight/value")


# each checker takes the document type it is keyed by (a dict cannot say so: Any)
_CHECKERS: dict[type[Document], Callable[[Any], Iterator[Problem]]] = {
    Waybill: _waybill, Manifest: _manifest, Declaration: _declaration, Receipt: _receipt,
    PersonsList: _persons, ShipmentStatus: _status, Orders: _orders, Payments: _payments,
    LogisticsBills: _logistics, Inventories: _inventories, ArrivalReport: _arrival, TallyReport: _tally}
"""The rules of each canonical document type."""
