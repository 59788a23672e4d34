"""Generate the hub's UN/EDIFACT directory definitions (adapters/edifact/directories/*.json).

    python tools/edifact_directories.py [--source DIR] [--out DIR]

The UNTDID tables (message structures EDMD, segments EDSD, composites EDCD, simple elements
EDED) and the ISO 9735 service tables (SDMD, SDSD, SDCD, SDED) come as the CSV files that
Debian's package ``libbusiness-edi-perl`` carries (Business::EDI, Artistic or GPL-1+; the
tables themselves are UNECE's published directories). ``--source`` names the unpacked
``.../Business/EDI/data/edifact`` folder (or any folder above it); without it the package is
fetched with ``apt-get download`` into a temporary folder and unpacked with ``dpkg-deb -x``.

Written, as compact JSON with sorted keys so that a rerun gives the same bytes:

- ``dXXx.json``, one per D directory that defines a message type the hub deals with: those
  messages' segment tables and only the segments, composites and simple elements they use.
  Service segments (UNH, UNT, UNS) are left to the syntax files: which of their versions
  applies depends on the interchange, not on the directory.
- ``syntaxN.json``, one per syntax version 1..4: UNH, UNT, UNS and, where the version defines
  it, CONTRL with its segments (version 4 is ISO 9735 version 4 release 1, 40100).
- ``index.json``: which message type has which directories (``{"CUSCAR": ["D93A", ...],
  "CONTRL": ["syntax 3", "syntax 4"]}``, oldest first), so that a reader knows them without
  loading every file.

Shapes (``null`` stands for a position the directory leaves out)::

    messages    {"CUSCAR": [["BGM", "M", 1], ["SG1", "C", 9, [["TDT", "M", 1], ...]], ...]}
    segments    {"NAD": [["3035", "M", 1], ["C082", "C", 1], ...]}       element id, status, repeat
    composites  {"C080": [["3036", "M", "an..35"], ...]}                 component id, status, format
    elements    {"3035": "an..3"}                                        simple elements used standalone
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "libbusiness-edi-perl"
MESSAGE_TYPES = ("APERAK", "CONTRL", "CUSCAR", "CUSDEC", "CUSRES", "IFTMIN", "PAXLST")
SERVICE_IN_MESSAGES = ("UNH", "UNS", "UNT")
SYNTAX_FILES = {"1": "10000", "2": "20000", "3": "30000", "4": "40100"}
LICENCE = ("tables: UN/EDIFACT directories (UNTDID) and ISO 9735 service directories as published by "
           "UNECE; CSV files of Debian package libbusiness-edi-perl (Business::EDI by Joe Atzberger), "
           "licence Artistic or GPL-1+")
OUT = Path(__file__).resolve().parent.parent / "adapters" / "edifact" / "directories"

Entry = list  # [tag, status, repeat] or [group, status, repeat, [entries]]


def fields(line: str) -> list[str]:
    """A CSV line's fields, blanks around each removed, the trailing empty field dropped."""
    parts = [p.strip() for p in line.rstrip("\r\n").split(";")]
    while parts and not parts[-1]:
        parts.pop()
    return parts


def parse_messages(lines: Iterable[str], wanted: Iterable[str]) -> dict[str, dict[str, list[Entry]]]:
    """Message tables of an EDMD/SDMD file: {type: {"VERSION:RELEASE:AGENCY": nested entries}}.

    A line ``TYPE:V:R:A::;name;TAG;M;1;...`` is the top level, ``TYPE:V:R:A::SGn;SGnn;TAG;M;1;...``
    group n; a group's own status and repeat stand in the table that uses it."""
    wanted = set(wanted)
    flat: dict[str, dict[str, dict[str, list[list[str]]]]] = {}
    for line in lines:
        parts = fields(line)
        if not parts or ":" not in parts[0]:
            continue
        key = parts[0].split(":")
        if key[0] not in wanted:
            continue
        triples = parts[2:]
        if len(triples) % 3:
            raise ValueError(f"odd message table line: {line.strip()!r}")
        table = flat.setdefault(key[0], {}).setdefault(":".join(key[1:4]), {})
        table[key[5] if len(key) > 5 else ""] = [triples[i:i + 3] for i in range(0, len(triples), 3)]
    return {kind: {version: _nest(groups, "") for version, groups in versions.items()}
            for kind, versions in flat.items()}


def _nest(groups: dict[str, list[list[str]]], name: str) -> list[Entry]:
    out: list[Entry] = []
    for tag, status, repeat in groups[name]:
        entry: Entry = [tag, status, int(repeat)]
        if _is_group(tag):
            children = _nest(groups, tag)
            if _is_group(children[0][0]):
                raise ValueError(f"group {tag} starts with another group")
            entry.append(children)
        out.append(entry)
    return out


def _is_group(tag: str) -> bool:
    """SG1, SG12 ... (SGP is a segment)."""
    return tag.startswith("SG") and tag[2:].isdigit()


def parse_segments(lines: Iterable[str]) -> dict[str, list[list[object] | None]]:
    """Segments of an EDSD/SDSD file: {tag: [[element id, status, repeat] or None for a gap, ...]}."""
    return {parts[0]: _positions(parts[2:], lambda e, s, r: [e, s, int(r)])
            for parts in map(fields, lines) if len(parts) > 2}


def parse_composites(lines: Iterable[str]) -> dict[str, list[list[object] | None]]:
    """Composites of an EDCD/SDCD file: {id: [[component id, status, format] or None, ...]}."""
    return {parts[0]: _positions(parts[2:], lambda e, s, f: [e, s, f])
            for parts in map(fields, lines) if len(parts) > 2}


def parse_elements(lines: Iterable[str]) -> dict[str, str]:
    """Simple elements of an EDED/SDED file: {id: format}."""
    return {parts[0]: parts[1] for parts in map(fields, lines) if len(parts) > 1}


def _positions(rest: list[str], make) -> list[list[object] | None]:
    """Quadruples ``pos;id;status;x`` placed by their position (010 = first); a missing one is None."""
    if len(rest) % 4:
        raise ValueError(f"odd definition: {rest!r}")
    out: list[list[object] | None] = []
    for i in range(0, len(rest), 4):
        slot = int(rest[i]) // 10
        out.extend([None] * (slot - 1 - len(out)))
        out.append(make(*rest[i + 1:i + 4]))
    return out


def used_tags(entries: list[Entry]) -> set[str]:
    """Every segment tag a nested message table names."""
    tags: set[str] = set()
    for entry in entries:
        if len(entry) > 3:
            tags |= used_tags(entry[3])
        else:
            tags.add(entry[0])
    return tags


def directory(messages: dict[str, list[Entry]], segments: dict, composites: dict, elements: dict[str, str],
              about: dict[str, str], skip: Iterable[str] = (), extra: Iterable[str] = ()) -> dict[str, object]:
    """One directory file: the messages and only the segments, composites and elements they use
    (less ``skip``, plus ``extra``)."""
    tags = sorted(set().union(set(extra), *(used_tags(m) for m in messages.values())) - set(skip))
    missing = [t for t in tags if t not in segments]
    if missing:
        raise ValueError(f"{about['directory']}: segments {missing} used but not defined")
    used_segments = {t: segments[t] for t in tags}
    ids = {e[0] for seg in used_segments.values() for e in seg if e}
    used_composites = {i: composites[i] for i in sorted(ids) if i in composites}
    simple = sorted(ids - set(used_composites))
    undefined = [i for i in simple if i not in elements]
    if undefined:
        raise ValueError(f"{about['directory']}: elements {undefined} used but not defined")
    return {"about": about, "messages": messages, "segments": used_segments, "composites": used_composites,
            "elements": {i: elements[i] for i in simple}}


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="latin-1").splitlines()


def _about(name: str, version: str, files: list[str]) -> dict[str, str]:
    return {"directory": name, "source": f"{PACKAGE} {version}: " + ", ".join(files), "licence": LICENCE}


def d_directories(root: Path, version: str) -> dict[str, dict[str, object]]:
    """``{"d95b": file content, ...}`` for every D directory that defines a hub message type."""
    out = {}
    for edmd in sorted((root / "untdid").glob("EDMD.d*.csv")):
        tag = edmd.name.split(".")[1]
        found = parse_messages(_read(edmd), MESSAGE_TYPES)
        messages = {kind: next(iter(v.values())) for kind, v in sorted(found.items())}
        if not messages:
            continue
        files = [f"{kind}.{tag}.csv" for kind in ("EDMD", "EDSD", "EDCD", "EDED")]
        out[tag] = directory(messages, parse_segments(_read(root / "untdid" / files[1])),
                             parse_composites(_read(root / "untdid" / files[2])),
                             parse_elements(_read(root / "untdid" / files[3])),
                             _about(tag.upper(), version, files), skip=SERVICE_IN_MESSAGES)
    return out


def syntax_directories(root: Path, version: str) -> dict[str, dict[str, object]]:
    """``{"syntax3": file content, ...}``: UNH, UNT, UNS and CONTRL where the syntax version has it."""
    out = {}
    for syntax, number in SYNTAX_FILES.items():
        files = [f"{kind}.{number}.csv" for kind in ("SDMD", "SDSD", "SDCD", "SDED")]
        found = parse_messages(_read(root / "iso9735" / files[0]), ["CONTRL"])
        out[f"syntax{syntax}"] = directory(
            {kind: next(iter(v.values())) for kind, v in found.items()},
            parse_segments(_read(root / "iso9735" / files[1])), parse_composites(_read(root / "iso9735" / files[2])),
            parse_elements(_read(root / "iso9735" / files[3])), _about(f"syntax {syntax} ({number})", version, files),
            extra=SERVICE_IN_MESSAGES)
    return out


def index(files: dict[str, dict]) -> dict[str, list[str]]:
    """{message type: directory names, oldest first} over the written files."""
    out: dict[str, list[str]] = {}
    for name in sorted(files, key=_age):
        for kind in files[name]["messages"]:
            out.setdefault(kind, []).append(files[name]["about"]["directory"].split(" (")[0])
    return out


def _age(name: str) -> tuple[int, str]:
    """d93a < d99b < d00a < d08a; syntax files after them in their order."""
    if name.startswith("d"):
        year = int(name[1:3])
        return (1900 + year if year > 80 else 2000 + year), name
    return 9999, name


def dump(content: dict[str, object]) -> str:
    """Compact, sorted, one file = one line plus a newline: the same input gives the same bytes."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n"


def find_root(source: Path) -> Path:
    """The ``edifact`` data folder (holding untdid/ and iso9735/) at or below ``source``."""
    if (source / "untdid").is_dir():
        return source
    for candidate in sorted(source.glob("**/Business/EDI/data/edifact")):
        return candidate
    raise SystemExit(f"no Business/EDI/data/edifact folder under {source}")


def fetch(into: Path) -> Path:
    """Download and unpack the Debian package into ``into``; the unpacked tree."""
    subprocess.run(["apt-get", "download", PACKAGE], cwd=into, check=True)
    deb = next(into.glob(f"{PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(into / "tree")], check=True)
    return into / "tree"


def package_version(root: Path) -> str:
    """The package version from the Debian changelog beside the data (its first line), or 'unknown'."""
    for folder in root.parents:
        log = folder / "doc" / PACKAGE / "changelog.Debian.gz"
        if log.is_file():
            with gzip.open(log, "rt") as text:
                return text.readline().split("(", 1)[1].split(")", 1)[0]
    return "unknown"


def generate(source: Path, out: Path) -> list[Path]:
    """Write every file; the paths written."""
    root = find_root(source)
    version = package_version(root)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    files = {**d_directories(root, version), **syntax_directories(root, version)}
    for name, content in {**files, "index": index(files)}.items():
        path = out / f"{name}.json"
        path.write_text(dump(content), encoding="ascii")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="unpacked libbusiness-edi-perl (default: apt-get download it)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.source:
        written = generate(args.source, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            written = generate(fetch(Path(tmp)), args.out)
    print(f"{len(written)} files in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
