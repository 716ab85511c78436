"""`anbefal webhook add|list|remove|test` against a real receiver."""

from __future__ import annotations

import pytest

from collector import storage
from collector.cli import main


@pytest.fixture
def cli(app, runner):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True

    def run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def test_add_prints_the_id_and_secret_and_test_says_what_the_receiver_answered(cli, conn, receiver, make_touchpoint):
    make_touchpoint("checkout")
    added = cli(
        "webhook",
        "add",
        receiver.url,
        "--event",
        "response.created",
        "--touchpoint",
        "checkout",
        "--category",
        "detractor",
        "--category",
        "passive",
    )
    assert added.exit_code == 0, added.output
    lines = dict(line.split("\t") for line in added.stdout.splitlines())
    assert lines["id"] == "1" and lines["secret"].startswith("whsec_")
    assert "gets response.created of detractors, passives at checkout" in added.stderr
    receiver.secret = lines["secret"]

    tested = cli("webhook", "test", "1")
    assert tested.exit_code == 0
    assert tested.output == f"Delivered: {receiver.url} answered 200: ok\n"
    assert receiver.verified()[0]["type"] == "webhook.test"

    listed = cli("webhook", "list")
    assert listed.output.splitlines()[1] == (
        f"1\tstandard\tactive\tresponse.created of detractors, passives at checkout\t{receiver.url}"
    )
    receiver.answers = [(500, {})]
    failed = cli("webhook", "test", "1")
    assert failed.exit_code == 1
    assert "Error: not delivered: the receiver answered 500 Internal Server Error: ok" in failed.output

    removed = cli("webhook", "remove", "1")
    assert removed.output == f"Removed webhook 1 ({receiver.url}).\n"
    assert storage.list_webhook_endpoints(conn) == []
    assert cli("webhook", "list").output == "No webhooks yet. Add one with: anbefal webhook add URL\n"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["ftp://x.example.com/"], "the address must start with https://"),
        (["http://127.0.0.1/", "--touchpoint", "nowhere"], "no touchpoint called 'nowhere'"),
        (["http://127.0.0.1/", "--event", "response.deleted"], "Invalid value for '--event'"),
        (["http://127.0.0.1/", "--format", "teams"], "Invalid value for '--format'"),
    ],
)
def test_add_refuses_what_is_wrong_and_stores_nothing(cli, conn, args, problem):
    result = cli("webhook", "add", *args)
    assert result.exit_code != 0 and problem in result.output
    assert storage.list_webhook_endpoints(conn) == []


def test_a_private_address_is_refused_without_the_setting(app, runner, conn):
    result = runner.invoke(main, ["webhook", "add", "http://10.0.0.7/hook"])
    assert result.exit_code == 1
    assert "10.0.0.7 resolves to 10.0.0.7, a private" in result.output
    assert storage.list_webhook_endpoints(conn) == []


def test_an_unknown_id_says_how_to_list_them(cli):
    for command in ("remove", "test"):
        result = cli("webhook", command, "7")
        assert result.exit_code == 1 and "no webhook with id 7 (see `anbefal webhook list`)" in result.output
