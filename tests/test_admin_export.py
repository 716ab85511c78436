"""The admin's export: exactly what the filters select, as CSV (comma, or
semicolon with a BOM) or JSON Lines, with follow-up columns, formulas made
inert (in `anbefal export` too), login required, streamed."""

from __future__ import annotations

import csv
import io
import json

import pytest

from collector import storage
from collector.exports import EXPORT_COLUMNS, FOLLOWUP_COLUMNS, export_header


@pytest.fixture
def seeded(conn, make_touchpoint):
    checkout = make_touchpoint("checkout")
    invoice = make_touchpoint("=invoice")
    first = storage.insert_response(
        conn,
        checkout.id,
        2,
        comment='=HYPERLINK("http://evil.example","klik")',
        ref="+4512345678",
        properties={"department": "Sønderjylland", "agent": "@kim"},
        created_at="2026-03-01T10:00:00Z",
        locale="da-DK",
        page="https://shop.example/kvittering",
    )
    storage.set_followup(conn, first, "resolved", "-ringede, alt i orden", "owner@example.com")
    storage.insert_response(
        conn,
        checkout.id,
        9,
        comment="Rigtig god service, tak! æøå ÆØÅ",
        channel="link",
        created_at="2026-03-02T10:00:00Z",
    )
    storage.insert_response(conn, invoice.id, 7, comment="\tTab først", created_at="2026-03-03T10:00:00Z")
    storage.insert_response(conn, invoice.id, 10, created_at="2026-01-15T10:00:00Z")
    return checkout, invoice


MARCH = "period=custom&since=2026-03-01&until=2026-03-31"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+45 1234", "'+45 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("a=b", "a=b"),
        ("Søren", "Søren"),
        (" =1", " =1"),
    ],
)
def test_every_text_people_wrote_is_made_inert(conn, make_touchpoint, value, expected):
    tp = make_touchpoint(value)
    rid = storage.insert_response(
        conn, tp.id, 5, comment=value, ref=value, locale=value, page=value, properties={"k": value}
    )
    storage.set_followup(conn, rid, "contacted", value, value)
    (row,) = storage.iter_export_cells(conn, None, ["k"], followup=True)
    cells = dict(zip(export_header(["k"], followup=True), row, strict=True))
    for column in ("touchpoint", "comment", "ref", "locale", "page", "followup_note", "followup_by", "property:k"):
        assert cells[column] == expected, column
    assert (cells["score"], cells["category"], cells["followup_status"]) == (5, "detractor", "contacted")


def test_missing_values_are_empty_cells(conn, make_touchpoint):
    tp = make_touchpoint("a")
    storage.insert_response(conn, tp.id, 9, created_at="2026-03-01T10:00:00Z")
    (row,) = storage.iter_export_cells(conn, storage.ResponseFilter(), ["missing"], followup=True)
    # ..., page, verified, six follow-up cells, the missing property
    assert row[2:] == ("a", 9, "promoter", "", "", "widget", "", "", 0, "", "", "", "", "", "", "")


def test_csv_holds_what_the_filters_select_with_follow_up(admin_client, seeded):
    response = admin_client.get("/admin/export?" + MARCH)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="anbefal-responses-20')
    assert response.headers["Content-Disposition"].endswith('.csv"')
    text = response.data.decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    # The columns of `anbefal export`, then the follow-up, then the properties.
    assert header[:11] == EXPORT_COLUMNS and header[4:6] == ["category", "comment"]
    assert header[11:17] == FOLLOWUP_COLUMNS
    assert FOLLOWUP_COLUMNS[:4] == ["followup_status", "followup_note", "followup_by", "followup_at"]
    assert FOLLOWUP_COLUMNS[4:] == ["followup_assignee", "followup_due_at"]
    assert header[17:] == ["property:agent", "property:department"]
    assert len(rows) == 4  # January's answer is outside the range
    first = dict(zip(header, rows[1], strict=True))
    # Every user-controlled cell that a spreadsheet would run is inert.
    assert first["comment"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert first["ref"] == "'+4512345678"
    assert first["property:agent"] == "'@kim"
    assert first["followup_note"] == "'-ringede, alt i orden"
    assert (first["followup_status"], first["followup_by"]) == ("resolved", "owner@example.com")
    assert first["property:department"] == "Sønderjylland"
    assert first["category"] == "detractor"
    second = dict(zip(header, rows[2], strict=True))
    assert second["comment"] == "Rigtig god service, tak! æøå ÆØÅ"
    third = dict(zip(header, rows[3], strict=True))
    assert (third["touchpoint"], third["comment"]) == ("'=invoice", "'\tTab først")


def test_filters_apply_to_the_export(admin_client, seeded):
    checkout, invoice = seeded
    rows = list(csv.reader(io.StringIO(admin_client.get(f"/admin/export?{MARCH}&channel=link").text)))
    assert [row[3] for row in rows[1:]] == ["9"]
    rows = list(csv.reader(io.StringIO(admin_client.get(f"/admin/export?period=all&touchpoint={invoice.id}").text)))
    assert [row[3] for row in rows[1:]] == ["7", "10"]
    rows = list(
        csv.reader(io.StringIO(admin_client.get(f"/admin/export?{MARCH}&p.department=S%C3%B8nderjylland").text))
    )
    assert [row[3] for row in rows[1:]] == ["2"]


def test_semicolon_and_bom_for_danish_and_norwegian_spreadsheets(admin_client, seeded):
    response = admin_client.get(f"/admin/export?{MARCH}&format=csv-semicolon")
    assert response.status_code == 200
    # Not the plain CSV's name: the two downloads must not overwrite each other.
    assert response.headers["Content-Disposition"].endswith('-semicolon.csv"')
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["id", "created_at", "touchpoint"]
    assert "Rigtig god service, tak! æøå ÆØÅ" in rows[2]
    assert text.splitlines()[0].count(";") == len(rows[0]) - 1


def test_json_lines(admin_client, seeded):
    response = admin_client.get(f"/admin/export?{MARCH}&format=jsonl")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith('.jsonl"')
    lines = [json.loads(line) for line in response.data.decode("utf-8").splitlines()]
    assert len(lines) == 3
    assert lines[0]["properties"] == {"agent": "@kim", "department": "Sønderjylland"}
    assert lines[0]["followup_status"] == "resolved" and lines[0]["category"] == "detractor"
    assert lines[1]["comment"] == "Rigtig god service, tak! æøå ÆØÅ"
    assert "æøå".encode() in response.data  # UTF-8 as is, not \\u escapes


def test_login_is_required_with_a_json_401(client, seeded):
    response = client.get("/admin/export?" + MARCH)
    assert response.status_code == 401
    assert response.is_json
    assert response.get_json()["error"]["code"] == "login_required"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=xlsx", "Unknown format “xlsx”"),
        ("since=nope", "From: “nope” is not a date"),
        ("touchpoint=99", "no touchpoint"),
    ],
)
def test_bad_filters_are_refused_with_a_message(admin_client, seeded, query, message):
    response = admin_client.get("/admin/export?" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_filter"
    assert message in response.get_json()["error"]["message"]


def test_the_export_is_streamed_in_chunks(admin_client, conn, make_touchpoint):
    from admin import export

    tp = make_touchpoint("bulk")
    rows = [
        (tp.id, i % 11, None, f"r{i}", "widget", None, None, "{}", "2026-03-01T00:00:00Z", None, None, None, None)
        for i in range(2500)
    ]
    assert storage.insert_responses_bulk(conn, rows) == 2500
    response = admin_client.get("/admin/export?period=all", buffered=False)
    chunks = list(response.response)
    response.close()
    # One chunk per BATCH rows (the header rides with the first), and the rest.
    assert len(chunks) == 2500 // export.BATCH + 1
    assert sum(chunk.count(b"\n") for chunk in chunks) == 2501


def test_anbefal_export_makes_formulas_inert_too(runner, seeded):
    from collector.cli import main

    out = runner.invoke(main, ["export", "--since", "2026-03-01"], catch_exceptions=False).output
    rows = list(csv.reader(io.StringIO(out)))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["comment"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert first["ref"] == "'+4512345678"
    assert first["property:agent"] == "'@kim"
    assert first["property:department"] == "Sønderjylland"


def test_the_export_and_json_lines_name_the_assignee_and_the_deadline(admin_client, conn, make_touchpoint, admin_user):
    touchpoint = make_touchpoint("checkout")
    storage.set_touchpoint_followup(conn, touchpoint.id, owner_user_id=admin_user.id, hours=24)
    storage.insert_response(conn, touchpoint.id, 2, created_at="2026-03-02T09:30:00Z")
    storage.insert_response(conn, touchpoint.id, 9, created_at="2026-03-02T10:00:00Z")
    rows = list(csv.DictReader(io.StringIO(admin_client.get("/admin/export?" + MARCH).text)))
    assert [(r["followup_assignee"], r["followup_due_at"]) for r in rows] == [
        (admin_user.email, "2026-03-03T09:30:00Z"),
        ("", ""),
    ]
    lines = admin_client.get("/admin/export?format=jsonl&" + MARCH).text.splitlines()
    found = [json.loads(line) for line in lines]
    assert [(r["followup_assignee"], r["followup_due_at"]) for r in found] == [
        (admin_user.email, "2026-03-03T09:30:00Z"),
        (None, None),
    ]
