"""The anbefal command line."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

from collector import storage
from collector.cli import main


@pytest.fixture
def cli(runner):
    def run(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def test_touchpoint_add_list_and_snippet(cli, tokens, conn):
    r = cli("touchpoint", "add", "checkout", "--language", "da", "--origin", "https://Shop.example/")
    assert r.exit_code == 0, r.output
    assert "https://shop.example" in r.output
    r = cli("touchpoint", "list")
    assert r.output.splitlines()[0] == "name\tlanguage\torigins"
    assert "checkout\tda\thttps://shop.example" in r.output
    r = cli("touchpoint", "snippet", "checkout", "--ref", "A-1", "--properties", '{"segment": "b2b"}')
    assert r.exit_code == 0
    html = r.output.strip()
    assert html.startswith("<script async src=") and html.endswith("</script>")
    assert html.count("\n") == 0
    token = re.search(r'data-anbefal="([^"]+)"', html).group(1)
    assert tokens.read_embed_token(token) == storage.get_touchpoint_by_name(conn, "checkout").id
    assert 'data-ref="A-1"' in html
    assert 'data-properties="{&quot;segment&quot;: &quot;b2b&quot;}"' in html


def test_touchpoint_add_says_any_origin(cli):
    r = cli("touchpoint", "add", "support")
    assert "any origin" in r.output


@pytest.mark.parametrize("origin", ["shop.example", "ftp://shop.example", "https://shop.example/path", "http://["])
def test_touchpoint_add_refuses_bad_origins(cli, conn, origin):
    r = cli("touchpoint", "add", "x", "--origin", origin)
    assert r.exit_code == 2
    assert "origin" in r.output
    assert storage.list_touchpoints(conn) == []


def test_duplicate_touchpoint_is_a_clear_error(cli):
    cli("touchpoint", "add", "x")
    r = cli("touchpoint", "add", "x")
    assert r.exit_code == 1
    assert "exists already" in r.output


def test_snippet_of_unknown_touchpoint(cli):
    r = cli("touchpoint", "snippet", "nope")
    assert r.exit_code == 1
    assert "no touchpoint called 'nope'" in r.output


def test_snippet_refuses_bad_properties(cli):
    cli("touchpoint", "add", "x")
    r = cli("touchpoint", "snippet", "x", "--properties", '{"a": {"b": 1}}')
    assert r.exit_code == 2


def test_stats_table_and_json(cli, conn):
    a = storage.insert_touchpoint(conn, "checkout")
    storage.insert_touchpoint(conn, "empty")
    for score in (10, 9, 8, 3):
        storage.insert_response(conn, a.id, score)
    r = cli("stats")
    lines = r.output.splitlines()
    reach = ["shown", "dismiss", "answer", "rate"]
    assert lines[0].split() == ["touchpoint", "n", "prom%", "pass%", "detr%", "NPS", *reach]
    # The widget never counted a showing: the answers are not in its reach, and there is no rate.
    assert lines[1].split() == ["checkout", "4", "50", "25", "25", "+25", "0", "0", "0", "—"]
    assert lines[2].split() == ["empty", "0", "—", "—", "—", "—", "0", "0", "0", "—"]
    assert lines[3].split() == ["(all)", "4", "50", "25", "25", "+25", "0", "0", "0", "—"]
    data = json.loads(cli("stats", "--json").output)
    assert data[0]["touchpoint"] == "checkout" and data[0]["nps"] == 25
    assert data[0]["answered"] == 0 and data[0]["shown"] == 0 and data[0]["response_rate"] is None
    assert data[1]["nps"] is None


def test_export_csv(cli, conn):
    a = storage.insert_touchpoint(conn, "checkout")
    b = storage.insert_touchpoint(conn, "invoice")
    storage.insert_response(
        conn,
        a.id,
        9,
        comment="Rigtig god service, tak! æøå",
        ref="O-1",
        properties={"segment": "b2b"},
        created_at="2026-03-01T10:00:00Z",
        locale="da-DK",
        page="https://shop.example/done",
    )
    storage.insert_response(conn, b.id, 4, created_at="2026-03-05T10:00:00Z", properties={"agent": "kim"})
    out = cli("export").output
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:10] == [
        "id",
        "created_at",
        "touchpoint",
        "score",
        "category",
        "comment",
        "ref",
        "channel",
        "locale",
        "page",
    ]
    assert "property:agent" in rows[0] and "property:segment" in rows[0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["comment"] == "Rigtig god service, tak! æøå"
    assert (first["category"], first["property:segment"], first["created_at"]) == (
        "promoter",
        "b2b",
        "2026-03-01T10:00:00Z",
    )
    assert len(rows) == 3
    only = list(csv.reader(io.StringIO(cli("export", "--touchpoint", "invoice").output)))
    assert len(only) == 2 and only[1][2] == "invoice"
    ranged = list(csv.reader(io.StringIO(cli("export", "--since", "2026-03-02", "--until", "2026-03-05").output)))
    assert [r[2] for r in ranged[1:]] == ["invoice"]


def test_export_refuses_bad_dates(cli):
    r = cli("export", "--since", "yesterday")
    assert r.exit_code == 2
    assert "not a date" in r.output


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["serve"],
        ["touchpoint"],
        ["touchpoint", "add"],
        ["touchpoint", "list"],
        ["touchpoint", "snippet"],
        ["stats"],
        ["export"],
    ],
)
def test_every_command_has_help(cli, args):
    r = cli(*args, "--help")
    assert r.exit_code == 0
    assert "Usage:" in r.output


def test_console_script_runs_as_a_module(tmp_path):
    env = {"ANBEFAL_DB": str(tmp_path / "m.db"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "collector", "touchpoint", "list"], env=env, capture_output=True, text=True, check=True
    )
    assert "No touchpoints yet" in out.stdout


def test_snippet_signed_with_placeholders_or_signatures(cli, conn):
    from collector import customers

    cli("touchpoint", "add", "checkout")
    placeholders = cli("touchpoint", "snippet", "checkout", "--signed").output
    assert 'data-ref="ORDER-ID"' in placeholders and "data-customer-sig=" in placeholders
    signed = cli("touchpoint", "snippet", "checkout", "--signed", "--ref", "A-1", "--customer", "C-7").output
    key = customers.signing_key(conn)
    assert f'data-ref-sig="{customers.sign(key, customers.REF, "A-1")}"' in signed
    assert f'data-customer-sig="{customers.sign(key, customers.CUSTOMER, "C-7")}"' in signed
    assert "data-ref-sig" not in cli("touchpoint", "snippet", "checkout").output
