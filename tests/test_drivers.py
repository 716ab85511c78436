"""Driver ratings through the API (POST and PATCH, the 400s that store
nothing), the widget's configuration, the export's columns, the read API,
and the command line (touchpoint driver add|list|remove, drivers)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from test_api import ORIGIN, assert_error, post

from collector import api_keys, drivers, storage
from collector.cli import main


@pytest.fixture
def touchpoint(make_touchpoint, conn):
    tp = make_touchpoint("checkout", origins=[ORIGIN])
    storage.add_driver(conn, tp.id, "delivery", "Delivery time", "How fast?")
    storage.add_driver(conn, tp.id, "price", "Price", "How was the price?")
    return tp


@pytest.fixture
def token(tokens, touchpoint):
    return tokens.make_embed_token(touchpoint.id)


def patch(client, response_id, body):
    return client.patch(
        f"/api/v1/responses/{response_id}",
        data=json.dumps(body),
        content_type="text/plain;charset=UTF-8",
        headers={"Origin": ORIGIN},
    )


def test_post_and_patch_store_ratings(client, conn, token):
    r = post(client, {"token": token, "score": 4, "drivers": {"delivery": 2}})
    assert r.status_code == 201, r.get_data(as_text=True)
    created = r.get_json()
    assert storage.get_response(conn, created["id"])["drivers"] == {"delivery": 2}
    r = patch(client, created["id"], {"secret": created["secret"], "drivers": {"price": 5.0}})
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body == {
        "id": created["id"],
        "score": 4,
        "comment": None,
        "drivers": {"delivery": 2, "price": 5},
        "next_step": None,  # the touchpoint offers none
    }


@pytest.mark.parametrize(
    "value, words",
    [
        ({"speed": 3}, "unknown driver: speed"),
        ({"delivery": 0}, "from 1 to 5"),
        ({"delivery": 6}, "from 1 to 5"),
        ({"delivery": 2.5}, "from 1 to 5"),
        ({"delivery": "4"}, "from 1 to 5"),
        ({"delivery": True}, "from 1 to 5"),
        ([4], "must be an object"),
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_stored(client, conn, token, value, words):
    r = post(client, {"token": token, "score": 9, "drivers": value})
    assert_error(r, 400, "invalid_drivers")
    assert words in r.get_json()["error"]["message"]
    assert storage.count_responses(conn) == 0
    created = post(client, {"token": token, "score": 9}).get_json()
    r = patch(client, created["id"], {"secret": created["secret"], "score": 3, "drivers": value})
    assert_error(r, 400, "invalid_drivers")
    assert storage.get_response(conn, created["id"])["score"] == 9  # the score sent beside them too
    assert conn.execute("SELECT COUNT(*) FROM response_ratings").fetchone()[0] == 0


def test_an_empty_patch_of_drivers_is_nothing_to_update(client, token):
    created = post(client, {"token": token, "score": 9}).get_json()
    assert_error(patch(client, created["id"], {"secret": created["secret"], "drivers": {}}), 400, "nothing_to_update")


def test_the_widget_gets_the_drivers_in_the_touchpoints_language(client, tokens, conn, make_touchpoint, token):
    config = client.get(f"/api/v1/widget?token={token}").get_json()
    assert config["drivers"] == [
        {"key": "delivery", "question": "How fast?"},
        {"key": "price", "question": "How was the price?"},
    ]
    assert config["driver_texts"] == drivers.step_texts("en")
    assert config["rating_labels"] == [
        "1 out of 5, Poor",
        "2 out of 5",
        "3 out of 5",
        "4 out of 5",
        "5 out of 5, Excellent",
    ]
    plain = make_touchpoint("invoice", language="da")
    config = client.get(f"/api/v1/widget?token={tokens.make_embed_token(plain.id)}").get_json()
    assert not {"drivers", "driver_texts", "rating_labels"} & config.keys()


def test_export_and_read_api_carry_the_ratings(admin_client, client, conn, token, touchpoint):
    post(client, {"token": token, "score": 4, "ref": "A-1", "drivers": {"delivery": 2, "price": 4}})
    post(client, {"token": token, "score": 8, "ref": "A-2"})
    r = admin_client.get("/admin/export?period=all&format=csv")
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    header = table[0]
    assert header[-2:] == ["driver:delivery", "driver:price"]
    assert [row[-2:] for row in table[1:]] == [["2", "4"], ["", ""]]
    r = admin_client.get("/admin/export?period=all&format=jsonl")
    lines = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    assert [line["drivers"] for line in lines] == [{"delivery": 2, "price": 4}, {}]
    key = api_keys.new_key()
    storage.insert_api_key(conn, "bi", api_keys.hash_key(key), scopes=("read",))
    r = client.get("/api/v1/responses", headers={"Authorization": f"Bearer {key}"})
    assert [answer["drivers"] for answer in r.get_json()["responses"]] == [{}, {"delivery": 2, "price": 4}]


def test_the_command_line(runner, conn, make_touchpoint):
    make_touchpoint("shop", language="da")

    def run(*args):
        return runner.invoke(main, list(args))

    r = run("touchpoint", "driver", "add", "shop", "delivery")
    assert r.exit_code == 0, r.output
    assert "Leveringstid" in r.output
    r = run("touchpoint", "driver", "add", "shop", "speed", "--label", "Speed of answer")
    assert r.exit_code == 0, r.output
    assert "Hvordan vil du vurdere: Speed of answer?" in r.output
    assert run("touchpoint", "driver", "add", "shop", "speed", "--label", "Again").exit_code == 1
    assert "give a label" in run("touchpoint", "driver", "add", "shop", "mystery").output
    assert "short name" in run("touchpoint", "driver", "add", "shop", "Bad Key", "--label", "x").output
    for key in ("price", "staff", "quality"):
        assert run("touchpoint", "driver", "add", "shop", key).exit_code == 0
    r = run("touchpoint", "driver", "add", "shop", "website")
    assert r.exit_code == 1 and "5 drivers at most" in r.output
    listed = run("touchpoint", "driver", "list", "shop").output
    assert listed.splitlines()[0].split() == ["key", "label", "question"]
    assert "speed" in listed and "Prisen" not in listed
    assert run("touchpoint", "driver", "remove", "shop", "speed").exit_code == 0
    assert "speed" not in run("touchpoint", "driver", "list", "shop").output
    assert run("touchpoint", "driver", "remove", "shop", "speed").exit_code == 1

    tp = storage.get_touchpoint_by_name(conn, "shop")
    slots = {d.key: d.slot for d in storage.list_drivers(conn, tp.id)}
    for score, delivery, price in [(2, 1, 5), (3, 1, 4), (9, 5, 4), (10, 4, 5), (6, 2, 5), (8, 4, 4)] * 6:
        storage.insert_response(conn, tp.id, score, ratings={slots["delivery"]: delivery, slots["price"]: price})
    r = run("drivers", "shop", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    by_key = {d["key"]: d for d in data["drivers"]}
    assert data["n"] == 36 and data["act_first"] == "delivery"
    assert by_key["delivery"]["quadrant"] == "Concentrate here"
    assert by_key["price"]["quadrant"] == "Possible overkill"
    text = run("drivers", "shop", "--period", "30d").output
    assert text.startswith("Act first on: Leveringstid (importance ")
    assert "Concentrate here" in text
    assert run("drivers", "shop", "--period", "fortnight").exit_code == 2
