"""Schemathesis, a generator we did not write, against the whole OpenAPI
description on the real app (called in-process over WSGI): no request it makes
gets a server error or an answer that breaks the description; requests that fit
the description are accepted, and requests that break it are refused.

Three things the test gives it, as a caller would have them: a touchpoint's
embed token, an answer's id with its edit secret, and an API key with every
scope. Without them every request would end at the token check. It runs once
as a browser (answers are stored) and once as a known bot (answers are thanked
and not stored).

Bounded and repeatable: a fixed number of examples per operation, generated
from a fixed seed (derandomize), with no example database between runs.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from collector import api_keys, create_app, openapi, storage
from collector.db import get_tokens
from collector.links.making import LinkError, parse_expires

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 40
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BOT = "Googlebot/2.1 (+http://www.google.com/bot.html)"
# A refusal is any of these; 413 too, as a body past the limit is refused before it is read.
REFUSED = ["400", "401", "403", "404", "405", "413", "415", "429"]


DRIVERS = ("delivery", "price")


def described(token: str, response_id: int, secret: str) -> dict[str, Any]:
    """The description as served, with this test's token, answer and secret as
    the only values of those fields, and its touchpoint's driver keys as the
    only keys of drivers, so generated requests can get past them."""
    spec = copy.deepcopy(openapi.spec())
    schemas = spec["components"]["schemas"]
    schemas["Drivers"]["propertyNames"] = {"enum": list(DRIVERS)}
    schemas["NewResponse"]["properties"]["token"] = {"const": token}
    schemas["ResponseUpdate"]["properties"]["secret"] = {"const": secret}
    spec["paths"]["/api/v1/widget"]["get"]["parameters"][0]["schema"] = {"const": token}
    schemas["WidgetEvent"]["properties"]["token"] = {"const": token}
    spec["paths"]["/api/v1/next"]["get"]["parameters"][0]["schema"] = {"const": token}
    spec["paths"]["/api/v1/responses/{response_id}"]["patch"]["parameters"][0]["schema"] = {"const": response_id}
    for item in spec["paths"].values():
        for operation in item.values():
            # A text/plain body is a string that must hold the JSON of the
            # other schema; JSON Schema's contentSchema only annotates that, so
            # a generator takes any string. test_openapi.py sends text/plain.
            operation.get("requestBody", {}).get("content", {}).pop("text/plain", None)
    return spec


def makes_sense(case) -> bool:
    """What fits the schemas but not the rules they cannot state: a date range
    that ends before it starts, and a link's lifetime outside 1 hour to 5 years."""
    query = case.query if isinstance(case.query, dict) else {}
    if "period" not in query and str(query.get("since", "")) > str(query.get("until", "~")):
        return False
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("expires"), str):
        try:
            parse_expires(body["expires"])
        except LinkError:
            return False
    return True


@pytest.mark.parametrize("agent", [BROWSER, BOT], ids=["browser", "bot"])
def test_the_api_keeps_to_its_description(tmp_path, agent):
    app = create_app({"TESTING": True, "DB": str(tmp_path / "fuzz.db"), "SECRET_KEY": "fuzz", "RATELIMIT": "off"})
    conn = storage.connect(app.config["DB"])
    try:
        touchpoint = storage.insert_touchpoint(conn, "checkout", target_nps=30)
        for key in DRIVERS:
            storage.add_driver(conn, touchpoint.id, key, key.title(), f"How was the {key}?")
        stored = storage.insert_response(conn, touchpoint.id, 5, comment="first")
        # A bot's answer is id 0: its secret is the one for 0.
        response_id = 0 if agent == BOT else stored
        with app.app_context():
            token = get_tokens().make_embed_token(touchpoint.id)
            secret = get_tokens().make_edit_secret(response_id)
            key = api_keys.create("fuzz", tuple(api_keys.SCOPES))[1]
        config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSED}}})
        schema = schemathesis.openapi.from_dict(described(token, response_id, secret), config=config)
        schema.app = app  # called in-process, over WSGI
        # The key as a fixed header of every generated request, so that one
        # without it is not counted as a request the server should refuse.
        auth = {"Authorization": f"Bearer {key}"}
        failures: list[str] = []
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == sum(len(item) for item in openapi.spec()["paths"].values())
        for operation in operations:
            modes = [GenerationMode.POSITIVE]
            if operation.query or operation.path_parameters or operation.body:
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                strategy = operation.as_strategy(generation_mode=mode, headers=auth)
                if mode.is_positive:
                    strategy = strategy.filter(makes_sense)

                @settings(
                    max_examples=MAX_EXAMPLES,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=strategy)
                def run(case) -> None:
                    try:
                        case.call_and_validate(headers={"User-Agent": agent})
                    except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every operation
                        failures.append(f"{case.operation.label} ({case.meta.generation.mode.value}): {exc}")

                run()
        assert not failures, "\n\n".join(dict.fromkeys(failures))
    finally:
        conn.close()
        storage.close_connections()
