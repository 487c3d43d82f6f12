"""Edge tests: the Worker's pure modules are importable as `tm_edge` from edge/src."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDGE_SRC = ROOT / "edge" / "src"
if str(EDGE_SRC) not in sys.path:
    sys.path.insert(0, str(EDGE_SRC))
