"""API keys: `anbefal apikey create/list/revoke`, stored hashed."""

from __future__ import annotations

import hashlib

import pytest

from collector import storage
from collector.cli import main


@pytest.fixture
def cli(runner):
    def run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def test_create_prints_the_key_once_and_stores_only_its_hash(cli, conn):
    r = cli("apikey", "create", "helpdesk")
    assert r.exit_code == 0, r.output
    key = r.stdout.strip()
    assert key.startswith("anb_") and len(key) > 40 and "\n" not in key
    assert "shown only now" in r.stderr
    rows = [dict(row) for row in conn.execute("SELECT * FROM api_keys")]
    assert len(rows) == 1
    assert rows[0]["name"] == "helpdesk"
    assert rows[0]["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(rows)


def test_list_and_revoke(cli, conn):
    assert "No API keys yet" in cli("apikey", "list").output
    cli("apikey", "create", "helpdesk")
    cli("apikey", "create", "shop")
    r = cli("apikey", "list")
    lines = r.output.splitlines()
    assert lines[0] == "name\tscopes\tcreated\tlast used\tstatus"
    assert lines[1].startswith("helpdesk\tlinks\t") and lines[1].endswith("\tnever\tactive")
    assert lines[2].startswith("shop\t")
    r = cli("apikey", "revoke", "helpdesk")
    assert r.exit_code == 0 and "Revoked" in r.output
    assert "\trevoked 20" in cli("apikey", "list").output.splitlines()[1]
    assert [k.revoked_at is None for k in storage.list_api_keys(conn)] == [False, True]


def test_revoke_unknown_or_revoked_key_is_an_error(cli):
    r = cli("apikey", "revoke", "nope")
    assert r.exit_code == 1 and "no active API key called 'nope'" in r.output
    cli("apikey", "create", "helpdesk")
    cli("apikey", "revoke", "helpdesk")
    assert cli("apikey", "revoke", "helpdesk").exit_code == 1


def test_names_are_unique_among_active_keys(cli, conn):
    cli("apikey", "create", "helpdesk")
    r = cli("apikey", "create", "helpdesk")
    assert r.exit_code == 1 and "exists already" in r.output
    assert len(storage.list_api_keys(conn)) == 1
    # Once revoked, the name may be used for its successor.
    cli("apikey", "revoke", "helpdesk")
    assert cli("apikey", "create", "helpdesk").exit_code == 0
    assert cli("apikey", "create", " ").exit_code == 2


def test_scopes_default_to_links_and_may_be_repeated_or_listed(cli, conn):
    assert "(scopes: links)" in cli("apikey", "create", "helpdesk").stderr
    assert "(scopes: read)" in cli("apikey", "create", "bi", "--scope", "read").stderr
    assert "(scopes: links, read)" in cli("apikey", "create", "both", "--scope", "read", "--scope", "links").stderr
    assert "(scopes: links, read)" in cli("apikey", "create", "listed", "--scope", " READ,links ").stderr
    both = ("links", "read")
    assert [key.scopes for key in storage.list_api_keys(conn)] == [("links",), ("read",), both, both]
    lines = cli("apikey", "list").output.splitlines()
    assert [line.split("\t")[1] for line in lines[1:]] == ["links", "read", "links,read", "links,read"]


def test_an_unknown_scope_is_refused_and_nothing_is_stored(cli, conn):
    r = cli("apikey", "create", "bi", "--scope", "read,write")
    assert r.exit_code == 2
    assert "unknown scope 'write': choose from links, read" in r.output
    assert storage.list_api_keys(conn) == []
