"""The action matrix: importance by Johnson's relative weights, held to an
independent computation (numpy least squares and the formula written out),
performance, quadrants, and the sums the triggers keep."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from collector import matrix, storage


@pytest.fixture
def conn(tmp_path):
    conn = storage.connect(str(tmp_path / "matrix.db"))
    storage.migrate(conn)
    yield conn
    conn.close()


def relative_weights_by_numpy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson (2000), step by step with least squares: Z are the orthogonal
    variables closest to the standardised drivers X (X = PΔQᵀ, Z = PQᵀ); β
    regresses y on Z, Λ regresses each X_j on Z; ε_j = Σ_k Λ_kj² β_k²."""
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    ys = (y - y.mean()) / y.std()
    p, _delta, qt = np.linalg.svd(xs, full_matrices=False)
    z = p @ qt
    beta, *_ = np.linalg.lstsq(z, ys, rcond=None)
    loadings, *_ = np.linalg.lstsq(z, xs, rcond=None)  # column j: X_j on Z
    raw = (loadings**2).T @ (beta**2)
    return 100 * raw / raw.sum()


def fill(conn, rows, keys=("delivery", "price", "staff")):
    tp = storage.insert_touchpoint(conn, "shop")
    for key in keys:
        storage.add_driver(conn, tp.id, key, key.title(), f"How was the {key}?")
    for score, ratings in rows:
        storage.insert_response(conn, tp.id, score, ratings={i + 1: r for i, r in enumerate(ratings) if r})
    return tp


def constructed(n=600, seed=7):
    """Delivery drives the score and is done poorly; price barely matters and
    is done well; staff correlates with delivery (a driver's weight must not
    be taken by its neighbour)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        delivery = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
        price = rng.choice([3, 4, 4, 5, 5, 5])
        staff = max(1, min(5, delivery + rng.choice([-1, 0, 0, 1, 2])))
        score = round(1.6 * delivery + 0.2 * price + 0.5 * staff + rng.gauss(0, 1.2))
        rows.append((max(0, min(10, score)), (delivery, price, staff)))
    return rows


def test_importance_equals_an_independent_computation(conn):
    rows = constructed()
    tp = fill(conn, rows)
    found = matrix.for_touchpoint(conn, tp.id, None, 30)
    x = np.array([r for _, r in rows], dtype=float)
    y = np.array([s for s, _ in rows], dtype=float)
    expected = relative_weights_by_numpy(x, y)
    got = [d.importance for d in found.drivers]
    assert got == pytest.approx(list(expected), abs=1e-6)
    # R² is that of the ordinary regression of the score on the drivers.
    design = np.column_stack([np.ones(len(y)), x])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coefficients
    assert found.r2 == pytest.approx(1 - residual.var() / y.var(), abs=1e-9)
    assert sum(got) == pytest.approx(100)


def test_a_driver_that_drives_the_score_and_is_done_poorly_is_where_to_act(conn):
    tp = fill(conn, constructed())
    found = matrix.for_touchpoint(conn, tp.id, None, 30)
    by_key = {d.key: d for d in found.drivers}
    assert by_key["delivery"].quadrant == "Concentrate here"
    assert by_key["price"].quadrant == "Possible overkill"
    assert found.act_first is by_key["delivery"]
    d = by_key["delivery"]
    assert (
        found.sentence() == f"Act first on: Delivery (importance {d.importance:.0f}%, performance {d.performance:.0f})"
    )
    # Performance: the mean rating on 0-100.
    mean = sum(r[0] for _, r in constructed()) / 600
    assert d.performance == pytest.approx((mean - 1) / 4 * 100)
    assert all(d.n == 600 and not d.few for d in found.drivers)


def test_the_four_quadrants():
    sums = {}

    def pair(a, b, values):
        n = len(values)
        sums[(a, b)] = (
            n,
            sum(v[a] for v in values),
            sum(v[b] for v in values),
            sum(v[a] ** 2 for v in values),
            sum(v[b] ** 2 for v in values),
            sum(v[a] * v[b] for v in values),
        )

    rng = random.Random(3)
    values = []
    for _ in range(500):
        poor_important = rng.choice([1, 2, 2, 3])
        good_important = rng.choice([3, 4, 5, 5])
        poor_minor = rng.choice([1, 2, 2, 3])
        good_minor = rng.choice([3, 4, 5, 5])
        score = max(0, min(10, round(poor_important + good_important + 0.1 * poor_minor + rng.gauss(0, 1))))
        values.append((score, poor_important, good_important, poor_minor, good_minor))
    for a in range(5):
        for b in range(a, 5):
            pair(a, b, values)
    drivers = [(1, "a", "A"), (2, "b", "B"), (3, "c", "C"), (4, "d", "D")]
    found = matrix.build(drivers, sums, 30)
    assert [d.quadrant for d in found.drivers] == [
        "Concentrate here",
        "Keep up the good work",
        "Low priority",
        "Possible overkill",
    ]


def test_jacobi_agrees_with_numpy():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(5, 5))
    symmetric = a @ a.T
    values, vectors = matrix.jacobi(symmetric.tolist())
    assert sorted(values) == pytest.approx(sorted(np.linalg.eigvalsh(symmetric)), abs=1e-9)
    v = np.array(vectors)
    assert v @ np.diag(values) @ v.T == pytest.approx(symmetric, abs=1e-9)


def test_drivers_that_move_as_one_share_their_weight(conn):
    rng = random.Random(11)
    rows = []
    for _ in range(200):
        d = rng.randint(1, 5)
        rows.append((min(10, 2 * d), (d, d, rng.randint(1, 5))))
    tp = fill(conn, rows)
    found = matrix.for_touchpoint(conn, tp.id, None, 30)
    delivery, price, staff = (d.importance for d in found.drivers)
    assert delivery == pytest.approx(price, abs=1e-6)
    assert delivery + price == pytest.approx(100, abs=0.5)


def test_no_variance_no_importance_and_few_answers(conn):
    tp = fill(conn, [(9, (4, 5, None)), (9, (2, 5, None))])
    found = matrix.for_touchpoint(conn, tp.id, None, 30)
    assert [d.importance for d in found.drivers] == [None, None, None]
    assert [d.n for d in found.drivers] == [2, 2, 0]
    assert all(d.few for d in found.drivers)
    assert found.sentence() is None
    assert found.drivers[1].performance == 100
    assert found.drivers[2].performance is None


def test_the_sums_follow_every_change_of_an_answer(conn, tmp_path):
    rows = constructed(n=120)
    tp = fill(conn, rows)
    before = storage.driver_moments(conn, tp.id)
    extra = storage.insert_response(conn, tp.id, 3, ratings={1: 5})
    storage.update_response(conn, extra, score=10, ratings={2: 1, 3: 2})
    assert storage.get_response(conn, extra)["drivers"] == {"delivery": 5, "price": 1, "staff": 2}
    assert storage.driver_moments(conn, tp.id) != before
    # What the triggers keep equals the sums over the answers themselves.
    raw = storage.driver_moments(conn, tp.id, storage.ResponseFilter(properties={}, since="2000-01-01T00:00:00Z"))
    assert storage.driver_moments(conn, tp.id) == raw
    assert storage.forget_ref(conn, "none") == 0
    conn.execute("DELETE FROM responses WHERE id = ?", (extra,))
    assert storage.driver_moments(conn, tp.id) == before
    assert conn.execute("SELECT COUNT(*) FROM response_ratings WHERE response_id = ?", (extra,)).fetchone()[0] == 0


def test_the_months_that_are_over_keep_their_sums_through_changes(conn):
    tp = storage.insert_touchpoint(conn, "shop")
    for key in ("delivery", "price", "staff"):
        storage.add_driver(conn, tp.id, key, key.title(), f"How was the {key}?")
    today = datetime.now(UTC).date()
    ids = []
    for i, (score, ratings) in enumerate(constructed(n=200)):
        day = today - timedelta(days=20 + i % 60)
        ids.append(
            storage.insert_response(
                conn,
                tp.id,
                score,
                ref=f"M{i}",
                ratings=dict(enumerate(ratings, start=1)),
                created_at=f"{day}T12:00:00Z",
            )
        )
    with storage.transaction(conn):
        assert storage.roll_up_months(conn)
    storage.update_response(conn, ids[3], score=0, ratings={1: 5})
    storage.forget_ref(conn, "M7")
    remove = storage.list_drivers(conn, tp.id)[2]
    storage.remove_driver(conn, tp.id, remove.key)
    # Read by months and days: the same as from the answers themselves.
    raw = storage.driver_moments(conn, tp.id, storage.ResponseFilter(since="2000-01-01T00:00:00Z"))
    assert storage.driver_moments(conn, tp.id) == raw
    # The per-month sums (read for whole months) add up the per-day ones.
    sums = "n, sa, sb, saa, sbb, sab"
    kept = conn.execute(
        f"SELECT month, touchpoint_id, a, b, channel, {sums} FROM driver_moment_months"
        " WHERE n != 0 AND month IN (SELECT month FROM rollup_months) ORDER BY 1, 2, 3, 4, 5"
    )
    added = conn.execute(
        f"""SELECT * FROM (SELECT substr(day, 1, 7) || '-01' AS month, touchpoint_id, a, b, channel,
                  {", ".join(f"SUM({c}) AS {c}" for c in sums.split(", "))} FROM driver_moments GROUP BY 1, 2, 3, 4, 5)
            WHERE n != 0 AND month IN (SELECT month FROM rollup_months) ORDER BY 1, 2, 3, 4, 5"""
    )
    assert [tuple(row) for row in kept] == [tuple(row) for row in added] != []


def test_forgetting_a_ref_and_removing_a_driver_remove_its_ratings(conn):
    tp = fill(conn, constructed(n=50))
    rid = storage.insert_response(conn, tp.id, 2, ref="order-1", ratings={1: 1, 2: 5})
    assert storage.forget_ref(conn, "order-1") == 1
    assert conn.execute("SELECT COUNT(*) FROM response_ratings WHERE response_id = ?", (rid,)).fetchone()[0] == 0
    assert storage.remove_driver(conn, tp.id, "price")
    sums = storage.driver_moments(conn, tp.id)
    assert not any(2 in pair for pair in sums)
    storage.add_driver(conn, tp.id, "support", "Support", "How was support?")  # takes the free slot 2
    found = matrix.for_touchpoint(conn, tp.id, None, 30)
    assert [(d.key, d.n) for d in found.drivers] == [("delivery", 50), ("staff", 50), ("support", 0)]


def test_the_readmes_worked_example(conn):
    tp = fill(conn, [(3, (1, 4)), (7, (3, 5)), (10, (5, 4))], keys=("delivery", "price"))
    found = matrix.for_touchpoint(conn, tp.id, None, 30)
    delivery, price = found.drivers
    assert (round(delivery.performance), round(price.performance)) == (50, 83)
    assert (round(delivery.importance), round(price.importance)) == (99, 1)
    assert (delivery.quadrant, price.quadrant) == ("Concentrate here", "Possible overkill")
    assert found.r2 == pytest.approx(1)


def test_a_view_the_sums_cannot_serve_reads_the_newest_rated_answers(conn, monkeypatch):
    from collector.storage import drivers

    monkeypatch.setattr(drivers, "RATED_READ", 200)
    tp = storage.insert_touchpoint(conn, "shop")
    for key in ("delivery", "price", "staff"):
        storage.add_driver(conn, tp.id, key, key.title(), f"How was the {key}?")
    rows = constructed(n=500)
    for i, (score, ratings) in enumerate(rows):
        segment = "business" if i % 2 else "private"
        storage.insert_response(
            conn, tp.id, score, ratings=dict(enumerate(ratings, start=1)), properties={"segment": segment}
        )
    business = storage.ResponseFilter(properties={"segment": "business"})
    sampled = matrix.for_touchpoint(conn, tp.id, business, 30)
    # The newest 200 rated answers, and of those the 100 with segment=business: the odd ones.
    newest = [rows[i] for i in range(499, 299, -1) if i % 2]
    x = np.array([r for _, r in newest], dtype=float)
    y = np.array([s for s, _ in newest], dtype=float)
    assert sampled.n == 100 and sampled.newest == 200
    assert [d.importance for d in sampled.drivers] == pytest.approx(list(relative_weights_by_numpy(x, y)), abs=1e-6)
    assert matrix.as_dict(sampled)["newest_read"] == 200
    # A period with no more rated answers than that, or the per-day sums: every answer, and not marked.
    monkeypatch.setattr(drivers, "RATED_READ", 500)
    whole = matrix.for_touchpoint(conn, tp.id, business, 30)
    assert whole.n == 250 and whole.newest is None
    everything = matrix.for_touchpoint(conn, tp.id, None, 30)
    assert everything.n == 500 and everything.newest is None
