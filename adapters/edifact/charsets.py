"""Syntax identifiers (UNB S001/0001) and the character repertoires they declare.

The identifier names both a repertoire and, for the hub, the byte encoding to decode with:

=======  ===========================================  =====================
UNOA     ISO 646 level A: upper case, digits, space,  ascii + repertoire
         ``. , - ( ) / = ! " % & * ; < > ' + : ?``
UNOB     ISO 646 level B: the invariant ISO 646 set   ascii + repertoire
         (level A plus lower case and ``_``; not the
         national positions ``# $ @ [ \\ ] ^ ` { | } ~``)
UNOC     ISO 8859-1 (Latin 1)                         latin-1
UNOD     ISO 8859-2 (Latin 2)                         iso8859_2
UNOE     ISO 8859-5 (Latin/Cyrillic)                  iso8859_5
UNOF     ISO 8859-7 (Latin/Greek)                     iso8859_7
UNOG     ISO 8859-3 (Latin 3)                         iso8859_3
UNOH     ISO 8859-4 (Latin 4)                         iso8859_4
UNOI     ISO 8859-6 (Latin/Arabic)                    iso8859_6
UNOJ     ISO 8859-8 (Latin/Hebrew)                    iso8859_8
UNOK     ISO 8859-9 (Latin 5)                         iso8859_9
UNOW     ISO 10646 with UTF-8 (syntax version 4)      utf-8
UNOX     ISO 2022 code extension (escape sequences)   iso2022_jp_2
UNOY     ISO 10646 octets without code extension      utf-8
=======  ===========================================  =====================

ISO 2022 is a family; the hub decodes UNOX with the broadest profile Python ships
(ISO-2022-JP-2: ASCII, ISO 8859-1/-7, JIS X 0208/0212, GB 2312, KS C 5601).

Besides its repertoire, every level forbids control characters inside a segment
(C0, DEL, C1) and the non-characters U+FFFE and U+FFFF; line breaks and blanks *between* segments are \
not part of any segment.
The level-B information separators (IS1/IS3/IS4) are allowed when they are the
interchange's service characters. Writing with ``None`` picks the first of UNOA, UNOB,
UNOC, UNOW that can carry every character.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache

LEVEL_A = string.ascii_uppercase + string.digits + " .,-()/=!\"%&*;<>'+:?"
LEVEL_B = LEVEL_A + string.ascii_lowercase + "_"


@dataclass(frozen=True)
class Repertoire:
    """One syntax identifier: its codec and, for levels A and B, the exact character set."""

    syntax_id: str
    codec: str
    allowed: str | None = None
    """The exact set (levels A and B); None: everything the codec decodes except controls."""

    @property
    def version(self) -> str:
        """The syntax version the hub writes with this identifier (UTF-8 needs version 4)."""
        return "4" if self.syntax_id == "UNOW" else "3"

    def invalid(self, service: str = "", lenient: bool = False) -> re.Pattern:
        """A pattern matching any character this level does not allow (service characters allowed).

        ``lenient`` widens levels A and B to printable ASCII (bytes above 0x7F still fail)."""
        return _invalid(PRINTABLE_ASCII if lenient and self.allowed else self.allowed, service)


@lru_cache(maxsize=64)
def _invalid(allowed: str | None, service: str) -> re.Pattern:
    if allowed is not None:
        return re.compile("[^" + re.escape(allowed + service) + "]")
    extra = "".join(c for c in service if ord(c) < 0x20)
    controls = "".join(chr(i) for i in (*range(0x20), *range(0x7f, 0xa0)) if chr(i) not in extra)
    return re.compile("[" + re.escape(controls) + SURROGATES + NON_CHARACTERS + "]")


SURROGATES = "\udc80-\udcff"
"""Undecodable bytes, as ``errors="surrogateescape"`` leaves them in the text."""
NON_CHARACTERS = "\ufffe\uffff"
"""Not characters at all (UTF-8 can encode them, XML cannot carry them)."""
PRINTABLE_ASCII = "".join(chr(i) for i in range(0x20, 0x7f))


REPERTOIRES = {r.syntax_id: r for r in (
    Repertoire("UNOA", "ascii", LEVEL_A), Repertoire("UNOB", "ascii", LEVEL_B),
    Repertoire("UNOC", "latin-1"), Repertoire("UNOD", "iso8859_2"), Repertoire("UNOE", "iso8859_5"),
    Repertoire("UNOF", "iso8859_7"), Repertoire("UNOG", "iso8859_3"), Repertoire("UNOH", "iso8859_4"),
    Repertoire("UNOI", "iso8859_6"), Repertoire("UNOJ", "iso8859_8"), Repertoire("UNOK", "iso8859_9"),
    Repertoire("UNOW", "utf-8"), Repertoire("UNOX", "iso2022_jp_2"), Repertoire("UNOY", "utf-8"),
)}

AUTO_ORDER = ("UNOA", "UNOB", "UNOC", "UNOW")


def repertoire(syntax_id: str) -> Repertoire | None:
    """The repertoire of a syntax identifier, None when the hub does not know it."""
    return REPERTOIRES.get(syntax_id)


def fits(rep: Repertoire, text: str, service: str) -> bool:
    """Whether ``text`` can be written with ``rep`` (repertoire and codec)."""
    if rep.invalid(service).search(text):
        return False
    try:
        text.encode(rep.codec)
    except UnicodeEncodeError:
        return False
    return True


def choose(text: str, service: str) -> Repertoire:
    """The smallest of UNOA, UNOB, UNOC, UNOW that carries ``text``."""
    for syntax_id in AUTO_ORDER:
        if fits(REPERTOIRES[syntax_id], text, service):
            return REPERTOIRES[syntax_id]
    return REPERTOIRES["UNOW"]


def describe(char: str) -> str:
    """A character for an error message: itself when printable, else its code point."""
    return repr(char) if char.isprintable() else f"U+{ord(char):04X}"

