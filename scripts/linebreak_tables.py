"""Make ``src/transflow/catalogs/linebreak_table.py``: the line-break classes, pair
table and column widths that transflow's PO writer uses, taken once from the
reference it must agree with, so that every machine writes the same bytes.

The reference is GNU libunistring 1.0 (Unicode 14.0.0), the library gettext 0.21's
msgcat, msgmerge and Poedit's gettext break lines with on Debian 12. It is asked
only through its public functions:

- every code point's class: how ``u32_possible_linebreaks`` breaks it next to one
  character of each Unicode Line_Break class (read from Perl's copy of the Unicode
  14.0.0 database), with and without a space between. Code points that behave the
  same form one class, named after the Unicode class most of them have;
- the pair table: whether two classes break directly (D), only across spaces (I),
  or never (P), from one member of each;
- column widths: ``uc_width`` of every code point (0, 1 or 2).

Run it on a machine with libunistring 1.0 and Perl 5.36 (Debian 12), about four
minutes:

    .venv/bin/python scripts/linebreak_tables.py
"""

from __future__ import annotations

import bisect
import collections
import ctypes
import subprocess
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "src/transflow/catalogs/linebreak_table.py"
LIBRARY = "libunistring.so.2"
SP, LF = 0x20, 0x0A
POSSIBLE = 2  # libunistring's UC_BREAK_POSSIBLE


def library() -> tuple[ctypes.CDLL, object]:
    lib = ctypes.CDLL(LIBRARY)
    lib.u32_possible_linebreaks.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                            ctypes.c_char_p, ctypes.c_void_p]
    lib.u32_possible_linebreaks.restype = None
    lib.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    lib.uc_width.restype = ctypes.c_int
    return lib, lib.u32_possible_linebreaks


def ucd_classes() -> tuple[list[int], list[str]]:
    """Unicode's Line_Break property as (range starts, class names), from Perl."""
    script = ('my ($l,$m)=prop_invmap("Line_Break"); '
              'for my $i (0..$#$l){print "$$l[$i] $$m[$i]\\n"}')
    out = subprocess.run(["perl", "-MUnicode::UCD=prop_invmap", "-e", script],
                         capture_output=True, text=True, check=True).stdout
    version = subprocess.run(["perl", "-MUnicode::UCD", "-e",
                              "print Unicode::UCD::UnicodeVersion()"],
                             capture_output=True, text=True, check=True).stdout
    assert version == "14.0.0", f"Perl's Unicode is {version}, not 14.0.0"
    starts, names = [], []
    for line in out.splitlines():
        start, name = line.split()
        starts.append(int(start))
        names.append(name)
    return starts, names


def main() -> None:
    lib, possible = library()

    def breaks(seq: np.ndarray) -> np.ndarray:
        arr = np.ascontiguousarray(seq, dtype=np.uint32)
        out = np.zeros(len(arr), dtype=np.uint8)
        possible(arr.ctypes.data, len(arr), b"UTF-8", out.ctypes.data)  # type: ignore[operator]
        return out

    starts, names = ucd_classes()

    def ucd(c: int) -> str:
        return names[bisect.bisect_right(starts, c) - 1]

    cps = np.array([c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF],
                   dtype=np.uint32)
    reps: dict[str, int] = {}
    for c in cps.tolist():
        reps.setdefault(ucd(c), c)
    # Each code point next to each class, directly and across a space, each pair on a
    # line of its own (LF: a mandatory break resets the state).
    columns = []
    for name, rep in sorted(reps.items()):
        if name in ("LF", "BK", "CR", "NL"):
            continue
        for pattern in ("rc", "cr", "rsc", "csr"):
            width = len(pattern) + 1
            arr = np.empty(len(cps) * width, dtype=np.uint32)
            for k, ch in enumerate(pattern):
                arr[k::width] = rep if ch == "r" else SP if ch == "s" else cps
            arr[len(pattern)::width] = LF
            columns.append(breaks(arr).reshape(len(cps), width)[:, :len(pattern)])
    signatures = np.concatenate(columns, axis=1)
    _, group = np.unique(signatures, axis=0, return_inverse=True)
    members: dict[int, list[int]] = collections.defaultdict(list)
    for c, g in zip(cps.tolist(), group.tolist(), strict=True):
        members[g].append(c)
    # Name each class after the Unicode class of most of its members; where two share
    # a name, the one with fewer members is told apart.
    named: dict[int, str] = {}
    for g, found in sorted(members.items(), key=lambda kv: -len(kv[1])):
        name = collections.Counter(ucd(c) for c in found).most_common(1)[0][0]
        name = {"Unknown": "AL", "LF": "BK"}.get(name, name)
        if name in named.values():
            name = {"OP": "OW", "ID": "EB"}.get(name, name + "2")
        assert name not in named.values(), name
        named[g] = name
    classes = sorted(set(named.values()))
    index = {name: i for i, name in enumerate(classes)}
    of_group = {g: index[n] for g, n in named.items()}

    # Ranges of code points of one class (surrogates take their neighbours' class).
    per_cp = np.full(0x110000, index["AL"], dtype=np.uint8)
    per_cp[cps] = np.array([of_group[g] for g in group.tolist()], dtype=np.uint8)
    range_starts, range_classes = [0], [int(per_cp[0])]
    for c in range(1, 0x110000):
        if per_cp[c] != range_classes[-1]:
            range_starts.append(c)
            range_classes.append(int(per_cp[c]))

    # The pair table, from one member of each class (the first).
    first = {index[named[g]]: found[0] for g, found in members.items()}
    table = []
    for a in range(len(classes)):
        row = []
        for b in range(len(classes)):
            direct = breaks(np.array([first[a], first[b]]))[1]
            spaced = breaks(np.array([first[a], SP, first[b]]))[2]
            row.append("D" if direct == POSSIBLE else "I" if spaced == POSSIBLE else "P")
        table.append("".join(row))

    widths = [max(0, lib.uc_width(c, b"UTF-8")) for c in range(0x110000)]
    width_starts, width_values = [0], [widths[0]]
    for c in range(1, 0x110000):
        if widths[c] != width_values[-1]:
            width_starts.append(c)
            width_values.append(widths[c])

    OUT.write_text(render(classes, range_starts, range_classes, table, width_starts,
                          width_values), encoding="utf-8")
    print(f"{OUT}: {len(classes)} classes, {len(range_starts)} class ranges, "
          f"{len(width_starts)} width ranges")


def _words(names: list[str], per_line: int = 12) -> str:
    return "\n".join("    " + ", ".join(repr(n) for n in names[i:i + per_line]) + ","
                     for i in range(0, len(names), per_line))


def _numbers(values: list[int], per_line: int = 12) -> str:
    lines = []
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(str(v) for v in values[i:i + per_line]) + ",")
    return "\n".join(lines)


def render(classes: list[str], starts: list[int], of: list[int], table: list[str],
           width_starts: list[int], widths: list[int]) -> str:
    return f'''"""Line-break data of GNU libunistring 1.0 (Unicode 14.0.0), as gettext 0.21 breaks
PO lines with it. Generated by scripts/linebreak_tables.py: do not edit."""

UNICODE_VERSION = "14.0.0"
REFERENCE = "GNU libunistring 1.0 (gettext 0.21)"

CLASSES = (
{_words(classes)}
)

# Code points from CLASS_STARTS[i] up to the next start are of class CLASS_OF[i].
CLASS_STARTS = (
{_numbers(starts)}
)
CLASS_OF = bytes((
{_numbers(of, 24)}
))

# PAIRS[before][after]: D breaks between them, I only across spaces, P never.
PAIRS = (
{chr(10).join(f"    {row!r},  # {name}" for name, row in zip(classes, table, strict=True))}
)

# Columns a code point takes, from WIDTH_STARTS[i] up to the next start.
WIDTH_STARTS = (
{_numbers(width_starts)}
)
WIDTHS = bytes((
{_numbers(widths, 24)}
))
'''


if __name__ == "__main__":
    main()
