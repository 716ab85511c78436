"""The wheel that `pip install .` builds: every file of the collector, the admin
and the widget in it, and no packaging warning on the way."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[set[str], str]:
    """Build the wheel as pip does for `pip install .`; return its file names and the build's output."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (built,) = out.glob("anbefal-*.whl")
    with zipfile.ZipFile(built) as archive:
        return set(archive.namelist()), result.stdout + result.stderr


@pytest.mark.slow
def test_the_wheel_holds_every_tracked_file(wheel):
    names, _log = wheel
    tracked = subprocess.run(
        ["git", "ls-files", "collector", "admin", "widget"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    expected = {path.replace("widget/", "anbefal_widget/", 1) for path in tracked}
    assert expected - names == set()


@pytest.mark.slow
def test_building_it_warns_of_nothing_in_our_configuration(wheel):
    _names, log = wheel
    assert "is absent from the `packages` configuration" not in log
    assert "Package would be ignored" not in log
