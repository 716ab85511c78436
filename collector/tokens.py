"""Every signed thing Anbefal hands out, made and checked here.

Each purpose has its own salt, so a token made for one purpose can never be
replayed for another (an edit secret is no embed token, and so on). Keys are
a list: the first signs, every one verifies, so a key can be rotated without
breaking snippets and links already in the wild.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from itsdangerous import (
    BadData,
    Serializer,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

from . import params

EMBED = "anbefal.embed"
EDIT = "anbefal.edit"
LINK = "anbefal.link"
LINK_FORM = "anbefal.link-form"
UNSUBSCRIBE = "anbefal.unsubscribe"
UNSUBSCRIBE_KINDS = ("alert", "digest")

EMBED_CACHE_SIZE = 1024
# Longer than any token or edit secret made here; openapi.json states it too.
MAX_TOKEN = 1000


class InvalidToken(Exception):
    """A token that is malformed, tampered with, signed for another purpose
    or by an unknown key."""


class ExpiredToken(InvalidToken):
    """A genuine token whose time is up; *link* is what an expired survey link signed."""

    def __init__(self, message: str, link: LinkToken | None = None):
        super().__init__(message)
        self.link = link


class Tokens:
    """Sign and check tokens with a list of keys, newest first."""

    def __init__(self, secret_keys: Sequence[str]):
        if not secret_keys or not all(secret_keys):
            raise ValueError("at least one non-empty secret key is needed")
        # itsdangerous signs with the *last* key of its list.
        self._keys = list(reversed(secret_keys))
        # Built once per purpose: making a serializer costs about as much as
        # checking a signature, and every answer needs two.
        self._serializers: dict[tuple[str, Any], Any] = {}
        # Embed tokens never expire and the keys of this object never change,
        # so a token once found genuine stays genuine: remember its touchpoint.
        self._embed_cache: dict[str, int] = {}

    def _plain(self, salt: str) -> URLSafeSerializer:
        serializer = self._serializers.get((salt, False))
        if serializer is None:
            serializer = self._serializers[salt, False] = URLSafeSerializer(self._keys, salt=salt)
        return serializer

    def _signer(self, salt: str) -> TimestampSigner:
        signer = self._serializers.get((salt, "signer"))
        if signer is None:
            signer = self._serializers[salt, "signer"] = TimestampSigner(self._keys, salt=salt)
        return signer

    def _timed(self, salt: str) -> URLSafeTimedSerializer:
        serializer = self._serializers.get((salt, True))
        if serializer is None:
            serializer = self._serializers[salt, True] = URLSafeTimedSerializer(self._keys, salt=salt)
        return serializer

    # -- embed tokens: name the touchpoint a snippet feeds; they do not expire,
    #    because a snippet pasted into a shop stays there for years.

    def make_embed_token(self, touchpoint_id: int) -> str:
        return self._plain(EMBED).dumps({"tp": touchpoint_id})

    def read_embed_token(self, token: Any) -> int:
        """Return the touchpoint id inside an embed token."""
        if isinstance(token, str) and token in self._embed_cache:
            return self._embed_cache[token]
        payload = _loads(self._plain(EMBED), token)
        tp = payload.get("tp") if isinstance(payload, dict) else None
        if type(tp) is not int:
            raise InvalidToken("token does not name a touchpoint")
        if len(self._embed_cache) >= EMBED_CACHE_SIZE:
            self._embed_cache.clear()  # a site has a handful of snippets; this only bounds a flood of tokens
        self._embed_cache[token] = tp
        return tp

    # -- edit secrets: let the browser that stored an answer add its comment.

    def make_edit_secret(self, response_id: int) -> str:
        # The id itself, timestamped and signed ("7.<time>.<signature>"), with
        # the same salt, keys and signer as the serializer's tokens: every
        # answer gets one, and skipping JSON, zlib and base64 makes it about
        # three times cheaper.
        return self._signer(EDIT).sign(str(response_id)).decode("ascii")

    def check_edit_secret(self, secret: Any, response_id: int, max_age: int) -> None:
        """Raise unless *secret* was made for *response_id* within *max_age* seconds."""
        if not isinstance(secret, str) or not secret or len(secret) > MAX_TOKEN:
            raise InvalidToken("missing or malformed token")
        try:
            value = self._signer(EDIT).unsign(secret, max_age=max_age).decode("ascii")
            found: Any = params.whole_number(value)
            if found is None:
                # A secret made as a serialized {"r": id} before they were
                # signed ids: still good until it expires.
                payload = self._timed(EDIT).load_payload(value.encode("ascii"))
                found = payload.get("r") if isinstance(payload, dict) else None
        except SignatureExpired as exc:
            raise ExpiredToken("token has expired") from exc
        except (BadData, UnicodeDecodeError) as exc:
            raise InvalidToken("token is not valid") from exc
        if type(found) is not int or found != response_id:
            raise InvalidToken("secret belongs to another response")

    # -- links: survey links for mail, see collector.links. A link names its
    #    touchpoint and either signs the ref too (one link per recipient) or
    #    leaves the ref to the query string, where a helpdesk's mail template
    #    puts a ticket id in place of a placeholder such as {{ticket.id}}.

    def make_link_token(
        self,
        touchpoint_id: int,
        *,
        ref: str | None = None,
        placeholder: str | None = None,
        expires_at: int | None = None,
    ) -> str:
        """Sign a survey link; *expires_at* is a Unix time, None for never."""
        if ref is not None and placeholder is not None:
            raise ValueError("a link signs either its ref or the placeholder of one, not both")
        payload: dict[str, Any] = {"tp": touchpoint_id}
        if ref is not None:
            payload["ref"] = ref
        if placeholder is not None:
            payload["ph"] = placeholder
        if expires_at is not None:
            payload["exp"] = int(expires_at)
        return self._timed(LINK).dumps(payload)

    def read_link_token(self, token: Any, now: float | None = None) -> LinkToken:
        """Return what a survey link signs; ExpiredToken (which carries it
        too, so the page can speak the touchpoint's language) once it is past
        its expiry."""
        payload = _loads(self._timed(LINK), token)
        if not isinstance(payload, dict) or type(payload.get("tp")) is not int:
            raise InvalidToken("link token does not name a touchpoint")
        ref, placeholder, expires_at = payload.get("ref"), payload.get("ph"), payload.get("exp")
        if not (ref is None or isinstance(ref, str)) or not (placeholder is None or isinstance(placeholder, str)):
            raise InvalidToken("link token has a malformed ref")
        if not (expires_at is None or type(expires_at) is int):
            raise InvalidToken("link token has a malformed expiry")
        link = LinkToken(payload["tp"], ref, placeholder, expires_at)
        if expires_at is not None and (time.time() if now is None else now) >= expires_at:
            raise ExpiredToken("link has expired", link)
        return link

    # -- link forms: the survey page's form carries one, so that only a post
    #    that follows a real visit of that page, for that touchpoint and ref,
    #    is stored. No cookie, no session: the page sets none.

    def make_link_form_token(self, touchpoint_id: int, ref: str) -> str:
        return self._timed(LINK_FORM).dumps({"tp": touchpoint_id, "ref": ref})

    def check_link_form_token(self, token: Any, touchpoint_id: int, ref: str, max_age: int) -> None:
        """Raise unless *token* was made for this touchpoint and ref within *max_age* seconds."""
        payload = _loads(self._timed(LINK_FORM), token, max_age=max_age)
        if not isinstance(payload, dict) or payload.get("tp") != touchpoint_id or payload.get("ref") != ref:
            raise InvalidToken("form token belongs to another link")

    # -- unsubscribe links: every mail carries one (RFC 8058). They name the
    #    user and the kind of mail, need no login and do not expire: a mail
    #    read a year later must still stop its kind.

    def make_unsubscribe_token(self, user_id: int, kind: str) -> str:
        if kind not in UNSUBSCRIBE_KINDS:
            raise ValueError(f"no unsubscribe link for {kind!r}")
        return self._plain(UNSUBSCRIBE).dumps({"u": user_id, "k": kind})

    def read_unsubscribe_token(self, token: Any) -> tuple[int, str]:
        """Return the user id and the kind of mail (alert, digest) an unsubscribe link stops."""
        payload = _loads(self._plain(UNSUBSCRIBE), token)
        user_id, kind = (payload.get("u"), payload.get("k")) if isinstance(payload, dict) else (None, None)
        if type(user_id) is not int or kind not in UNSUBSCRIBE_KINDS:
            raise InvalidToken("unsubscribe token names no user and kind of mail")
        return user_id, kind


@dataclass(frozen=True)
class LinkToken:
    """What a survey link signs."""

    touchpoint_id: int
    ref: str | None = None  # signed: one link per recipient
    placeholder: str | None = None  # the template placeholder the link was made for
    expires_at: int | None = None  # Unix time; None: never


def _loads(serializer: Serializer[str], token: Any, **kwargs: Any) -> Any:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise InvalidToken("missing or malformed token")
    try:
        return serializer.loads(token, **kwargs)
    except SignatureExpired as exc:
        raise ExpiredToken("token has expired") from exc
    except BadData as exc:
        raise InvalidToken("token is not valid") from exc
