"""The reference transflow's line breaker must agree with: GNU libunistring 1.0, the
library gettext 0.21 (msgcat, msgmerge) breaks PO lines with on Debian 12, called
through ctypes. Tests only: transflow itself carries its own data."""

from __future__ import annotations

import ctypes
import sys
from functools import cache

_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"


@cache
def _library() -> ctypes.CDLL | None:
    try:
        lib = ctypes.CDLL("libunistring.so.2")
    except OSError:
        return None
    lib.u32_width_linebreaks.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                         ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                         ctypes.c_char_p, ctypes.c_char_p]
    lib.u32_width_linebreaks.restype = ctypes.c_int
    return lib


def version() -> str | None:
    """The version of the libunistring found, e.g. "1.0"; None when there is none."""
    lib = _library()
    if lib is None:
        return None
    number = ctypes.c_int.in_dll(lib, "_libunistring_version").value  # 0xMMmmss
    return f"{number >> 16}.{(number >> 8) & 0xFF}"


def reference_breaks(escaped: str, overrides: bytes, start_column: int,
                     width: int) -> list[int]:
    """Offsets where libunistring's ``u32_width_linebreaks`` starts a new line."""
    lib = _library()
    assert lib is not None
    result = ctypes.create_string_buffer(len(escaped))
    lib.u32_width_linebreaks(escaped.encode(_UTF32), len(escaped), width, start_column, 0,
                             overrides, b"UTF-8", result)
    return [i for i, value in enumerate(result.raw) if value == 2]


class ReferenceBreaker:
    """Stands in for transflow's breaker (``wrap.breaker``) in tests that compare."""

    def __init__(self) -> None:
        self.runs = 0

    def breaks(self, escaped: str, overrides: bytes, start_column: int,
               width: int) -> list[int]:
        self.runs += 1
        return reference_breaks(escaped, overrides, start_column, width)
