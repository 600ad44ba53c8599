"""What finished work was made from: the one answer to "is this still current?" for
every command that skips work (update, check, build, the site, the translation memory).

A command keeps its records in ``.transflow/<name>-state.json``: per key (a week, a
bulletin, a page, a file), a fingerprint of what the work depended on (the size and
modification time of its files, and the values it used; see ``fingerprint``) and a
typed record of what it found, a frozen dataclass of the command's own. A later run
whose key has the same fingerprint takes the record instead of doing the work.

One rule for what cannot be trusted: a file that is damaged, of another version of
this format, of another kind of record, or written by other transflow code (an
upgrade, a change in development: the same inputs may now give other outputs) is
ignored whole; a single record that does not hold what its kind says is ignored
alone. Either way the work is done again, never taken on trust. Records are JSON
(no pickle: equal values always give the same bytes) and written atomically; the
commands that write them hold the workspace lock.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from transflow.workspace.files import atomic_write
from transflow.workspace.weeks import Week

FORMAT = 2
"""The version of the records' file format."""
_PACKAGE = Path(__file__).resolve().parent.parent

R = TypeVar("R")


@cache
def code_version() -> str:
    """transflow itself, by the size and time of its files: a record made by other code
    is not trusted, since the same inputs may now give other outputs."""
    files = sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in
                   p.parts)
    return fingerprint([(p.relative_to(_PACKAGE).as_posix(), stamp(p)) for p in files])


def stamp(path: Path) -> tuple[int, int]:
    """(modification time in ns, size); (-1, -1) for a missing file."""
    try:
        found = path.stat()
        return (found.st_mtime_ns, found.st_size)
    except OSError:
        return (-1, -1)


def fingerprint(*parts: object) -> str:
    """A digest of plain values (strings, numbers, lists, tuples, dicts; anything else
    by its ``str``): what work depended on, compared with a record's."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


class Damaged(ValueError):
    """A stored record does not hold what its kind says."""


# --- records as JSON and back ----------------------------------------------------------

def encode(value: object) -> object:
    """A record (a frozen dataclass of plain values, tuples, dicts and weeks) as JSON."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Week):
        return str(value)
    if isinstance(value, tuple | list):
        if all(type(x) is str for x in value):  # the common case, and the long one
            return list(value)
        return [encode(x) for x in value]
    if isinstance(value, frozenset):
        return sorted((encode(x) for x in value), key=json.dumps)
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"a record cannot hold {type(value).__name__}")


Decoder = Callable[[Any], Any]


def _fail(what: str, value: object) -> typing.NoReturn:
    raise Damaged(f"expected {what}, found {type(value).__name__}")


def _plain(kind: Callable[[Any], Any]) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is kind or (kind is float and type(value) is int):
            return kind(value)
        _fail(getattr(kind, "__name__", "a value"), value)
    return decode


def _none(value: Any) -> None:
    if value is not None:
        _fail("null", value)


def _week(value: Any) -> Week:
    if type(value) is not str:
        _fail("a week", value)
    try:
        return Week.parse(value)
    except Exception as exc:  # a WeekError: the record is damaged, not the workspace
        raise Damaged(str(exc)) from None


def _either(choices: tuple[Decoder, ...]) -> Decoder:
    def decode(value: Any) -> Any:
        for choice in choices:
            try:
                return choice(value)
            except Damaged:
                pass
        _fail("one of its kinds", value)
    return decode


def _sequence(item: Decoder, plain_strings: bool, wrap: type) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not list:
            _fail("a list", value)
        if plain_strings:
            if not all(type(x) is str for x in value):
                _fail("a list of strings", value)
            return wrap(value)
        return wrap(item(x) for x in value)
    return decode


def _fixed(items: tuple[Decoder, ...], plain_strings: bool) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != len(items):
            _fail(f"a list of {len(items)}", value)
        if plain_strings:  # a memory's entries: many, and each three strings
            if not all(type(x) is str for x in value):
                _fail("a list of strings", value)
            return tuple(value)
        return tuple(item(x) for item, x in zip(items, value, strict=True))
    return decode


def _mapping(item: Decoder) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not dict:
            _fail("a table", value)
        return {k: item(v) for k, v in value.items()}
    return decode


_INLINE = {str: "type(v) is str", int: "type(v) is int", bool: "type(v) is bool",
           float: "type(v) is float or type(v) is int"}


def _inline_check(kind: Any) -> str | None:
    """A Python test of ``v`` for a plain type (or a plain type or None), or None."""
    if kind in _INLINE:
        return _INLINE[kind]
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (types.UnionType, typing.Union) and len(args) == 2 and \
            type(None) in args:
        other = next(a for a in args if a is not type(None))
        if other in _INLINE:
            return f"v is None or {_INLINE[other]}"
    return None


def _dataclass(kind: type) -> Decoder:
    """A decoder written for ``kind``: its plain fields checked inline, the others by
    their own decoders (records are read by the thousand: a call per field would cost
    more than the JSON parsing)."""
    hints = typing.get_type_hints(kind)
    scope: dict[str, Any] = {"kind": kind, "fail": _fail, "Damaged": Damaged}
    lines = ["def decode(value):",
             "    if type(value) is not dict:",
             f"        fail({kind.__name__!r}, value)",
             "    try:",
             "        found = {}"]
    for f in dataclasses.fields(kind):
        if not f.init:
            continue
        check = _inline_check(hints[f.name])
        lines.append(f"        v = value[{f.name!r}]")
        if check is not None:
            convert = "float(v)" if hints[f.name] is float else "v"
            lines += [f"        if not ({check}):", f"            fail({f.name!r}, v)",
                      f"        found[{f.name!r}] = {convert}"]
        else:
            scope[f"decode_{f.name}"] = decoder(hints[f.name])
            lines.append(f"        found[{f.name!r}] = decode_{f.name}(v)")
    lines += ["    except KeyError as exc:",
              f"        raise Damaged({kind.__name__!r} + ' lacks ' + str(exc)) from None",
              "    return kind(**found)"]
    exec("\n".join(lines), scope)
    decode: Decoder = scope["decode"]
    return decode


@cache
def decoder(kind: Any) -> Decoder:
    """How a record of type ``kind`` is read back from JSON; raises ``Damaged`` for a
    value that is not of that type (made once per type, then used for every record)."""
    if kind in (str, int, float, bool):
        return _plain(kind)
    if kind is None or kind is type(None):
        return _none
    if kind is Week:
        return _week
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return _either(tuple(decoder(arg) for arg in args))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(decoder(args[0]), args[0] is str, tuple)
    if origin is tuple:
        return _fixed(tuple(decoder(arg) for arg in args), all(arg is str for arg in args))
    if origin is frozenset:
        return _sequence(decoder(args[0]), args[0] is str, frozenset)
    if origin is dict and args[0] is str:
        return _mapping(decoder(args[1]))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    raise TypeError(f"a record cannot hold {kind!r}")


# --- the store ---------------------------------------------------------------------------

class Records(Generic[R]):
    """One command's records: per key, the fingerprint its work had and what it found
    (a ``kind``). Read once when made; ``save`` writes them back if any changed."""

    def __init__(self, root: Path, name: str, kind: type[R]) -> None:
        self.path = root / ".transflow" / f"{name}-state.json"
        self.kind = kind
        self._decode = decoder(typing.cast(Any, kind))
        self._stored: dict[str, tuple[str, object]] = {}
        """key → (fingerprint, the record as JSON)"""
        self._read: dict[str, R | None] = {}
        self._dirty = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if (isinstance(data, dict) and data.get("format") == FORMAT
                and data.get("kind") == kind.__qualname__
                and data.get("code") == code_version() and isinstance(data.get("records"),
                                                                      dict)):
            self._stored = {key: (found[0], found[1]) for key, found in
                            data["records"].items() if isinstance(found, list)
                            and len(found) == 2 and isinstance(found[0], str)}
        else:
            self._dirty = True  # another transflow's: replaced at the next save

    def __contains__(self, key: str) -> bool:
        return key in self._stored

    def __iter__(self) -> Iterator[str]:
        """The keys recorded (a copy: records may be forgotten meanwhile)."""
        return iter(list(self._stored))

    def get(self, key: str) -> R | None:
        """The record of ``key`` whatever it was made from; None for none, or for a
        damaged one."""
        if key not in self._read:
            stored = self._stored.get(key)
            try:
                self._read[key] = None if stored is None else self._decode(stored[1])
            except (Damaged, TypeError, ValueError):
                self._read[key] = None
        return self._read[key]

    def current(self, key: str, print_: str) -> R | None:
        """The record of ``key`` when its fingerprint is still ``print_``."""
        stored = self._stored.get(key)
        return self.get(key) if stored is not None and stored[0] == print_ else None

    def print_of(self, key: str) -> str | None:
        """The fingerprint ``key`` was recorded with: a record brought up to date
        without redoing its work keeps it."""
        stored = self._stored.get(key)
        return None if stored is None else stored[0]

    def record(self, key: str, print_: str, value: R) -> None:
        stored = (print_, encode(value))
        if self._stored.get(key) != stored:
            self._stored[key] = stored
            self._read[key] = value
            self._dirty = True

    def forget(self, key: str) -> None:
        if self._stored.pop(key, None) is not None:
            self._read.pop(key, None)
            self._dirty = True

    def keep_only(self, keys: set[str]) -> None:
        """Forget every record but those of ``keys`` (pages no longer made, say)."""
        for key in [k for k in self._stored if k not in keys]:
            self.forget(key)

    @property
    def changed(self) -> bool:
        """Whether ``save`` would write anything."""
        return self._dirty

    def save(self) -> None:
        if not self._dirty:
            return
        atomic_write(self.path, json.dumps({
            "format": FORMAT, "kind": self.kind.__qualname__, "code": code_version(),
            "records": {key: list(found) for key, found in sorted(self._stored.items())},
        }, ensure_ascii=False, sort_keys=True))
        self._dirty = False
