"""Safe writes: a reader (or a crash) never sees a half-written file; a set of files
that belong together is written whole or not at all; a file a person edits is replaced
only if it is still what was read, and a save that lands while transflow writes is
never lost; one transflow writer at a time holds the workspace lock.

What POSIX makes atomic, on a local filesystem, and what this module builds on it:

- ``rename(a, b)`` replaces ``b`` in one step: a reader opens the old file or the new
  one, never a mix. Whoever renames ``path`` away holds exactly the file that was at
  ``path`` at that instant, whatever is saved there a moment later.
- ``link(a, b)`` creates ``b`` only if nothing is at ``b`` (else ``EEXIST``), in one
  step: the only way to put a whole, already written file in place *unless* a file
  appeared there meanwhile.
- Nothing compares a file's content and replaces it in one step. So a replacement
  (``Transaction.replace``) goes: (1) write and fsync the new text to
  ``.<name>.transflow-<token>.tmp``; (2) rename the catalog aside, to
  ``.<name>.transflow-<token>-<digest>.aside``; (3) check that the aside is what was
  read (size and SHA-256; the inode does not matter: the same text saved anew merges
  the same); (4) ``link`` the new file in. A save by rename (Poedit, Lokalize, most
  editors) that lands before (2) is what (3) sees: the aside is linked back and the
  caller merges again. One that lands between (2) and (4) makes (4) fail with
  ``EEXIST``: that save stays, and the caller merges again. One after (4) replaces
  transflow's file, as any later save does. No rename save is lost.
- Editors that save in place (open, truncate, write the same inode: nano, vim's
  ``backupcopy=yes``) may hold the catalog open while it is moved aside, and then
  write into the aside. The aside is therefore kept until every file of the
  transaction is replaced, and looked at again (``settle``, after a short grace).
  If it changed, transflow waits until it stops changing (a half-written file is
  never taken for the translator's; a file changed less than ``QUIET`` seconds
  before it is compared, at step (3) or here, is waited for the same way, since an
  editor that truncated it may not have written it yet), puts that very inode back
  at ``path`` (so what the editor still writes lands in the catalog) and the caller
  merges again. An empty catalog is never read as one until it has stayed empty a
  while (``pofile.load``): that is an in-place save between truncating and writing.
  **What remains possible:** an editor that opened the file before (2) and writes
  after ``settle``'s last look writes into a file that is no longer in the tree. Any
  tool that replaces a file by rename (Poedit itself, msgcat -o) leaves that window;
  transflow narrows it to writes that start before (2) and end more than the grace
  (``GRACE`` seconds) after (4). A save to a new file at ``path`` in the instant
  between (2) and (4) finds no file to open; an editor that creates one wins (4).
- A kill between (2) and (4) leaves the catalog only at its aside: the next run,
  on taking the lock, puts it back (``recover``). A kill after (4) leaves the aside
  of a replaced file: it is removed when it holds what was read (its name carries
  the digest), and put back when an in-place save changed it.
- Where ``link`` is not available (FAT, some network and FUSE filesystems), a
  replacement falls back to check-then-rename, and the transaction says so once
  (``notes``): a save in the instant between the check and the rename is lost there.

Temporary files are named ``.<name>.transflow-XXXXXXXX.tmp``: recognisable, ignored by
git, and removed by the next run when a kill left them behind.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Protocol

from transflow.workspace.errors import TransflowError

TEMP_MARK = ".transflow-"
LOCK_NAME = ".transflow/lock"
HOLDER_NAME = ".transflow/lock.holder"

GRACE = 0.05
"""Seconds ``settle`` waits before it looks at the set-aside files again."""
QUIET = 0.1
"""How long a changed set-aside file must stay the same before it is put back."""
QUIET_LIMIT = 5.0
"""Longest wait for it; then it is put back as it is (the same inode: the editor's
further writes still land in the catalog)."""


def _fsynced_temp(path: Path, data: bytes, token: str | None = None,
                  sync: bool = True) -> Path:
    """``data`` in a new temporary file beside ``path``, on disk (``sync``: an output
    phase syncs once at its end instead), with ``path``'s mode."""
    # A name of this process's own (the O_EXCL creation still refuses any file there):
    # tempfile's random names and retries cost more than the write, 9,400 pages a site.
    name = (f"{path.parent}/.{path.name}{TEMP_MARK}"
            f"{token if token is not None else _temp_token()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(name, flags, 0o600)
    except FileNotFoundError:  # its folder first (tried only when missing: one syscall)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(name, flags, 0o600)
    except FileExistsError:
        if token is not None:
            raise
        # Left by a killed run whose pid this one has again: a random name instead.
        name = f"{path.parent}/.{path.name}{TEMP_MARK}{secrets.token_hex(8)}.tmp"
        fd = os.open(name, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
            try:
                mode = os.stat(path).st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
            os.fchmod(f.fileno(), mode)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


_temp_count = itertools.count()


def _temp_token() -> str:
    """A temporary file's token, unique in this process (and, by the pid, among the
    processes writing at once)."""
    return f"{os.getpid()}-{next(_temp_count)}"


def atomic_write(path: Path, data: bytes | str, *, sync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename
    (for files only transflow writes: outputs, records, caches). ``sync=False``: inside
    an ``output_phase``, which syncs once at its end."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = _fsynced_temp(path, data, sync=sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes | str, *, sync: bool = True) -> bool:
    """Atomically write ``data`` unless ``path`` already holds exactly it; True if written.

    Leaving unchanged files alone keeps their mtimes, so later stages can tell what changed.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, data, sync=sync)
    return True


def create_exclusive(path: Path, data: bytes | str) -> bool:
    """Put ``data`` at ``path`` whole, only if nothing is there; False if something is
    (never replaced)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = _fsynced_temp(path, data)
    try:
        placed = _link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if placed is not None:
        return placed
    # No hard links here: O_EXCL creation, written in place (a reader may see it
    # half-written, never a file replaced).
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return True


def _link(source: Path, path: Path) -> bool | None:
    """``source``'s file also at ``path`` unless a file is there (True if linked, False
    if not); None when this filesystem has no hard links."""
    try:
        os.link(source, path)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        return None


# --- never outside the workspace -------------------------------------------------------

class OutsideWorkspace(TransflowError):
    """A write would land outside the workspace, through a symbolic link in the way."""


class Inside:
    """Checks that files written below ``root`` stay there, whatever links the folders
    on the way hold (``output/`` is a folder anyone can put a link in). Each folder is
    resolved once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real = root.resolve()
        self._parts = root.parts
        self._checked: set[Path] = set()

    def __call__(self, path: Path) -> None:
        """Check that ``path`` (a file to write) stays inside."""
        self.folder(path.parent)

    def folder(self, folder: Path) -> None:
        """Check that ``folder`` (which another program writes in) stays inside."""
        if folder in self._checked:
            return
        below = folder.parts[len(self._parts):]
        if (folder.parts[:len(self._parts)] == self._parts and below
                and not {".", ".."} & set(below)):
            # Below the root: its parent first (each folder once), then inside too,
            # unless it is a link (one lstat, not a walk of the whole path: the site
            # writes 7,800 folders).
            self.folder(folder.parent)
            try:
                mode = os.lstat(folder).st_mode
            except FileNotFoundError:
                mode = stat.S_IFDIR  # made by the write, as a folder
            if stat.S_ISDIR(mode):
                self._checked.add(folder)
                return
        probe = folder
        while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
            probe = probe.parent  # what exists of the way there
        if not probe.resolve().is_relative_to(self.real):
            link = next((p for p in (probe, *probe.parents) if p.is_symlink()), probe)
            try:
                shown = str(link.relative_to(self.root))
            except ValueError:
                shown = str(link)
            raise OutsideWorkspace("is a link out of the workspace; transflow writes only "
                                   "inside it: remove the link", shown)
        self._checked.add(folder)


# --- is it still what was read? ------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """What a file was when it was read: size, modification time and content digest."""

    size: int
    mtime_ns: int
    digest: str


def digest(data: bytes) -> str:
    """The content digest every check of "is it still what was read?" compares."""
    return hashlib.sha256(data).hexdigest()



def file_digest(path: Path) -> str | None:
    """``path``'s content digest; None when there is no file."""
    try:
        return digest(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError):
        return None


def snapshot(path: Path, data: bytes | None = None) -> Snapshot | None:
    """``path`` as it is now (None when it does not exist); ``data`` is its content
    when the caller has just read it (the digest is then of what was read, whatever
    the file became since)."""
    try:
        stat = path.stat()
        content = path.read_bytes() if data is None else data
    except (FileNotFoundError, NotADirectoryError):
        return None
    return Snapshot(len(content), stat.st_mtime_ns, digest(content))


def unchanged(path: Path, before: Snapshot | None) -> bool:
    """Whether ``path`` still holds what ``before`` recorded (by content: a save within
    the filesystem's time resolution keeps the modification time)."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return before is None
    return before is not None and len(data) == before.size and digest(data) == before.digest


# --- replacing what a person edits -------------------------------------------------------

class Outcome(Enum):
    WRITTEN = "written"
    SAME = "same"
    """The file already held this text: nothing written."""
    CHANGED = "changed"
    """The file is no longer what was read: it was left as saved (merge again)."""


class _Anything:
    def __repr__(self) -> str:
        return "ANYTHING"


ANYTHING = _Anything()
"""``expected`` for a file nobody edits (a template, an output): replaced whatever it is."""

Expected = Snapshot | None | _Anything

_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK,
             errno.EXDEV}

NO_LINKS_NOTE = ("this filesystem has no hard links: files are checked and then replaced, "
                 "so a save landing in the same instant could be lost; keep the workspace "
                 "on a local disk")

Hook = Callable[[str, Path], None]
_hook: Hook | None = None
"""Tests only: called at each step of a replacement (``"moved-aside"``, ``"linked"``,
``"settling"``), so that a test can save exactly inside a window."""


def set_hook(hook: Hook | None) -> None:
    global _hook
    _hook = hook


def _at(step: str, path: Path) -> None:
    if _hook is not None:
        _hook(step, path)


@dataclass
class _Done:
    path: Path
    inode: int
    """transflow's file, as linked in."""
    digest: str
    aside: Path | None
    """What was there before, kept until the transaction ends."""
    expected: str | None
    """The digest the caller read, when it named one."""


def _recent(mtime_ns: int) -> bool:
    """Whether a file changed less than ``QUIET`` seconds ago."""
    return time.time_ns() - mtime_ns < QUIET * 1e9


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None



@dataclass
class Transaction:
    """Files replaced together, each only if it is still what was read (see the module
    docstring), and all put back if the transaction fails or is interrupted.

    ``with Transaction() as t:`` ... ``t.replace(path, data, expected)`` ...
    ``t.settle()`` (the paths whose set-aside file changed after all: put back, to be
    merged again). Leaving the block normally removes the set-aside files; leaving it
    by an exception puts every replaced file back, except one changed after transflow
    wrote it (``kept``).
    """

    sync: bool = True
    """Each new file on disk before it is put in place (False: outputs, in an
    ``output_phase``, which syncs once at its end)."""
    notes: list[str] = field(default_factory=list)
    """Said once: how this filesystem limits the guarantees."""
    kept: list[Path] = field(default_factory=list)
    """Paths left as someone saved them, instead of being rolled back or put back."""
    conflicts: list[Path] = field(default_factory=list)
    """Copies of a save that another save crossed (``<name>.kept-<time>``): two saves of
    one file, by two ways of saving, in the same instant; for a person to compare."""
    _done: list[_Done] = field(default_factory=list)
    _made: list[Path] = field(default_factory=list)
    _links: dict[int, bool] = field(default_factory=dict)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    # -- one file

    def replace(self, path: Path, data: bytes | str, expected: Expected) -> Outcome:
        """Put ``data`` at ``path`` if ``path`` is still ``expected`` (a snapshot of
        what was read, None for "no file", or ``ANYTHING``)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        ours = digest(data)
        if isinstance(expected, Snapshot) and expected.digest == ours:
            # Nothing to write, but a save since the read must still be merged.
            return Outcome.SAME if unchanged(path, expected) else Outcome.CHANGED
        if expected is ANYTHING:
            try:
                if path.read_bytes() == data:
                    return Outcome.SAME
            except FileNotFoundError:
                pass
        self._made += reversed([p for p in (path.parent, *path.parent.parents)
                                if not p.exists()])
        token = secrets.token_hex(4)
        tmp = _fsynced_temp(path, data, token, self.sync)
        try:
            if not self._has_links(tmp):
                return self._check_then_rename(path, tmp, ours, expected)
            if isinstance(expected, _Anything):
                return self._overwrite(path, tmp, ours, token)
            if expected is None:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    return Outcome.CHANGED
                self._done.append(_Done(path, os.stat(tmp).st_ino, ours, None, None))
                return Outcome.WRITTEN
            return self._exchange(path, tmp, ours, token, expected)
        finally:
            tmp.unlink(missing_ok=True)

    def _has_links(self, tmp: Path) -> bool:
        device = os.stat(tmp).st_dev
        if device not in self._links:
            probe = tmp.with_name(tmp.name + ".link")
            linked = _link(tmp, probe)
            probe.unlink(missing_ok=True)
            self._links[device] = linked is not None
            if linked is None and NO_LINKS_NOTE not in self.notes:
                self.notes.append(NO_LINKS_NOTE)
        return self._links[device]

    def _exchange(self, path: Path, tmp: Path, ours: str, token: str,
                  expected: Snapshot) -> Outcome:
        aside = path.with_name(f".{path.name}{TEMP_MARK}{token}-{expected.digest[:16]}.aside")
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return Outcome.CHANGED  # removed meanwhile: a person's decision, left so
        _at("moved-aside", path)
        held = snapshot(aside)
        if held is not None and _recent(held.mtime_ns):
            # Changed a moment ago: an editor may be writing it still (a truncated
            # catalog still parses). Wait until it is quiet, then look again.
            self._quiet(aside)
            held = snapshot(aside)
        if held is None or held.size != expected.size or held.digest != expected.digest:
            self._put_back(aside, path)
            return Outcome.CHANGED
        try:
            os.link(tmp, path)
        except FileExistsError:
            # Saved meanwhile: that save is newer than the aside, as it would be
            # without transflow; it stays, and the caller merges again.
            self._drop_superseded(aside, expected.digest)
            return Outcome.CHANGED
        except BaseException:
            self._put_back(aside, path)
            raise
        _at("linked", path)
        self._done.append(_Done(path, os.stat(tmp).st_ino, ours, aside, expected.digest))
        return Outcome.WRITTEN

    def _overwrite(self, path: Path, tmp: Path, ours: str, token: str) -> Outcome:
        aside: Path | None = path.with_name(f".{path.name}{TEMP_MARK}{token}-any.aside")
        assert aside is not None
        try:
            os.link(path, aside)  # a second name for the old file: no gap for readers
        except FileNotFoundError:
            aside = None
        os.replace(tmp, path)
        self._done.append(_Done(path, os.stat(path).st_ino, ours, aside, None))
        return Outcome.WRITTEN

    def _check_then_rename(self, path: Path, tmp: Path, ours: str,
                           expected: Expected) -> Outcome:
        if not isinstance(expected, _Anything) and not unchanged(path, expected):
            return Outcome.CHANGED
        aside = None
        if path.exists():
            aside = path.with_name(f".{path.name}{TEMP_MARK}{secrets.token_hex(4)}-copy.aside")
            aside.write_bytes(path.read_bytes())
        os.replace(tmp, path)
        self._done.append(_Done(path, os.stat(path).st_ino, ours, aside, None))
        return Outcome.WRITTEN

    @staticmethod
    def _place(source: Path, path: Path) -> bool:
        """``source``'s file at ``path`` (the same inode), unless a file is there; True
        if placed. Without hard links, moved there if nothing is (check, then rename)."""
        placed = _link(source, path)
        if placed is not None:
            return placed
        if path.exists():
            return False
        os.rename(source, path)
        return True

    def _put_back(self, aside: Path, path: Path) -> None:
        """The set-aside file back at ``path`` (the same inode); if a save appeared at
        ``path`` meanwhile, that newer save stays."""
        self._place(aside, path)
        aside.unlink(missing_ok=True)

    def _drop_superseded(self, aside: Path, read: str | None) -> None:
        """An aside whose path was saved anew: removed if it holds what was read, else
        (a save of its own, then another) kept beside it under a visible name."""
        state = snapshot(aside)
        if state is None:
            return
        if read is not None and state.digest == read:
            aside.unlink(missing_ok=True)
            return
        name = aside.name[1:].split(TEMP_MARK)[0]
        kept = aside.with_name(f"{name}.kept-{time.strftime('%Y%m%dT%H%M%S')}")
        os.replace(aside, kept)
        self.conflicts.append(kept)

    # -- the whole set

    def settle(self) -> list[Path]:
        """Look again at every set-aside file; one an in-place save changed is waited
        for, put back at its path (instead of transflow's file) and returned."""
        watched = [d for d in self._done if d.aside is not None and d.expected is not None]
        if not watched:
            return []
        _at("settling", watched[0].path)
        time.sleep(GRACE)
        back = []
        for done in watched:
            assert done.aside is not None
            state = snapshot(done.aside)
            if state is not None and state.digest == done.expected and _recent(state.mtime_ns):
                self._quiet(done.aside)  # written a moment ago: maybe not finished
                state = snapshot(done.aside)
            if state is not None and state.digest == done.expected:
                continue
            self._quiet(done.aside)
            self._restore(done)
            self._done.remove(done)
            back.append(done.path)
        return back

    def _quiet(self, aside: Path) -> None:
        """Wait until ``aside`` stops changing: an editor may be writing it still."""
        deadline = time.monotonic() + QUIET_LIMIT
        last = snapshot(aside)
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(QUIET / 4)
            now = snapshot(aside)
            if now != last:
                last, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= QUIET:
                return

    def _restore(self, done: _Done) -> bool:
        """``done.path`` as it was before this transaction, unless it changed after
        transflow wrote it (then it stays, and is ``kept``); True if restored."""
        token = secrets.token_hex(4)
        ours = done.path.with_name(f".{done.path.name}{TEMP_MARK}{token}.tmp")
        try:
            os.rename(done.path, ours)
        except FileNotFoundError:
            if done.aside is not None:
                self._put_back(done.aside, done.path)
            return True
        held = snapshot(ours)
        if _inode(ours) != done.inode or held is None or held.digest != done.digest:
            self._put_back(ours, done.path)  # someone's save, after transflow's: it stays
            self.kept.append(done.path)
            if done.aside is not None:
                self._drop_superseded(done.aside, done.expected)
            return False
        if done.aside is not None:
            if self._place(done.aside, done.path):
                done.aside.unlink(missing_ok=True)
            else:
                self.kept.append(done.path)
                self._drop_superseded(done.aside, done.expected)
        ours.unlink(missing_ok=True)
        return True

    def commit(self) -> None:
        for done in self._done:
            if done.aside is not None:
                done.aside.unlink(missing_ok=True)
        self._done.clear()

    def rollback(self) -> None:
        """Every replaced file back as it was (newest first), never over a save made
        after transflow wrote it; folders this transaction made are removed if empty."""
        for done in reversed(self._done):
            with suppress(OSError):
                self._restore(done)
        self._done.clear()
        for folder in reversed(self._made):
            with suppress(OSError):  # not empty, or never made
                folder.rmdir()


class WriteFailed(Exception):
    """Writing ``path`` failed with ``error``; nothing of the set was left changed."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: {error.strerror or error}")
        self.path = path
        self.error = error


class ChangedMeanwhile(Exception):
    """``path`` is no longer what was read; nothing of the set was written."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def write_all(files: Sequence[tuple[Path, bytes | str]] | Sequence[
        tuple[Path, bytes | str, Expected]], *, strict: bool = False, sync: bool = True,
        ) -> dict[Path, Outcome]:
    """Write every file or none: when one write fails (or the run is interrupted), the
    files already replaced get their previous content back, new ones are removed. An
    entry may name what the file is expected to be (see ``Transaction.replace``).
    Returns what became of each path (``CHANGED``: left alone, it was not what was
    expected); with ``strict``, a path left alone raises ``ChangedMeanwhile`` and
    nothing is written. ``sync=False``: outputs, inside an ``output_phase``."""
    outcomes: dict[Path, Outcome] = {}
    with Transaction(sync=sync) as transaction:
        for entry in files:
            path, data = entry[0], entry[1]
            expected = entry[2] if len(entry) > 2 else ANYTHING
            try:
                outcomes[path] = transaction.replace(path, data, expected)
            except OSError as exc:
                raise WriteFailed(path, exc) from None
        for path in transaction.settle():
            outcomes[path] = Outcome.CHANGED
        left = [path for path, outcome in outcomes.items() if outcome is Outcome.CHANGED]
        if strict and left:
            raise ChangedMeanwhile(left[0])
    return outcomes


# --- outputs: one sync a phase ------------------------------------------------------

OUTPUT_MARK = ".transflow/output-phase"
"""Present while an output phase writes: the time (ns) from which its files are new."""
_phases: dict[Path, int] = {}


@contextmanager
def output_phase(root: Path, output: Path) -> Iterator[None]:
    """A phase that writes outputs (files that can be made again) without a sync per
    file: one sync at its end. A crash in the middle may leave an output empty or
    short with the size and time a record expects, so it must not be taken as
    current: the phase is marked as under way, on disk, before it writes, and the mark
    cleared after the sync. A run that finds the mark (``clear_interrupted_phase``)
    removes every output file changed since it was set: whatever the interrupted phase
    wrote, whole or not, is made again. Re-entrant within one process."""
    key = root.resolve()
    if _phases.get(key):
        _phases[key] += 1
        try:
            yield
        finally:
            _phases[key] -= 1
        return
    mark = root / OUTPUT_MARK
    clear_interrupted_phase(root, output)
    # A file's time comes from the kernel's coarse clock, a tick behind this one: the
    # mark starts a second early (a file of that second is made again, needlessly).
    atomic_write(mark, str(time.time_ns() - 1_000_000_000))
    _sync_folder(mark.parent)
    _phases[key] = 1
    try:
        yield
    finally:
        del _phases[key]
        # Also after an exception or Ctrl-C: every file written is whole (each was put
        # in place by a rename); only a crash can lose what is not on disk.
        os.sync()
        mark.unlink(missing_ok=True)


def clear_interrupted_phase(root: Path, output: Path) -> list[Path]:
    """After an output phase that did not end (a crash, a kill): remove each output
    file changed since it began, so the run makes it again; what was removed."""
    mark = root / OUTPUT_MARK
    try:
        since = int(mark.read_text(encoding="ascii").strip() or 0)
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        since = 0  # a mark of its own damaged: every output is suspect
    removed = []
    for parent, _, names in os.walk(output):
        for name in names:
            path = Path(parent, name)
            with suppress(FileNotFoundError):
                if path.lstat().st_mtime_ns >= since:
                    path.unlink()
                    removed.append(path)
    os.sync()
    mark.unlink(missing_ok=True)
    return removed


def _sync_folder(folder: Path) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the workspace lock --------------------------------------------------------------

class LockHeld(TransflowError):
    """Another transflow run is writing in this workspace."""

    def __init__(self, holder: str, lock: Path) -> None:
        super().__init__(f"another transflow run ({holder}) is writing in this workspace; "
                         "wait for it to finish and run this again", lock)


_held: dict[Path, int] = {}


class _Lock(Protocol):
    def release(self) -> object: ...


class _FcntlLock:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def release(self) -> None:
        import fcntl

        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


USE_FCNTL = True
"""Lock with ``fcntl.flock`` where it exists (free to import: filelock takes some 70 ms,
a tenth of a no-op update); ``filelock`` elsewhere (Windows), or when this is False."""


def _os_lock(path: Path) -> _Lock | None:
    """The OS lock on ``path``, taken without waiting; None when another process holds
    it. Either way the lock goes with the process, even when it is killed."""
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None and USE_FCNTL:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return _FcntlLock(fd)
    from filelock import FileLock, Timeout

    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return None
    return lock


@contextmanager
def workspace_lock(root: Path, *, outputs: bool = False) -> Iterator[None]:
    """Hold ``.transflow/lock`` (an OS file lock, released when the process ends, even
    by a kill: ``fcntl``'s, or ``filelock``'s where there is no fcntl) while writing;
    re-entrant within one process. On taking it, what a killed run left behind is
    cleared: set-aside catalogs are put back, temporary files removed; in ``output/``
    too with ``outputs`` (the build: an archive's output is the slow part to walk)."""
    key = root.resolve()
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path = root / LOCK_NAME
    holder = root / HOLDER_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_records(path.parent)
    lock = _os_lock(path)
    if lock is None:
        try:
            who = holder.read_text(encoding="utf-8").strip()
        except OSError:
            who = ""
        raise LockHeld(who or "unknown", path)
    try:
        holder.write_text(f"pid {os.getpid()}\n", encoding="utf-8")  # for who waits
        _held[key] = 1
        recover(root, outputs=outputs)
        try:
            yield
        finally:
            del _held[key]
            holder.unlink(missing_ok=True)
    finally:
        lock.release()


_RECORD_SUFFIXES = (".json", ".pickle", ".sqlite3", ".holder")


def _check_records(folder: Path) -> None:
    """Refuse to start when a file transflow keeps in ``.transflow/`` (its lock, records
    and caches) is a folder: one line naming it, before anything is read or written."""
    for entry in os.scandir(folder):
        if entry.is_dir() and (entry.name in ("lock", "output-phase")
                               or entry.name.endswith(_RECORD_SUFFIXES)):
            raise TransflowError(
                "is a folder where transflow keeps a file of its own; remove it (transflow "
                "makes it again)", str(Path(folder.name) / entry.name))


def _workspace_files(root: Path, outputs: bool = True) -> Iterator[tuple[Path, list[str]]]:
    folders: tuple[str, ...] = ("locales", "sources", "templates", ".transflow")
    # Outputs are written only in an output phase, which leaves its mark while it runs:
    # without one, no run was stopped while writing there, and the archive's output
    # (the slow part to walk) holds nothing to clear.
    if outputs and (root / OUTPUT_MARK).exists():
        folders += ("output",)
    for folder in folders:
        # os.walk, not rglob: a tenth of the time over an archive's output, and it
        # follows no link out of the workspace.
        for parent, _, names in os.walk(root / folder):
            if any(TEMP_MARK in name for name in names):
                yield Path(parent), names


def recover(root: Path, *, outputs: bool = True) -> list[Path]:
    """Clear what an interrupted run left, in one walk: a set-aside file goes back where
    it was taken from when that place is empty (the run stopped mid-replacement), or
    when an in-place save changed it; temporary files are removed (only transflow's
    own names). Returns what was put back."""
    restored = []
    for parent, names in _workspace_files(root, outputs):
        for name in names:
            if not (name.startswith(".") and TEMP_MARK in name):
                continue
            if name.endswith((".tmp", ".tmp.link")):
                with suppress(OSError):
                    (parent / name).unlink()
                continue
            if name.endswith(".aside") and _put_back_aside(parent / name):
                restored.append(parent / name[1:].split(TEMP_MARK)[0])
    return restored


def _put_back_aside(aside: Path) -> bool:
    """An interrupted replacement's set-aside file: back at its place when that is
    empty or when it was written in place after it was set aside (its name carries the
    digest of what was read); else removed. True if put back."""
    target = aside.parent / aside.name[1:].split(TEMP_MARK)[0]
    read = aside.name.rsplit("-", 1)[-1].removesuffix(".aside")
    state = snapshot(aside)
    if state is None:
        return False
    try:
        if not target.exists() or (len(read) == 16 and not state.digest.startswith(read)):
            os.replace(aside, target)
            return True
        aside.unlink()
    except OSError:
        pass
    return False
