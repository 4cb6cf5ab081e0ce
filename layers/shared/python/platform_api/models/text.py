"""Text that people read (names, descriptions, tags): characters that hide or disguise what is shown are refused.

Control characters (C0 and C1), zero-width spaces and direction marks, bidirectional overrides and isolates
(`\u202egnp.exe` displays as `exe.png`) and a stray byte-order mark. Multi-line text keeps tab and newlines.
Zero-width joiners stay allowed: emoji sequences and several scripts need them.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_INVISIBLE = "\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE}]")
MESSAGE = "must not contain control, invisible or bidirectional-override characters."


def single_line(value: str) -> str:
    if _SINGLE_LINE.search(value):
        raise ValueError(MESSAGE)
    return value


def multi_line(value: str) -> str:
    if _MULTI_LINE.search(value):
        raise ValueError(MESSAGE)
    return value


SingleLine = Annotated[str, AfterValidator(single_line)]
MultiLine = Annotated[str, AfterValidator(multi_line)]
