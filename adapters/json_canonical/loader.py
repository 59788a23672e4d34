"""One bounded, safe JSON loader for every JSON format the hub reads.

``json.loads`` on hostile bytes can raise what no caller expects: RecursionError on deep
nesting, ValueError on an integer of more than 4,300 digits, and it builds floats of
``1E+99999999`` (inf) or strings with lone surrogates (``"\\udc80"``) that later break
every UTF-8 encoder. :func:`load` refuses all of it with a coded :class:`ParseError`:

- JSON_MALFORMED: not JSON, or not UTF-8 (raw control characters in strings included:
  JSON itself forbids them);
- JSON_TOO_DEEP: nested deeper than :data:`MAX_DEPTH` (checked on the bytes, before parsing);
- NUMBER_OUT_OF_RANGE: a number token longer than ``MAX_NUMBER_CHARS`` characters, or
  outside the canonical bounds (:func:`hub.models.common.number_problem`), NaN and Infinity;
  numbers with a fraction or exponent are read as Decimal (exactly), never as float;
- TEXT_CONTROL_CHARACTER: a string (member name or value) holding a C0 control character
  other than TAB, CR and LF, written as an escape (``\\u0000``). No output format can carry one
  (XML 1.0 forbids them, Cargo-IMP and EDIFACT refuse them) and a JSON receiver's own parser may
  cut the string at NUL, so the hub refuses them where they come in;
- TEXT_INVALID: a lone surrogate or the non-characters U+FFFE / U+FFFF (not encodable as
  UTF-8, not allowed in XML).

Paths are JSON pointers from the object's root; ``strip`` removes a prefix (``/document``) so
they read as canonical field paths.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from hub.errors import ParseError
from hub.models.common import MAX_NUMBER_CHARS, NUMBER_OUT_OF_RANGE, number_problem

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects: a canonical document is about eight levels deep."""

_BRACKETS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")


def load(data: bytes, strip: str = ""):
    """Parse ``data`` as a JSON text within the hub's bounds (see the module note)."""
    _check_depth(data)
    try:
        obj = json.loads(data, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
    except _OutOfRange as exc:
        raise ParseError(f"number {exc.token[:24]}{'...' if len(exc.token) > 24 else ''} "
                         f"({len(exc.token)} characters) is out of range: {exc.why}",
                         code=NUMBER_OUT_OF_RANGE, line=_line_of(data, exc.token.encode("ascii", "replace"))) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"malformed JSON: {getattr(exc, 'msg', exc)}", code="JSON_MALFORMED",
                         line=getattr(exc, "lineno", 1)) from None
    _check_text(obj, "", data, strip)
    return obj


class _OutOfRange(ValueError):
    def __init__(self, token: str, why: str) -> None:
        super().__init__(why)
        self.token, self.why = token, why


def _integer(token: str) -> int:
    if len(token) > MAX_NUMBER_CHARS:
        raise _OutOfRange(token, f"more than {MAX_NUMBER_CHARS} characters")
    value = int(token)
    if (why := number_problem(value)) is not None:
        raise _OutOfRange(token, why)
    return value


def _decimal(token: str) -> Decimal:
    if len(token) > MAX_NUMBER_CHARS:
        raise _OutOfRange(token, f"more than {MAX_NUMBER_CHARS} characters")
    try:
        value = Decimal(token)
    except InvalidOperation:  # pragma: no cover - the JSON grammar only hands over numbers
        raise _OutOfRange(token, "not a number") from None
    if (why := number_problem(value)) is not None:
        raise _OutOfRange(token, why)
    return value


def _constant(token: str):
    raise _OutOfRange(token, f"{token} is not a number")


def _check_depth(data: bytes) -> None:
    """Refuse nesting deeper than MAX_DEPTH before the recursive parser sees it (strings skipped)."""
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return
    depth = 0
    for match in _BRACKETS.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels", code="JSON_TOO_DEEP",
                                 line=data.count(b"\n", 0, match.start()) + 1)
        elif token in (b"]", b"}"):
            depth -= 1


def _check_text(obj, path: str, data: bytes, strip: str) -> None:
    """Every member name and string value: no escaped C0 controls but TAB, CR, LF; valid Unicode."""
    stack = [(obj, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            _check_string(value, where, data, strip)
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{where}/{_escape(key)}"
                _check_string(key, child, data, strip)
                stack.append((item, child))
        elif isinstance(value, list):
            stack.extend((item, f"{where}/{i}") for i, item in enumerate(value))


def _check_string(text: str, where: str, data: bytes, strip: str) -> None:
    if (bad := _FORBIDDEN.search(text)) is not None:
        char = bad.group()
        raise ParseError(f"{_shown(where, strip)}: control character U+{ord(char):04X} is not allowed in text",
                         code="TEXT_CONTROL_CHARACTER", line=_line_of(data, b"\\u%04x" % ord(char), True),
                         path=_shown(where, strip))
    if (bad := _INVALID.search(text)) is not None:
        char = bad.group()
        raise ParseError(f"{_shown(where, strip)}: U+{ord(char):04X} is not a character text may hold "
                         f"(a lone surrogate or a non-character)", code="TEXT_INVALID",
                         line=_line_of(data, b"\\u%04x" % ord(char), True), path=_shown(where, strip))


def _shown(where: str, strip: str) -> str:
    """The JSON pointer, from the document when it lies inside ``strip``."""
    if strip and (where == strip or where.startswith(strip + "/")):
        return where[len(strip):] or "/"
    return where or "/"


def _escape(key: str) -> str:
    """A member name as a pointer step; characters no problem text may hold are written as escapes."""
    key = key.replace("~", "~0").replace("/", "~1")
    return _INVALID.sub(_codepoint, _FORBIDDEN.sub(_codepoint, key))


def _codepoint(match: re.Match) -> str:
    return "\\u%04x" % ord(match.group())


def _line_of(data: bytes, needle: bytes, anycase: bool = False) -> int:
    at = (data.lower() if anycase else data).find(needle.lower() if anycase else needle)
    return 1 if at < 0 else data.count(b"\n", 0, at) + 1
