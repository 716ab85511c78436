"""The Dockerfile's key facts, and that its steps are the README's.

No container engine runs here, so this reads the Dockerfile; the commands it
runs are the ones the other tests run for real (test_serving runs the plain
gunicorn line with the shipped settings)."""

from __future__ import annotations

import importlib
import json
import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) for each line of the Dockerfile."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)  # join continued lines
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            found.append((keyword.upper(), args.strip()))
    return found


def one(keyword: str) -> str:
    values = [args for kw, args in instructions() if kw == keyword]
    assert len(values) == 1, f"expected one {keyword}, found {values}"
    return values[0]


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(part, str) for part in value)
    return value


def deployment_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- section: deployment -->")
    end = readme.index("<!-- section:", start + 1)
    return readme[start:end]


def test_base_image_is_slim_python_311():
    assert one("FROM") == "python:3.11-slim"


def test_runs_as_a_user_of_its_own_before_the_command():
    keywords = [kw for kw, _ in instructions()]
    user = one("USER")
    assert user not in ("root", "0") and not user.startswith(("root:", "0:"))
    assert keywords.index("USER") < keywords.index("CMD")
    # The user is created in the image and owns the database's folder.
    runs = " ".join(args for kw, args in instructions() if kw == "RUN")
    assert "useradd" in runs and user in runs and "chown" in runs and "/data" in runs


def test_database_lives_on_the_volume():
    assert one("VOLUME") in ("/data", '["/data"]')
    envs = " ".join(args for kw, args in instructions() if kw == "ENV")
    assert "ANBEFAL_DB=/data/anbefal.db" in envs


def test_command_is_the_documented_gunicorn_line_with_the_shipped_settings():
    cmd = exec_form(one("CMD"))
    assert cmd[0] == "gunicorn"
    assert cmd[cmd.index("-c") + 1] == "python:collector.gunicorn_conf"
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8000"
    assert cmd[-1] == "collector:create_app()"
    assert one("EXPOSE") == "8000"
    # Both names the command refers to exist.
    importlib.import_module("collector.gunicorn_conf")
    assert callable(importlib.import_module("collector").create_app)
    # The README documents the same line (with another address).
    documented = [line for line in deployment_section().splitlines() if line.startswith("gunicorn ")]
    assert documented, "the README shows no plain gunicorn line"
    words = shlex.split(documented[0])
    assert words[words.index("-c") + 1] == "python:collector.gunicorn_conf"
    assert words[-1] == "collector:create_app()"


def test_health_check_asks_healthz_with_python_only():
    check = one("HEALTHCHECK")
    options, _, command = check.partition("CMD ")
    assert "--interval" in options
    argv = exec_form(command)
    assert argv[:2] == ["python", "-c"]
    assert "http://127.0.0.1:8000/healthz" in argv[2]
    compile(argv[2], "<healthcheck>", "exec")


def test_install_step_is_the_readmes():
    runs = [args for kw, args in instructions() if kw == "RUN"]
    installs = [run for run in runs if re.search(r"\bpip install\b", run)]
    assert len(installs) == 1
    readme_installs = [
        line.strip() for line in deployment_section().splitlines() if re.match(r"\s*pip install\b", line)
    ]
    assert readme_installs == [installs[0]]


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", "*.db", "*.db-wal", "*.db-shm"} <= ignored
    # Everything `pip install .` reads stays in.
    for needed in ("pyproject.toml", "README.md", "LICENSE", "collector", "admin", "widget"):
        assert needed not in ignored


def test_pip_install_ships_every_package_and_its_files():
    """The image installs a wheel, which holds only what pyproject.toml names;
    an editable install finds a forgotten subpackage or file all the same."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("collector", "admin")
        for init in (ROOT / top).rglob("__init__.py")
    }
    packages = config["packages"]
    if isinstance(packages, dict):  # automatic discovery: [tool.setuptools.packages.find]
        import setuptools

        find = packages["find"]
        where = str(ROOT / find.get("where", ["."])[0])
        packages = setuptools.find_packages(where, include=find.get("include", ["*"]), exclude=find.get("exclude", []))
    assert on_disk <= set(packages)
    shipped = {
        path
        for package, patterns in config["package-data"].items()
        for pattern in patterns
        for path in (ROOT / package.replace(".", "/")).glob(pattern)
    }
    data = {
        path
        for top in ("collector", "admin")
        for path in (ROOT / top).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    }
    assert data <= shipped
