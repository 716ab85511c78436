"""The admin's filters: read from the URL's query string, so that every view can
be bookmarked and shared, and written back into query strings for links.

Parsing is strict: a value that makes no sense becomes a readable message and
that one filter falls back to its default; it never becomes a server error.
Dates are days in UTC, like the stored timestamps.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from collector import params, storage
from collector.selection import (
    CHANNELS,
    DEFAULT_PERIOD,
    PERIODS,
    previous_range,
    range_days,
    read_range,
    shown,
)
from collector.validation import (
    MAX_PROPERTIES,
    MAX_PROPERTY_KEY,
    MAX_PROPERTY_VALUE,
    has_control,
    is_property_key,
)

# How the trend is grouped; "auto" is by week up to 100 days, else by month.
INTERVALS: dict[str, str] = {"auto": "Automatic", "week": "By week", "month": "By month"}

# A property filter is the query parameter "p.<key>=<value>", so a URL reads
# like the filter it holds: ?p.department=north&p.segment=business.
PROPERTY_PREFIX = "p."


@dataclass(frozen=True)
class Filters:
    """What the admin's figures, charts, comments and export are limited to."""

    period: str = DEFAULT_PERIOD
    since: date | None = None  # first day, inclusive; None: from the start
    until: date | None = None  # last day, inclusive; None: up to now
    touchpoint_id: int | None = None
    channel: str | None = None
    properties: tuple[tuple[str, str], ...] = ()  # sorted by key
    verified: bool = False  # only answers with a valid signature from the shop
    breakdown: str | None = None  # a property key
    interval: str = "auto"
    today: date = field(default_factory=lambda: datetime.now(UTC).date(), compare=False)

    @property
    def days(self) -> int | None:
        """Number of days in the range, or None when it has no start."""
        return range_days(self.since, self.until, self.today)

    @property
    def property_dict(self) -> dict[str, str]:
        return dict(self.properties)

    @property
    def trend_interval(self) -> str:
        """ "week" or "month": the one chosen, or by week for ranges up to 100 days."""
        if self.interval != "auto":
            return self.interval
        days = self.days
        return "week" if days is not None and days <= 100 else "month"

    def response_filter(self, touchpoint_id: int | None = None) -> storage.ResponseFilter:
        """Return the storage filter that selects the same responses."""
        return storage.ResponseFilter(
            touchpoint_id=touchpoint_id if touchpoint_id is not None else self.touchpoint_id,
            since=self.since.isoformat() if self.since else None,
            until=self.until.isoformat() if self.until else None,
            channel=self.channel,
            properties=self.property_dict or None,
            verified=self.verified,
        )

    def previous(self) -> Filters | None:
        """The period of the same length just before this one, or None (all time)."""
        found = previous_range(self.since, self.until, self.today)
        if found is None:
            return None
        return replace(self, period="custom", since=found[0], until=found[1])

    def describe_range(self) -> str:
        """The date range in words, e.g. "Last 30 days (2026-10-27 to 2026-11-25)"."""
        label = PERIODS[self.period] if self.period != "custom" else "Custom"
        if self.since is None and self.until is None:
            return label
        start = self.since.isoformat() if self.since else "the start"
        end = (self.until or self.today).isoformat()
        return f"{label} ({start} to {end})"

    def params(self) -> list[tuple[str, str]]:
        """The canonical query parameters, in a fixed order; defaults left out
        except the period, so a bookmark keeps meaning the same range."""
        items: list[tuple[str, str]] = [("period", self.period)]
        if self.period == "custom":
            if self.since:
                items.append(("since", self.since.isoformat()))
            if self.until:
                items.append(("until", self.until.isoformat()))
        if self.touchpoint_id is not None:
            items.append(("touchpoint", str(self.touchpoint_id)))
        if self.channel:
            items.append(("channel", self.channel))
        if self.verified:
            items.append(("verified", "yes"))
        items += [(PROPERTY_PREFIX + key, value) for key, value in self.properties]
        if self.breakdown:
            items.append(("by", self.breakdown))
        if self.interval != "auto":
            items.append(("interval", self.interval))
        return items

    def query(self, extra: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), **changes: Any) -> str:
        """Return the query string (without "?") of these filters, with
        *changes* applied to the filters and *extra* parameters appended
        (a value of None leaves a parameter out)."""
        flt = replace(self, **changes) if changes else self
        pairs = list(extra.items() if isinstance(extra, Mapping) else extra)
        items = flt.params() + [(key, str(value)) for key, value in pairs if value is not None]
        return urlencode(items)


def parse(
    args: Mapping[str, Any],
    *,
    today: date | None = None,
    touchpoint_ids: Collection[int] | None = None,
) -> tuple[Filters, list[str]]:
    """Read filters from query parameters (a Werkzeug MultiDict or a dict).

    Returns the filters and a list of messages, one per value that was refused;
    a refused value leaves its filter at the default. *touchpoint_ids*, when
    given, are the touchpoints that exist. Other parameters (a page's own,
    such as a search) are left for the page to read.
    """
    today = today or datetime.now(UTC).date()
    errors: list[str] = []

    def values(name: str) -> list[str]:
        if hasattr(args, "getlist"):
            found = args.getlist(name)
        else:
            raw = args.get(name)
            found = [] if raw is None else raw if isinstance(raw, list | tuple) else [raw]
        return [str(value).strip() for value in found]

    def single(name: str) -> str:
        found = [value for value in values(name) if value]
        if len(found) > 1 and len(set(found)) > 1:
            errors.append(f"“{name}” is given more than once; only the first ({found[0]}) is used.")
        return found[0] if found else ""

    # The date range.
    period, since, until = read_range(single("period"), single("since"), single("until"), today, errors)

    # Touchpoint and channel.
    touchpoint_id = None
    raw = single("touchpoint")
    if raw:
        found = params.whole_number(raw, minimum=1)
        if found is None:
            errors.append(f"“{shown(raw)}” is not a touchpoint id; all touchpoints are shown.")
        elif touchpoint_ids is not None and found not in touchpoint_ids:
            errors.append(f"There is no touchpoint with id {found}; all touchpoints are shown.")
        else:
            touchpoint_id = found
    channel = single("channel") or None
    if channel is not None and channel not in CHANNELS:
        errors.append(f"Unknown channel “{shown(channel)}”: choose {' or '.join(CHANNELS)}.")
        channel = None

    verified = single("verified")
    if verified not in ("", "yes"):
        errors.append(f"“{shown(verified)}” is no choice for verified: leave it out, or say yes.")

    # Property filters: p.<key>=<value>, plus the form's add_key/add_value pair.
    pairs: list[tuple[str, str]] = []
    keys = args.keys() if hasattr(args, "keys") else []
    for name in keys:
        if name.startswith(PROPERTY_PREFIX):
            pairs += [(name[len(PROPERTY_PREFIX) :], value) for value in values(name) if value]
    add_key, add_value = single("add_key"), single("add_value")
    if add_key and add_value:
        pairs.append((add_key, add_value))
    elif add_value and not add_key:
        errors.append(f"Choose the property that “{shown(add_value)}” is a value of.")
    properties: dict[str, str] = {}
    for key, value in pairs:
        problem = _property_problem(key, value)
        if problem:
            errors.append(problem)
        elif key in properties and properties[key] != value:
            errors.append(
                f"Property “{key}” is given twice ({shown(properties[key])} and {shown(value)}); "
                "only the first is used."
            )
        elif len(properties) >= MAX_PROPERTIES and key not in properties:
            errors.append(f"At most {MAX_PROPERTIES} property filters; “{key}” was left out.")
        else:
            properties[key] = value

    breakdown = single("by") or None
    if breakdown is not None and not is_property_key(breakdown):
        errors.append(f"“{shown(breakdown)}” is not a property name; no breakdown is shown.")
        breakdown = None

    interval = single("interval") or "auto"
    if interval not in INTERVALS:
        errors.append(f"Unknown trend interval “{shown(interval)}”: choose week or month.")
        interval = "auto"

    flt = Filters(
        period=period,
        since=since,
        until=until,
        touchpoint_id=touchpoint_id,
        channel=channel,
        verified=verified == "yes",
        properties=tuple(sorted(properties.items())),
        breakdown=breakdown,
        interval=interval,
        today=today,
    )
    return flt, errors


def is_canonical(args: Mapping[str, Any], flt: Filters, extra_names: Collection[str] = ()) -> bool:
    """True when the query holds exactly the filters' canonical parameters
    (plus the page's own *extra_names*): no empty fields, no form helpers."""
    items = list(args.items(multi=True)) if hasattr(args, "getlist") else list(args.items())  # type: ignore[call-arg]
    return [(key, value) for key, value in items if key not in extra_names] == flt.params()


def _property_problem(key: str, value: str) -> str | None:
    if not is_property_key(key):
        return (
            f"“{shown(key)}” is not a property name (letters, digits, _ . - and at most "
            f"{MAX_PROPERTY_KEY} characters); that filter was left out."
        )
    if len(value) > MAX_PROPERTY_VALUE or has_control(value):
        return f"The value for property “{key}” is too long or holds control characters; that filter was left out."
    return None
