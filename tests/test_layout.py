"""The code's shape: no import loop, and modules short enough to read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LONGEST = 400  # lines


def test_no_module_imports_itself_round_a_loop():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import-graph")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert result.stdout.splitlines()[-1].startswith("no cycle among ")


def test_no_module_is_longer_than_a_reader_holds():
    long = {
        str(path.relative_to(ROOT)): length
        for package in ("collector", "admin")
        for path in (ROOT / package).rglob("*.py")
        if (length := len(path.read_text().splitlines())) > LONGEST
    }
    assert long == {}
