"""Signed tokens: tampering, wrong purpose, expiry, key rotation."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from collector import tokens as tokens_module
from collector.tokens import ExpiredToken, InvalidToken, Tokens


@pytest.fixture
def signer() -> Tokens:
    return Tokens(["new-key", "old-key"])


def test_embed_token_round_trip(signer):
    token = signer.make_embed_token(42)
    assert signer.read_embed_token(token) == 42


@pytest.mark.parametrize("bad", [None, "", 42, ["x"], "garbage", "a" * 2000])
def test_malformed_embed_token_is_refused(signer, bad):
    with pytest.raises(InvalidToken):
        signer.read_embed_token(bad)


def test_tampered_embed_token_is_refused(signer):
    token = signer.make_embed_token(1)
    payload, signature = token.split(".")
    forged_payload = URLSafeSerializer("x").dump_payload({"tp": 2}).decode()
    with pytest.raises(InvalidToken):
        signer.read_embed_token(f"{forged_payload}.{signature}")
    with pytest.raises(InvalidToken):
        signer.read_embed_token(f"{payload}.{signature[:-2]}xx")


def test_token_signed_with_unknown_key_is_refused(signer):
    stranger = Tokens(["someone-elses-key"])
    with pytest.raises(InvalidToken):
        signer.read_embed_token(stranger.make_embed_token(1))


def test_wrong_purpose_is_refused(signer):
    # An edit secret is signed with another salt: it is never an embed token,
    # and an embed token never unlocks a response.
    secret = signer.make_edit_secret(1)
    with pytest.raises(InvalidToken):
        signer.read_embed_token(secret)
    with pytest.raises(InvalidToken):
        signer.check_edit_secret(signer.make_embed_token(1), 1, max_age=60)


def test_embed_token_payload_must_name_a_touchpoint(signer):
    plain = URLSafeSerializer(["old-key", "new-key"], salt=tokens_module.EMBED)
    with pytest.raises(InvalidToken):
        signer.read_embed_token(plain.dumps({"tp": "1"}))
    with pytest.raises(InvalidToken):
        signer.read_embed_token(plain.dumps([1]))


def test_edit_secret_belongs_to_one_response(signer):
    secret = signer.make_edit_secret(7)
    signer.check_edit_secret(secret, 7, max_age=60)
    with pytest.raises(InvalidToken):
        signer.check_edit_secret(secret, 8, max_age=60)


def test_edit_secret_expires(signer, monkeypatch):
    secret = signer.make_edit_secret(7)
    # A frozen clock an hour later: itsdangerous reads time through this function.
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 3601)
    with pytest.raises(ExpiredToken):
        signer.check_edit_secret(secret, 7, max_age=3600)
    signer.check_edit_secret(secret, 7, max_age=7200)


def test_rotation_old_key_verifies_new_key_signs():
    old = Tokens(["old-key"])
    rotated = Tokens(["new-key", "old-key"])
    token_from_old = old.make_embed_token(3)
    assert rotated.read_embed_token(token_from_old) == 3
    # New tokens are signed with the newest key: the old-only signer cannot read them.
    with pytest.raises(InvalidToken):
        old.read_embed_token(rotated.make_embed_token(3))
    # Once the old key is dropped, tokens it signed are refused.
    with pytest.raises(InvalidToken):
        Tokens(["new-key"]).read_embed_token(token_from_old)


def test_keys_are_required():
    with pytest.raises(ValueError):
        Tokens([])
    with pytest.raises(ValueError):
        Tokens([""])


def test_embed_tokens_found_genuine_are_remembered_but_forgeries_never():
    tokens = Tokens(["key"])
    token = tokens.make_embed_token(4)
    assert tokens.read_embed_token(token) == 4
    assert tokens.read_embed_token(token) == 4
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            tokens.read_embed_token(forged)
    # Another key list does not share what this one remembered.
    with pytest.raises(InvalidToken):
        Tokens(["other-key"]).read_embed_token(token)


# -- survey links --------------------------------------------------------


def test_link_with_signed_ref_round_trip(signer):
    link = signer.read_link_token(signer.make_link_token(5, ref="T-1001", expires_at=2_000_000_000), now=1_000)
    assert (link.touchpoint_id, link.ref, link.placeholder, link.expires_at) == (5, "T-1001", None, 2_000_000_000)


def test_link_with_placeholder_ref_signs_the_placeholder_not_a_ref(signer):
    link = signer.read_link_token(signer.make_link_token(5, placeholder="{{ticket.id}}"))
    assert (link.touchpoint_id, link.ref, link.placeholder, link.expires_at) == (5, None, "{{ticket.id}}", None)
    with pytest.raises(ValueError):
        signer.make_link_token(5, ref="T-1", placeholder="{{ticket.id}}")


def test_link_with_a_changed_ref_is_refused(signer):
    token = signer.make_link_token(5, ref="T-1001")
    _, timestamp, signature = token.split(".")
    forged = URLSafeSerializer("x").dump_payload({"tp": 5, "ref": "T-1002"}).decode()
    with pytest.raises(InvalidToken):
        signer.read_link_token(f"{forged}.{timestamp}.{signature}")
    with pytest.raises(InvalidToken):
        signer.read_link_token(token[:-3] + ("abc" if not token.endswith("abc") else "xyz"))


def test_link_expires_at_its_time_and_says_which_link_it_was(signer):
    token = signer.make_link_token(5, ref="T-1", expires_at=1_000_000)
    assert signer.read_link_token(token, now=999_999).ref == "T-1"
    with pytest.raises(ExpiredToken) as caught:
        signer.read_link_token(token, now=1_000_000)
    assert caught.value.link.touchpoint_id == 5 and caught.value.link.ref == "T-1"
    # Without a frozen clock: a link that expired a second ago.
    import time

    with pytest.raises(ExpiredToken):
        signer.read_link_token(signer.make_link_token(5, ref="T-1", expires_at=int(time.time()) - 1))


def test_link_without_expiry_never_expires(signer):
    assert signer.read_link_token(signer.make_link_token(5, ref="T-1"), now=10**12).expires_at is None


def test_link_tokens_and_other_tokens_are_not_interchangeable(signer):
    with pytest.raises(InvalidToken):
        signer.read_link_token(signer.make_edit_secret(5))
    with pytest.raises(InvalidToken):
        signer.read_link_token(signer.make_link_form_token(5, "T-1"))
    with pytest.raises(InvalidToken):
        signer.read_embed_token(signer.make_link_token(5))
    with pytest.raises(InvalidToken):
        signer.check_link_form_token(signer.make_link_token(5, ref="T-1"), 5, "T-1", max_age=60)


def test_link_payload_must_be_well_formed(signer):
    from itsdangerous import URLSafeTimedSerializer

    timed = URLSafeTimedSerializer(["old-key", "new-key"], salt=tokens_module.LINK)
    for payload in ({"tp": "5"}, [5], {"tp": 5, "ref": 7}, {"tp": 5, "exp": "soon"}, {"tp": 5, "ph": ["x"]}):
        with pytest.raises(InvalidToken):
            signer.read_link_token(timed.dumps(payload))


def test_link_form_token_is_bound_to_touchpoint_and_ref_and_expires(signer, monkeypatch):
    token = signer.make_link_form_token(5, "T-1")
    signer.check_link_form_token(token, 5, "T-1", max_age=60)
    with pytest.raises(InvalidToken):
        signer.check_link_form_token(token, 5, "T-2", max_age=60)
    with pytest.raises(InvalidToken):
        signer.check_link_form_token(token, 6, "T-1", max_age=60)
    import itsdangerous.timed

    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 61)
    with pytest.raises(ExpiredToken):
        signer.check_link_form_token(token, 5, "T-1", max_age=60)


def test_edit_secret_made_as_serialized_payload_still_unlocks_its_answer(signer):
    # Secrets handed out before they became signed ids stay good until they expire.
    old_style = URLSafeTimedSerializer(["old-key", "new-key"], salt=tokens_module.EDIT).dumps({"r": 7})
    signer.check_edit_secret(old_style, 7, max_age=60)
    with pytest.raises(InvalidToken):
        signer.check_edit_secret(old_style, 8, max_age=60)
    not_an_id = URLSafeTimedSerializer(["old-key", "new-key"], salt=tokens_module.EDIT).dumps({"r": "7"})
    with pytest.raises(InvalidToken):
        signer.check_edit_secret(not_an_id, 7, max_age=60)


def test_edit_secret_is_refused_when_its_id_is_altered(signer):
    secret = signer.make_edit_secret(7)
    assert secret.startswith("7.")
    with pytest.raises(InvalidToken):
        signer.check_edit_secret("8" + secret[1:], 8, max_age=60)


def test_unsubscribe_token_round_trip_and_its_own_salt(signer):
    token = signer.make_unsubscribe_token(7, "digest")
    assert signer.read_unsubscribe_token(token) == (7, "digest")
    assert Tokens(["old-key"]).read_unsubscribe_token(Tokens(["old-key"]).make_unsubscribe_token(7, "alert")) == (
        7,
        "alert",
    )
    with pytest.raises(InvalidToken):
        signer.read_embed_token(token)
    with pytest.raises(InvalidToken):
        signer.read_unsubscribe_token(signer.make_embed_token(7))
    with pytest.raises(InvalidToken):
        signer.read_unsubscribe_token(token[:-2] + "xx")
    with pytest.raises(ValueError):
        signer.make_unsubscribe_token(7, "everything")
