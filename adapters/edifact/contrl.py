"""CONTRL (syntax and service report) <-> Receipt; the hub's negative receipt for every EDIFACT sender.

    UCI+<0020>+<sender>+<recipient>+<action>[+<0085>+<0013>]   the answered interchange
    UCM+<0062>+<type:version:release:agency>+<action>[+<0085>+<0013>]   an answered message
    UCS+<position in message>[+<0085>]                          an erroneous segment (UNH = 1)
    UCD+<0085>+<element>:<component>                            an erroneous element (tag = 1)

Action 0083: 4 rejected, 7 acknowledged, 8 received (both read as acknowledged; the code
stays in agency_status). answers_interchange = UCI 0020, answers_message_id = the first UCM
0062, answers_type its S009 type; the business key is that message reference (else 0020).
Errors are read with their 0085 code, its meaning as text, and a :mod:`.pointer`.

Writing, each receipt error goes where its pointer says (see :mod:`.pointer`): an envelope
segment (UNB, UNG, UNE, UNZ) -> the UCI's code and tag (CONTRL carries one; the first
wins); UNH/UNT -> the UCM's code and tag; another segment of a message -> UCS with its
position in the message (UCD when the element is known); any other pointer (a business
rule's JSON pointer) -> the answered message's UCM. The hub's EDI_* codes become 0085
codes (``SYNTAX_ERRORS``), numeric codes pass through, anything else is 18 (unspecified).
S009 of a UCM repeats the answered type with the directory the hub writes for it; for a
further message of the interchange (an error's pointer names it) the type comes from the
receipt's ``more`` answers (the reply facts list every message of the interchange), so the
CONTRL for a refused interchange of several messages names each failed one in its own UCM.
A CONTRL interchange of several messages reads as one Receipt (see :mod:`.base`).

UCI 0020 and UCM 0062 are an..14 and mandatory: a CONTRL must never be refused by the hub's
own directory check, whatever the receipt knows (one converted from an XML receipt answers no
interchange, and its ids are longer). UCI 0020 is the answered interchange, else the answered
message id, else the business key, else the CONTRL's own id; each UCM 0062 is the answered
message's reference. A value longer than 14 is written as :func:`writer.reference` of it:
the reference the hub itself writes in UNB and UNH for that id (and correlates answers by),
so the fallback reads back as the interchange and message references of the hub's delivery.
UCM S009 (the answered message's type) is mandatory too: an answered message whose type the
receipt does not know (an APERAK names none), or one longer than S009 0065 allows (an..6),
gets no UCM; its first error goes on the UCI when the UCI has none of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.adapters import RenderContext
from hub.models import Kind, Receipt, ReceiptError, ReceiptStatus

from .base import EdifactAdapter
from .pointer import Pointer
from .reading import Body
from .syntax import Segment
from .writer import MessageWriter, reference

ERROR_TEXTS = {
    "2": "Syntax version or level not supported", "7": "Interchange recipient not actual recipient",
    "12": "Invalid value", "13": "Missing", "14": "Value not supported in this position",
    "15": "Not supported in this position", "16": "Too many constituents", "17": "No agreement",
    "18": "Unspecified error", "19": "Invalid decimal notation", "20": "Character invalid as service character",
    "21": "Invalid character(s)", "22": "Invalid service character(s)", "23": "Unknown interchange sender",
    "24": "Too old", "25": "Test indicator not supported", "26": "Duplicate detected",
    "28": "References do not match", "29": "Control count does not match number of instances received",
    "30": "Functional groups and messages mixed", "31": "More than one message type in group",
    "32": "Lower level empty", "33": "Invalid occurrence outside message, package or group",
    "35": "Too many repetitions", "36": "Too many segment group repetitions",
    "37": "Invalid type of character(s)", "39": "Data element too long", "40": "Data element too short",
}
SYNTAX_ERRORS = {
    "EDI_UNT_COUNT": "29", "EDI_UNE_COUNT": "29", "EDI_UNZ_COUNT": "29",
    "EDI_UNT_REFERENCE": "28", "EDI_UNE_REFERENCE": "28", "EDI_UNZ_REFERENCE": "28",
    "EDI_CHARSET_VIOLATION": "21", "EDI_CHARSET_REPERTOIRE": "21", "EDI_SYNTAX_ID_UNKNOWN": "2",
    "EDI_UNA_INVALID": "20", "EDI_UNB_MISSING": "13", "EDI_UNT_MISSING": "13", "EDI_UNE_MISSING": "13",
    "EDI_UNZ_MISSING": "13", "EDI_SEGMENT_MISSING": "13", "EDI_GROUPS_MIXED": "30",
    "EDI_SEGMENT_OUTSIDE_MESSAGE": "33", "EDI_CONTENT_AFTER_UNZ": "33", "EDI_SEGMENT_TAG_INVALID": "12",
    "EDI_VALUE_INVALID": "12", "EDI_CODE_UNMAPPED": "12", "EDI_UNH_MISSING": "32",
    "EDI_MESSAGE_TYPE": "31", "EDI_MESSAGE_TYPE_UNSUPPORTED": "14",
    # the directory checks (.directory)
    "EDI_SEGMENT_UNEXPECTED": "15", "EDI_REPEAT_EXCEEDED": "35", "EDI_GROUP_REPEAT_EXCEEDED": "36",
    "EDI_TOO_MANY_ELEMENTS": "16", "EDI_TOO_MANY_COMPONENTS": "16", "EDI_ELEMENT_MISSING": "13",
    "EDI_ELEMENT_TOO_LONG": "39", "EDI_ELEMENT_TOO_SHORT": "40", "EDI_ELEMENT_FORMAT": "37",
    "EDI_DIRECTORY_UNKNOWN": "14",
}
ACTIONS_IN = {"4": ReceiptStatus.REJECTED, "7": ReceiptStatus.ACKNOWLEDGED, "8": ReceiptStatus.ACKNOWLEDGED}
ACTIONS_OUT = {ReceiptStatus.REJECTED: "4", ReceiptStatus.ACKNOWLEDGED: "7", ReceiptStatus.ACCEPTED: "7",
               ReceiptStatus.OTHER: "8"}
DIRECTORIES = {"CUSCAR": ("D", "95B", "UN"), "CUSDEC": ("D", "96B", "UN"), "IFTMIN": ("D", "99B", "UN"),
               "PAXLST": ("D", "05B", "UN"), "APERAK": ("D", "96A", "UN"), "CUSRES": ("D", "96B", "UN")}
ENVELOPE = ("UNB", "UNG", "UNE", "UNZ")


class Contrl(EdifactAdapter):
    name = "contrl"
    message_type = "CONTRL"
    identifier = ("CONTRL", "2", "2", "UN")
    description = "UN/EDIFACT CONTRL syntax and service report (the hub's rejection of EDIFACT input)"
    reads = frozenset({Kind.RECEIPT})
    writes = frozenset({Kind.RECEIPT})
    negative_receipt = None  # a CONTRL is never answered

    def read(self, body: Body) -> Receipt:
        uci = body.need("UCI", what="the answered interchange")
        _, messages = body.groups("UCM")
        actions = [uci.get(3)] + [g[0].get(2) for g in messages]
        rejected = "4" in actions
        errors = _level_errors(uci, 4, None) + [e for g in messages for e in _message_errors(body, g)]
        first = messages[0][0] if messages else None
        return Receipt(
            header=self.header(body), answers_interchange=uci.get(0), answers_message_id=first and first.get(0),
            answers_type=first and first.get(1, 0), business_key=(first and first.get(0)) or uci.get(0) or "",
            issuer=body.interchange.sender,
            status=ReceiptStatus.REJECTED if rejected else ACTIONS_IN.get(uci.get(3) or "", ReceiptStatus.OTHER),
            agency_status=uci.get(3), issued_at=body.interchange.prepared_at, errors=errors)

    def write(self, doc: Receipt, ctx: RenderContext) -> MessageWriter:
        plan = _Plan.of(doc)
        w = MessageWriter()
        action = doc.agency_status if ACTIONS_IN.get(doc.agency_status or "") is _reading(doc.status) \
            else ACTIONS_OUT[doc.status]
        answered = doc.answers_interchange or doc.answers_message_id or doc.business_key or ctx.message_id
        types = {a.answers_message_id: a.answers_type for a in doc.answers() if a.answers_type}
        typed = {ref: report for ref, report in plan.messages.items() if 0 < len(types.get(ref) or "") <= TYPE}
        untyped = [report.first() for ref, report in plan.messages.items() if ref not in typed]
        interchange = plan.interchange or next((first for first in untyped if first), [])
        w.add("UCI", fitted(answered), ctx.receiver_id, ctx.sender_id, action, *interchange)
        for ref, report in typed.items():
            _write_message(w, doc, ref, report, types[ref])
        return w


def _reading(status: ReceiptStatus) -> ReceiptStatus:
    return ReceiptStatus.ACKNOWLEDGED if status is ReceiptStatus.ACCEPTED else status


def _level_errors(seg: Segment, at: int, message: str | None) -> list[ReceiptError]:
    code = seg.get(at)
    if code is None:
        return []
    tag = seg.get(at + 1)
    pointer = Pointer(tag=tag if tag and len(tag) == 3 else None, message=message)
    return [ReceiptError(code=code, text=ERROR_TEXTS.get(code), pointer=str(pointer) or None)]


def _message_errors(body: Body, group: list[Segment]) -> list[ReceiptError]:
    ucm = group[0]
    ref = ucm.get(0)
    errors = _level_errors(ucm, 3, ref)
    position = None
    for seg in group[1:]:
        if seg.tag == "UCS":
            position = body.integer(seg, 0)
            if seg.get(1):
                errors.append(_error(seg.get(1), Pointer(message=ref, message_position=position)))
        elif seg.tag == "UCD" and seg.get(0):
            element, component = body.integer(seg, 1, 0), body.integer(seg, 1, 1)
            errors.append(_error(seg.get(0), Pointer(message=ref, message_position=position, element=element,
                                                     component=component)))
    return errors


def _error(code: str, pointer: Pointer) -> ReceiptError:
    return ReceiptError(code=code, text=ERROR_TEXTS.get(code), pointer=str(pointer))


REFERENCE = 14
"""UCI 0020 and UCM 0062: an..14."""
TYPE = 6
"""UCM S009 0065, the answered message's type: an..6."""


def fitted(ref: str) -> str:
    """A reference for UCI 0020 or UCM 0062: itself when it fits an..14, else :func:`writer.reference` of it."""
    return ref if len(ref) <= REFERENCE else reference(ref)


SYNTAX_CODE = 3
"""0085 syntax error code: an..3."""


def syntax_code(code: str) -> str:
    """The 0085 syntax error code for a receipt error's code: a number that fits an..3 as it is
    (an agency's longer number, GACC's 0001 say, is 18 like any other code of its own)."""
    return code if code.isdigit() and len(code) <= SYNTAX_CODE else SYNTAX_ERRORS.get(code, "18")


@dataclass
class _Report:
    """What one UCM says: its own error (code, tag) and its segment errors."""

    level: list[str | None] = field(default_factory=list)
    segments: list[tuple[int, str, int | None, int | None]] = field(default_factory=list)

    def first(self) -> list[str | None]:
        """The report's first error as a UCI's code (and no tag), for a message no UCM can name."""
        if self.level:
            return [self.level[0]]
        return [self.segments[0][1]] if self.segments else []


@dataclass
class _Plan:
    interchange: list[str | None] = field(default_factory=list)
    messages: dict[str, _Report] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Receipt) -> _Plan:
        plan = cls()
        if doc.answers_message_id is not None:
            plan.messages[doc.answers_message_id] = _Report()
        for error in doc.errors:
            plan.place(error, doc.answers_message_id)
        return plan

    def place(self, error: ReceiptError, answered: str | None) -> None:
        code, p = syntax_code(error.code), Pointer.parse(error.pointer)
        tag = p.tag if p else None
        ref = p.message if p and p.message else (None if tag in ENVELOPE else answered)
        if ref is None:
            if not self.interchange:
                self.interchange = [code, tag]
            return
        report = self.messages.setdefault(ref, _Report())
        if p is not None and p.message_position is not None and tag not in ("UNH", "UNT"):
            report.segments.append((p.message_position, code, p.element, p.component))
        elif not report.level:
            report.level = [code, tag]


def _write_message(w: MessageWriter, doc: Receipt, ref: str, report: _Report, kind: str) -> None:
    identifier = [kind, *DIRECTORIES.get(kind, ("D", "96A", "UN"))]
    rejected = bool(report.level or report.segments) or doc.status is ReceiptStatus.REJECTED
    w.add("UCM", fitted(ref), identifier, "4" if rejected else "7", *report.level)
    for position, code, element, component in report.segments:
        if element is None:
            w.add("UCS", str(position), code)
        else:
            w.add("UCS", str(position))
            w.add("UCD", code, [str(element), str(component) if component else None])
