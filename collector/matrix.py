"""The action matrix (importance/performance analysis): for each driver of a
touchpoint, how well it is done and how much it drives the 0-10 score, and
the quadrant that says what to do about it.

- performance: the mean rating on 0-100 (1 is 0, 5 is 100);
- importance: the driver's share of the score's explained variance by
  Johnson's relative weights (Johnson, 2000), which share R² out fairly
  when the drivers correlate with each other (a plain regression's weights
  do not: two drivers that move together split or swap their weight at
  random). The drivers' correlation matrix R = VΛVᵀ gives the orthogonal
  variables closest to them, Z; Λ* = VΛ^½Vᵀ holds the drivers' loadings on
  Z, β = Λ*⁻¹ r_xy the score's weights on Z, and driver j's raw weight is
  ε_j = Σ_k Λ*_jk² β_k², with Σ ε_j = R²;
- the quadrant, split at the means of the touchpoint's drivers, named as
  Martilla and James (1977) did.

Pure Python: a 5×5 symmetric matrix is diagonalised by Jacobi rotations in
microseconds, so nothing numerical is needed at run time.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import storage
from .drivers import performance

CONCENTRATE = "Concentrate here"
KEEP_UP = "Keep up the good work"
LOW_PRIORITY = "Low priority"
OVERKILL = "Possible overkill"
# (important, done well) -> quadrant
QUADRANTS = {(True, False): CONCENTRATE, (True, True): KEEP_UP, (False, False): LOW_PRIORITY, (False, True): OVERKILL}
QUADRANT_ADVICE = {
    CONCENTRATE: "important and done poorly: act here first",
    KEEP_UP: "important and done well",
    LOW_PRIORITY: "matters little and done poorly",
    OVERKILL: "done well but matters little",
}

Sums = tuple[int, int, int, int, int, int]  # n, Σa, Σb, Σa², Σb², Σab


def correlation(sums: Sums | None) -> float | None:
    """Pearson's r from a pair's sums; None when either side does not vary."""
    if sums is None:
        return None
    n, sa, sb, saa, sbb, sab = sums
    va, vb = n * saa - sa * sa, n * sbb - sb * sb
    if n < 2 or va <= 0 or vb <= 0:
        return None
    return max(-1.0, min(1.0, (n * sab - sa * sb) / math.sqrt(va * vb)))


def jacobi(matrix: Sequence[Sequence[float]], sweeps: int = 50) -> tuple[list[float], list[list[float]]]:
    """Eigenvalues and eigenvectors (as the columns of V) of a small symmetric matrix."""
    size = len(matrix)
    a = [list(map(float, row)) for row in matrix]
    v = [[float(i == j) for j in range(size)] for i in range(size)]
    for _ in range(sweeps):
        off = sum(a[i][j] ** 2 for i in range(size) for j in range(size) if i != j)
        if off < 1e-24:
            break
        for p in range(size):
            for q in range(p + 1, size):
                if abs(a[p][q]) < 1e-300:
                    continue
                theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                t = math.copysign(1.0, theta) / (abs(theta) + math.sqrt(theta * theta + 1))
                c = 1 / math.sqrt(t * t + 1)
                s = t * c
                for k in range(size):  # A ← A·J
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(size):  # A ← Jᵀ·A
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(size):  # V ← V·J
                    vkp, vkq = v[k][p], v[k][q]
                    v[k][p], v[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
    return [a[i][i] for i in range(size)], v


def relative_weights(rxx: Sequence[Sequence[float]], rxy: Sequence[float]) -> tuple[list[float], float]:
    """Johnson's raw relative weights of the drivers (summing to R²), and R²."""
    size = len(rxy)
    values, vectors = jacobi(rxx)
    # A correlation matrix made pair by pair may be a hair short of positive
    # semi-definite, and drivers that move as one make it singular: a
    # direction without variance carries no weight (a pseudo-inverse).
    roots = [math.sqrt(value) if value > 1e-10 else 0.0 for value in values]

    def product(diagonal: list[float]) -> list[list[float]]:  # V·diag·Vᵀ
        return [
            [sum(vectors[i][k] * diagonal[k] * vectors[j][k] for k in range(size)) for j in range(size)]
            for i in range(size)
        ]

    loadings = product(roots)
    inverse = product([1 / root if root else 0.0 for root in roots])
    beta = [sum(inverse[i][j] * rxy[j] for j in range(size)) for i in range(size)]
    raw = [sum(loadings[j][k] ** 2 * beta[k] ** 2 for k in range(size)) for j in range(size)]
    return raw, sum(raw)


@dataclass
class DriverFigures:
    key: str
    label: str
    n: int  # answers that rated it (and gave a score)
    performance: float | None  # 0-100
    importance: float | None  # share of the explained variance, 0-100
    quadrant: str | None = None
    few: bool = False  # n under the minimum a figure needs to be steady


@dataclass
class Matrix:
    drivers: list[DriverFigures]
    n: int  # answers with at least one rating
    r2: float | None  # the share of the score's variance the drivers explain together
    min_answers: int
    mean_importance: float | None = None
    mean_performance: float | None = None
    act_first: DriverFigures | None = field(default=None)
    # A view the per-day sums cannot serve reads only the newest this many
    # rated answers of the period (storage.drivers.RATED_READ), and of those
    # the ones it selects; None: every rated answer.
    newest: int | None = None

    @property
    def placed(self) -> list[DriverFigures]:
        """The drivers that have a quadrant (both figures known)."""
        return [d for d in self.drivers if d.quadrant]

    def sentence(self) -> str | None:
        """ "Act first on: Delivery time (importance 46%, performance 31)", or None."""
        d = self.act_first
        if d is None or d.importance is None or d.performance is None:
            return None
        return f"Act first on: {d.label} (importance {d.importance:.0f}%, performance {d.performance:.0f})"


def build(drivers: Sequence[tuple[int, str, str]], sums: dict[tuple[int, int], Sums], min_answers: int) -> Matrix:
    """The matrix of *drivers* ((slot, key, label) each) from the pairs' *sums*
    (see storage.driver_moments; variable 0 is the score)."""
    figures: list[DriverFigures] = []
    usable: list[int] = []  # slots whose importance can be worked out
    for slot, key, label in drivers:
        own = sums.get((slot, slot))
        with_score = sums.get((0, slot))
        n = with_score[0] if with_score else 0
        mean = own[1] / own[0] if own and own[0] else None
        figures.append(DriverFigures(key, label, n, None if mean is None else performance(mean), None))
        if correlation(with_score) is not None:
            usable.append(slot)
    r2 = None
    if usable:
        rxx = [
            [1.0 if a == b else correlation(sums.get((min(a, b), max(a, b)))) or 0.0 for b in usable] for a in usable
        ]
        rxy = [correlation(sums.get((0, slot))) or 0.0 for slot in usable]
        raw, r2 = relative_weights(rxx, rxy)
        shares = dict(zip(usable, (100 * w / r2 if r2 > 0 else 0.0 for w in raw), strict=True))
        for (slot, _key, _label), figure in zip(drivers, figures, strict=True):
            figure.importance = shares.get(slot)
    for figure in figures:
        figure.few = figure.n < min_answers
    both = [f for f in figures if f.importance is not None and f.performance is not None]
    matrix = Matrix(figures, sums.get((0, 0), (0,))[0], r2, min_answers)
    if both:
        matrix.mean_importance = sum(f.importance or 0 for f in both) / len(both)
        matrix.mean_performance = sum(f.performance or 0 for f in both) / len(both)
        for f in both:
            important = (f.importance or 0) >= matrix.mean_importance
            done_well = (f.performance or 0) >= matrix.mean_performance
            f.quadrant = QUADRANTS[(important, done_well)]
        candidates = [f for f in both if f.quadrant == CONCENTRATE]
        if candidates:
            matrix.act_first = max(candidates, key=lambda f: ((f.importance or 0), -(f.performance or 0)))
    return matrix


def for_touchpoint(
    conn: sqlite3.Connection, touchpoint_id: int, flt: storage.ResponseFilter | None, min_answers: int
) -> Matrix | None:
    """The matrix of a touchpoint's drivers over the answers *flt* selects; None when it has no drivers."""
    found = storage.list_drivers(conn, touchpoint_id)
    if not found:
        return None
    sums = storage.driver_moments(conn, touchpoint_id, flt)
    return _noting_limit(conn, build([(d.slot, d.key, d.label) for d in found], sums, min_answers), flt, touchpoint_id)


def for_touchpoints(
    conn: sqlite3.Connection, touchpoint_ids: list[int], flt: storage.ResponseFilter, min_answers: int
) -> dict[int, Matrix]:
    """The matrices of the touchpoints among *touchpoint_ids* that have drivers, from one query of sums."""
    by_touchpoint = storage.drivers_by_touchpoint(conn)
    wanted = [tp for tp in touchpoint_ids if by_touchpoint.get(tp)]
    if not wanted:
        return {}
    sums = storage.driver_moments_by_touchpoint(conn, flt)
    return {
        tp: _noting_limit(
            conn, build([(d.slot, d.key, d.label) for d in by_touchpoint[tp]], sums.get(tp, {}), min_answers), flt, tp
        )
        for tp in wanted
    }


def _noting_limit(
    conn: sqlite3.Connection, matrix: Matrix, flt: storage.ResponseFilter | None, touchpoint_id: int
) -> Matrix:
    if storage.moments_sampled(conn, flt or storage.ResponseFilter(), touchpoint_id):
        matrix.newest = storage.drivers.RATED_READ
    return matrix


def as_dict(matrix: Matrix) -> dict:
    """The matrix as JSON-ready data (for `anbefal drivers --json`)."""
    return {
        "n": matrix.n,
        "r2": None if matrix.r2 is None else round(matrix.r2, 4),
        "min_answers": matrix.min_answers,
        "newest_read": matrix.newest,
        "mean_importance": _round(matrix.mean_importance),
        "mean_performance": _round(matrix.mean_performance),
        "act_first": matrix.act_first.key if matrix.act_first else None,
        "sentence": matrix.sentence(),
        "drivers": [
            {
                "key": d.key,
                "label": d.label,
                "n": d.n,
                "importance": _round(d.importance),
                "performance": _round(d.performance),
                "quadrant": d.quadrant,
                "few_answers": d.few,
            }
            for d in matrix.drivers
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
