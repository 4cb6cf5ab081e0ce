"""The Python SDK is imported from its source tree (sdks/python/src), so `make test` needs no install step."""

import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parents[2] / "sdks" / "python" / "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)
