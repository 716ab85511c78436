"""Secret key rotation: what an old key signed keeps working while the key
is in ANBEFAL_SECRET_KEY's list, and gets a 4xx (never a 5xx) once it is removed."""

from __future__ import annotations

import pytest

from collector import create_app, storage
from collector.cli import main
from collector.tokens import Tokens

OLD, NEW = "the-old-key", "the-new-key"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"


@pytest.fixture
def signed_with_old(db_path):
    """A touchpoint, with a snippet token, an answer's edit secret, a survey
    link and a link page's form token, all signed with the old key."""
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": OLD, "RATELIMIT": "off"})
    conn = storage.connect(db_path)
    tp = storage.insert_touchpoint(conn, "checkout")
    old = Tokens([OLD])
    answer = app.test_client().post(
        "/api/v1/responses", json={"token": old.make_embed_token(tp.id), "score": 6}, headers={"User-Agent": CHROME}
    )
    assert answer.status_code == 201
    yield {
        "embed": old.make_embed_token(tp.id),
        "response_id": answer.get_json()["id"],
        "secret": answer.get_json()["secret"],
        "link": "/s/" + old.make_link_token(tp.id, ref="T-1"),
        "form_token": old.make_link_form_token(tp.id, "T-1"),
        "conn": conn,
    }
    conn.close()
    storage.close_connections()


def client_with(db_path, keys: str):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": keys, "RATELIMIT": "off"})
    return app.test_client()


def use_everything(client, signed) -> list[int]:
    """Use each thing the old key signed; return the statuses."""
    body = {"token": signed["embed"], "score": 9, "ref": "A-1"}
    return [
        client.get(f"/api/v1/widget?token={signed['embed']}").status_code,
        client.post("/api/v1/responses", json=body, headers={"User-Agent": CHROME}).status_code,
        client.patch(
            f"/api/v1/responses/{signed['response_id']}", json={"secret": signed["secret"], "comment": "Slow"}
        ).status_code,
        client.get(signed["link"] + "?score=7").status_code,
        client.post(signed["link"], data={"score": "7", "form_token": signed["form_token"]}).status_code,
    ]


def test_old_signatures_work_while_the_old_key_is_in_the_list(db_path, signed_with_old):
    client = client_with(db_path, f"{NEW}, {OLD}")  # as written in the environment: newest first
    assert use_everything(client, signed_with_old) == [200, 201, 200, 200, 200]
    conn = signed_with_old["conn"]
    assert storage.get_response(conn, signed_with_old["response_id"])["comment"] == "Slow"
    assert storage.count_responses(conn) == 3


def test_old_signatures_get_a_4xx_once_the_old_key_is_removed(db_path, signed_with_old):
    client = client_with(db_path, NEW)
    statuses = use_everything(client, signed_with_old)
    assert all(400 <= status < 500 for status in statuses), statuses
    assert statuses[:3] == [400, 400, 403]  # invalid_token, invalid_token, invalid_secret
    assert statuses[3] == 404  # the link page says the link is not valid
    conn = signed_with_old["conn"]
    assert storage.count_responses(conn) == 1  # only the answer stored before, unchanged
    assert storage.get_response(conn, signed_with_old["response_id"])["comment"] is None
    r = client.post(
        "/api/v1/responses", json={"token": signed_with_old["embed"], "score": 9}, headers={"User-Agent": CHROME}
    )
    assert r.get_json()["error"]["code"] == "invalid_token"


def test_the_newest_key_signs(db_path, signed_with_old):
    app = create_app({"TESTING": True, "DB": db_path, "SECRET_KEY": f"{NEW},{OLD}"})
    result = app.test_cli_runner().invoke(main, ["touchpoint", "snippet", "checkout"])
    assert result.exit_code == 0, result.output
    token = result.output.split('data-anbefal="')[1].split('"')[0]
    assert Tokens([NEW]).read_embed_token(token) > 0
    assert client_with(db_path, NEW).get(f"/api/v1/widget?token={token}").status_code == 200
