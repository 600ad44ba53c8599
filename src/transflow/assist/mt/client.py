"""The careful client around a provider: a timeout on every request, retries with
backoff on 429/5xx and connection errors, a bounded request rate, and messages that
never hold an API key or the text sent."""

from __future__ import annotations

import random
import time

from transflow.assist.mt.providers import Engine, NeedsKey, Provider, provider, redact
from transflow.assist.mt.routes import MTError, Step
from transflow.workspace.config import MTSettings


def longest_draft(source: str) -> int:
    """The longest a translation of ``source`` can sanely be: Belarusian and Russian run
    a fifth or so longer than English, never several times."""
    return 3 * len(source) + 100


class ProviderFailed(Exception):
    """The provider cannot be used any more this run (bad key, unreachable)."""


class TextFailed(Exception):
    """This text failed; others may still go through."""


class Client:
    """Sends texts for one step: timeouts, retries with backoff, a bounded rate."""

    def __init__(self, step: Step, mt: MTSettings, url: str | None) -> None:
        found = provider(step.provider)
        if found is None:
            raise MTError(f"unknown provider '{step.provider}'")
        self.provider: Provider = found
        self.step = step
        self.mt = mt
        self.url = url
        self.requests = 0
        self.characters = 0
        self._engine: Engine | None = None
        self._last = 0.0
        self._fatal: str | None = None

    def _make_engine(self) -> Engine:
        try:
            return self.provider.engine(self.step.source, self.step.target, self.url,
                                        self.mt.timeout)
        except NeedsKey as exc:
            raise ProviderFailed(str(exc)) from None
        except Exception as exc:
            raise ProviderFailed(self._describe(exc)) from None

    def _describe(self, exc: BaseException) -> str:
        if self.provider.refused_key(exc):
            variable = self.provider.key_variable or "the API key variable"
            return f"{self.step.provider} refused the request (HTTP 401/403): check {variable}"
        return redact(f"{self.step.provider}: {self.provider.describe(exc)}")

    def _pace(self) -> None:
        rate = self.mt.rate.get(self.step.provider)
        if rate:
            wait = self._last + 1.0 / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last = time.monotonic()

    def translate(self, text: str) -> str:
        if self._fatal:
            raise ProviderFailed(self._fatal)
        if self._engine is None:
            try:
                self._engine = self._make_engine()
            except ProviderFailed as exc:
                self._fatal = str(exc)
                raise
        engine = self._engine
        attempts = self.mt.retries + 1
        for attempt in range(attempts):
            self._pace()
            self.requests += 1
            self.characters += len(text)
            try:
                try:
                    result = engine.translate(text)
                finally:
                    # Paced from the end of the previous request, not its start: the
                    # server then sees at most `rate` requests a second, however long
                    # each one took to reach it.
                    self._last = time.monotonic()
                if not isinstance(result, str) or not result.strip():
                    raise TextFailed(f"{self.step.provider} returned no translation")
                if len(result) > longest_draft(text):
                    raise TextFailed(f"{self.step.provider} returned {len(result)} characters "
                                     f"for {len(text)}: not a translation of it")
                return result
            except TextFailed:
                raise
            except Exception as exc:
                kind = self.provider.error_kind(exc)
                if kind == "fatal":
                    self._fatal = self._describe(exc)
                    raise ProviderFailed(self._fatal) from None
                if kind == "text" or attempt == attempts - 1:
                    if kind == "retry-then-fatal":
                        self._fatal = self._describe(exc) + " (gave up after retries)"
                        raise ProviderFailed(self._fatal) from None
                    raise TextFailed(self._describe(exc)) from None
                delay = self.mt.backoff * (2 ** attempt) * (1 + random.random() / 4)
                time.sleep(delay)
        raise AssertionError("unreachable")


