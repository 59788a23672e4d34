"""docs/integration.md's error-code tables name every code the code base gives, and no other.

The codes are found in the source, not listed here: every string constant of hub/ and adapters/
spelt like a code (``SCHEMA_INVALID``, ``EDI_UNT_COUNT``), except the names a module exports
(``__all__``: constants such as ``HEAD_BYTES``), environment variables it reads
(``os.environ.get("HUB_OPERATOR")``) and the element names the project's XSDs declare
(``DEC_RESULT``, ``ENTRY_ID``: GACC's upper-case XML). A code added to the source fails here
until the document explains it; a code in the document that the source no longer has fails too.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "integration.md"
CODE = re.compile(r"[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+")


def _exported(tree: ast.Module) -> set[str]:
    return {node.value for assign in ast.walk(tree) if isinstance(assign, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in assign.targets)
            for node in ast.walk(assign.value) if isinstance(node, ast.Constant)}


def _environment(tree: ast.Module) -> set[str]:
    """Names read from the environment: ``os.environ.get(NAME)``, ``os.getenv(NAME)``, ``os.environ[NAME]``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and (
                ast.unparse(node.func) in ("os.environ.get", "environ.get", "os.getenv", "getenv")):
            names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ") \
                and isinstance(node.slice, ast.Constant):
            names.add(node.slice.value)
    return names


def _element_names() -> set[str]:
    return {name for xsd in (ROOT / "schemas").rglob("*.xsd")
            for name in re.findall(r'name="([A-Z][A-Z0-9_]+)"', xsd.read_text(errors="replace"))}


@cache
def source_codes() -> frozenset[str]:
    """Every code-like string constant of the hub and its adapters, minus exported names and XML elements."""
    found, exported = set(), set()
    for path in [*(ROOT / "hub").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]:
        tree = ast.parse(path.read_text(), str(path))
        exported |= _exported(tree) | _environment(tree)
        found |= {node.value for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value)}
    return frozenset(found - exported - _element_names())


def documented_codes(text: str) -> set[str]:
    """The codes in the first cell of the rows of the document's error-code section (section 9)."""
    section = text.split("## 9. Error codes", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {code for row in rows for code in re.findall(r"`([^`]+)`", row.split("|")[1]) if CODE.fullmatch(code)}


def test_the_source_scan_finds_the_codes_the_hub_raises_and_not_its_other_constants():
    codes = source_codes()
    assert {"SCHEMA_INVALID", "NO_ROUTE", "RULE_AWB_CHECK_DIGIT", "EDI_SEGMENT_UNEXPECTED", "EDI_DIRECTORY_UNKNOWN",
            "CIMP_FIELD_TOO_LONG", "RECEIPT_FORMAT_NOT_ACCEPTED", "INTERNAL_ERROR"} <= codes
    assert not {"HEAD_BYTES", "DEC_RESULT", "ENTRY_ID", "KNOWN_TYPES", "RECEIPT_STATE", "HUB_OPERATOR"} & codes
    assert len(codes) > 100


def test_every_code_the_source_gives_is_explained_in_the_integration_guide():
    missing = sorted(source_codes() - documented_codes(DOC.read_text()))
    assert missing == [], f"docs/integration.md section 9 does not explain: {', '.join(missing)}"


def test_the_integration_guide_explains_no_code_the_source_does_not_have():
    invented = sorted(documented_codes(DOC.read_text()) - source_codes())
    assert invented == [], f"docs/integration.md section 9 names codes the source does not have: {invented}"


def test_a_code_is_read_from_the_first_cell_of_a_table_row_only():
    text = ("## 9. Error codes\n\n| code | seen by | meaning | what to do |\n|---|---|---|---|\n"
            "| `EDI_UNT_COUNT`, `EDI_UNZ_COUNT` | sender | counts, see `NO_ROUTE` | recount |\n"
            "Prose naming `SCHEMA_INVALID`.\n\n## 10. Security\n| `XML_MALFORMED` | x |\n")
    assert documented_codes(text) == {"EDI_UNT_COUNT", "EDI_UNZ_COUNT"}
