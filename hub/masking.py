"""Masking personal fields in what operators and parties are shown: `hub messages show` and the
status API (hub.web) mask the same values the same way, so a party never sees through the API what
an operator's terminal keeps starred."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from pydantic import BaseModel

from .errors import HubError
from .pipeline import Engine
from .store.base import Message, Store
from .worker.parts import document_of

NUMBER, NAME, HIDDEN = "number", "name", "hidden"
"""How a personal value is masked: a number keeps its last 4 characters (enough to tell two
apart on the phone), a name its first, anything else (a birth date) nothing."""

PERSONAL_FIELDS: dict[str, dict[str, str]] = {
    "Person": {"surname": NAME, "given_names": NAME, "born_on": HIDDEN, "birth_place": NAME},
    "TravelDocument": {"number": NUMBER},
    "Buyer": {"name": NAME, "id_number": NUMBER, "phone": NUMBER, "registration": NAME},
    "Consignee": {"name": NAME, "phone": NUMBER, "address": NAME},
    "Inventory": {"consignee_address": NAME},
}
"""The personal fields of the canonical model (hub.models), by model class: passengers' and crew's
names, birth dates and travel documents; e-commerce buyers' and consignees' names, identity and
phone numbers and addresses."""

PERSONAL_KINDS = frozenset({"persons", "order", "payment", "logistics", "inventory"})
"""The kinds whose documents carry ``PERSONAL_FIELDS``: one of them (or of a kind unknown) that
cannot be read again is shown masked whole."""

FACT_STYLES = {"buyer_id": NUMBER, "payer_id": NUMBER, "consignee": NAME}
"""How each of the facts' personal values (hub.store.base.PERSONAL_FACTS) is masked."""


def mask(value: str, style: str = NUMBER) -> str:
    """``value`` with its characters starred but what ``style`` keeps: 110101199001011234 ->
    **************1234, ZHANG -> Z****; a number of 4 characters or fewer is starred whole."""
    keep = {NUMBER: value[-4:] if len(value) > 4 else "", NAME: value[:1]}.get(style, "")
    return ("*" * (len(value) - len(keep)) + keep) if style == NUMBER else keep + "*" * (len(value) - len(keep))


def personal_values(model: BaseModel) -> Iterator[tuple[str, str]]:
    """(text, style) of every personal value in a document (``PERSONAL_FIELDS``), as a payload may
    spell it (a date also as 19710502 and 710502)."""
    styles = PERSONAL_FIELDS.get(type(model).__name__, {})
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from personal_values(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    yield from personal_values(item)
        elif name in styles and value is not None:
            if isinstance(value, date):
                for spelt in (value.isoformat(), value.strftime("%Y%m%d"), value.strftime("%y%m%d")):
                    yield spelt, HIDDEN
            else:
                yield str(value), styles[name]


class Redactor:
    """Masks known personal values wherever they appear in a text (as whole words, any case)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.styles = {v.casefold(): style for v, style in values.items() if v.strip()}
        words = sorted(self.styles, key=len, reverse=True)
        self.pattern = re.compile("(?<![0-9A-Za-z])(" + "|".join(map(re.escape, words)) + ")(?![0-9A-Za-z])",
                                  re.IGNORECASE) if words else None

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: mask(m.group(0), self.styles[m.group(0).casefold()]), text)


def redactor(engine: Engine, store: Store, m: Message) -> Redactor | None:
    """What masks this message's personal values: those of its facts and of its document read again
    from its bytes; None when the bytes are there but cannot be read (so what they hold is unknown)."""
    values = {str(v): FACT_STYLES[k] for _, _, vals in store.facts_of(m.id) for k, v in vals.items()
              if k in FACT_STYLES and v is not None}
    if m.purged_at is None:
        try:
            values |= dict(personal_values(document_of(engine, store, m.id)))
        except (HubError, IndexError, ValueError):
            if m.kind is None or m.kind in PERSONAL_KINDS:
                return None
    return Redactor(values)
