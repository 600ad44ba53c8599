"""Drafts already paid for, in ``.transflow/mt-cache.sqlite3``: drafting the same text
again sends nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from transflow.assist.mt.routes import Step


class Cache:
    """Drafts already paid for: (provider, source, target, masked text) → draft."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            # A damaged cache only costs requests: start a new one.
            path.unlink(missing_ok=True)
            self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        try:
            db.execute(
                "CREATE TABLE IF NOT EXISTS drafts (provider TEXT, source TEXT, target TEXT, "
                "text TEXT, draft TEXT, created TEXT DEFAULT CURRENT_TIMESTAMP, "
                "PRIMARY KEY (provider, source, target, text))"
            )
            db.execute("SELECT count(*) FROM drafts").fetchone()
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, step: Step, text: str) -> str | None:
        row = self._db.execute(
            "SELECT draft FROM drafts WHERE provider=? AND source=? AND target=? AND text=?",
            (step.provider, step.source, step.target, text),
        ).fetchone()
        return row[0] if row else None

    def put(self, step: Step, text: str, draft: str) -> None:
        # Committed at once: an interrupted run keeps every draft it paid for.
        self._db.execute(
            "INSERT OR REPLACE INTO drafts (provider, source, target, text, draft) "
            "VALUES (?, ?, ?, ?, ?)",
            (step.provider, step.source, step.target, text, draft),
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
