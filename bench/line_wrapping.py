"""PO line wrapping: transflow's own breaker (libunistring 1.0's rules and data, carried
in the package) against the host's libunistring called through ctypes (what transflow
did before) and translate-toolkit's "gettext-compatible" ``PoWrapper``, each checked
against real ``msgcat``.

Writes random be/ru/en catalogs (quotes, dashes, numbers, links, tabs, newlines)
with each wrapper, lets ``msgcat`` rewrite them, and prints how many entries each
wrapper wrote differently from msgcat and how long each took. A wrapper that differs
would make every catalog saved by Poedit or msgmerge churn on the next update.

    .venv/bin/python bench/line_wrapping.py [--catalogs N] [--entries N]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workspace import REPO

sys.path.insert(0, str(REPO))

from transflow.catalogs import pofile
from transflow.catalogs.model import Catalog, Entry, header_fields

WORDS = (
    "Мінск справядліва лічыць нармалізацыю адносін «цытата» 2 000 чалавек 10-15% (see) "
    "[the report](https://example.org/reports/2019/very-long-path.html) “quotes” a/b "
    "e.g. т.е. «Минск» (2019) 1990-х $100 10:28 —Yes !? x;y 20%-ный 3.5% 2019–2020 "
    "Минск считает нормализацию — – - ... 5th 5-га 1,000.50 \"q\" tab\t 1\u00a0500 "
    "«Мінск»— 5-ці 12.03.2024 ‘Вільня’ „лапкі“ {z} 100° 15‰ O'Brien"
).split(" ")


def catalog(rng: random.Random, entries: int) -> Catalog:
    items = []
    for i in range(entries):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.1:
            text += "\n"
        items.append(Entry(text, f"slug-{i}", msgstr=text[::-1]))
    return Catalog(tuple(items), header_fields({"Content-Type": "text/plain; charset=UTF-8"}))


def toolkit_field(prefix: str, keyword: str, value: str, wrap: bool = True,
                  python_format: bool = False) -> list[str]:
    from translate.storage.pypo import PoWrapper, quoteforpo

    lines = quoteforpo(value, PoWrapper(77)) or ['""']
    return [f"{prefix}{keyword} {lines[0]}"] + [f"{prefix}{line}" for line in lines[1:]]


def differing(text: str, folder: Path) -> int:
    path = folder / "x.po"
    path.write_text(text, encoding="utf-8")
    ref = subprocess.run(["msgcat", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return sum(1 for a, b in zip(text.split("\n\n"), ref.split("\n\n"), strict=True)
               if a != b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogs", type=int, default=10)
    parser.add_argument("--entries", type=int, default=300)
    args = parser.parse_args()
    from tests.unistring import ReferenceBreaker
    from transflow.catalogs import linebreak_table, wrap

    ours = pofile.field_lines
    own = wrap.breaker
    print(f"transflow's breaker: {linebreak_table.REFERENCE}, "
          f"Unicode {linebreak_table.UNICODE_VERSION}")
    contenders = (("transflow", ours, own), ("host libunistring", ours, ReferenceBreaker),
                  ("translate-toolkit", toolkit_field, own))
    results = {name: [0, 0.0] for name, _, _ in contenders}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.catalogs):
            cat = catalog(random.Random(seed), args.entries)
            for name, field, breaker in contenders:
                pofile.field_lines = field  # type: ignore[assignment]
                one = breaker()
                wrap.breaker = lambda one=one: one  # type: ignore[assignment, misc]
                wrap._field_lines.cache_clear()  # each string broken anew, every time
                start = time.perf_counter()
                text = pofile.dumps(cat)
                results[name][1] += time.perf_counter() - start
                results[name][0] += differing(text, Path(tmp))
    pofile.field_lines = ours
    wrap.breaker = own  # type: ignore[misc]
    total = args.catalogs * (args.entries + 1)
    for name, (wrong, seconds) in results.items():
        print(f"{name:>17}: {wrong:>5} of {total} entries differ from msgcat, "
              f"{1000 * seconds / args.catalogs:6.1f} ms per catalog")
    for other in ("host libunistring", "translate-toolkit"):
        ratio = results["transflow"][1] / max(results[other][1], 1e-9)
        print(f"time ratio transflow / {other}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
