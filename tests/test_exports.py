"""The one CSV writer of `anbefal export` and the admin's download: a comment
with a line break and a formula after it stays one cell, intact and inert,
read by Python's csv module and by a real spreadsheet (LibreOffice)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from collector.cli import main
from collector.exports import BOM, csv_chunks, export_header

ORIGIN = "https://shop.example"
# Each holds a formula after a CR, an LF or both, or is one; plus a quote and
# both separators, which must be quoted too.
COMMENTS = [
    "Fine\r=1+1",
    'ok\n=HYPERLINK("http://x")',
    "a\r\n@SUM(1)",
    "=cmd|' /C calc'!A0",
    'Semi; comma, "quoted"\r+2',
    "b\r\r-3\n\n=4",
]
FORMULA_STARTS = "=+-@\t\r\n"

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def inert(text: str) -> str:
    """The comment as the export must give it: an apostrophe before what starts like a formula."""
    return "'" + text if text[0] in FORMULA_STARTS else text


@pytest.fixture
def posted(client, make_touchpoint, tokens) -> list[str]:
    """Post COMMENTS through the public API, as a visitor's browser would."""
    tp = make_touchpoint("checkout", origins=[ORIGIN])
    token = tokens.make_embed_token(tp.id)
    for number, comment in enumerate(COMMENTS):
        r = client.post(
            "/api/v1/responses",
            json={"token": token, "score": 3, "comment": comment, "ref": f"R-{number}"},
            headers={"Origin": ORIGIN},
        )
        assert r.status_code == 201, r.text
    return COMMENTS


def cli_export(runner) -> bytes:
    result = runner.invoke(main, ["export"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def admin_export(admin_client, fmt: str) -> bytes:
    r = admin_client.get(f"/admin/export?period=all&format={fmt}")
    assert r.status_code == 200, r.text
    return r.data


def read_comments(data: bytes, delimiter: str = ",") -> list[list[str]]:
    text = data.decode("utf-8").removeprefix(BOM)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    column = rows[0].index("comment")
    return [row[column] for row in rows[1:]]


def test_lines_end_in_crlf_and_every_line_break_is_quoted():
    text = "".join(csv_chunks(["a", "b"], [("x\ry", "z\nw"), ("p;q", 'say "hi"')], delimiter=";", bom=True))
    assert text == '\ufeffa;b\r\n"x\ry";"z\nw"\r\n"p;q";"say ""hi"""\r\n'


def test_the_cli_and_the_admin_write_the_same_csv(runner, admin_client, posted):
    from_cli = cli_export(runner)
    from_admin = admin_export(admin_client, "csv")
    assert from_cli.count(b"\r\n") >= len(posted) + 1
    assert read_comments(from_cli) == read_comments(from_admin) == [inert(c) for c in posted]


@pytest.mark.parametrize(("source", "fmt"), [("cli", "csv"), ("admin", "csv"), ("admin", "csv-semicolon")])
def test_a_formula_after_a_line_break_stays_in_its_cell(runner, admin_client, posted, source, fmt):
    data = cli_export(runner) if source == "cli" else admin_export(admin_client, fmt)
    comments = read_comments(data, ";" if fmt == "csv-semicolon" else ",")
    assert comments == [inert(c) for c in posted]
    assert all(comment[0] not in "=+-@" for comment in comments)


# --------------------------------------------------------------------------
# A real spreadsheet
# --------------------------------------------------------------------------


def soffice() -> str:
    found = os.environ.get("ANBEFAL_SOFFICE") or shutil.which("soffice")
    assert found, "LibreOffice is missing: run scripts/ensure-libreoffice (make test does)"
    return found


def open_in_libreoffice(tmp_path: Path, csv_file: Path, separator: str) -> list[list[str]]:
    """Open *csv_file* as LibreOffice Calc would, formulas evaluated; return the cells as text.

    Fails the test if any cell holds a formula.
    """
    # CSV import options: separator, text delimiter ("), UTF-8 (76), from line
    # 1, no column formats, default language, quoted fields not forced to
    # text, no special numbers, three export-only options, then "evaluate
    # formulas" on: what a person double-clicking the file gets at worst.
    options = f"{ord(separator)},34,76,1,,0,false,false,false,false,false,-1,true"
    out = tmp_path / "converted"
    result = subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'libreoffice-profile').as_uri()}",
            f"--infilter=CSV:{options}",
            "--convert-to",
            "fods",
            "--outdir",
            str(out),
            str(csv_file),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = out / (csv_file.stem + ".fods")
    assert converted.exists(), result.stdout + result.stderr
    root = ET.parse(converted).getroot()
    formulas = [cell for cell in root.iter(f"{{{NS['table']}}}table-cell") if cell.get(f"{{{NS['table']}}}formula")]
    assert formulas == [], [cell.get(f"{{{NS['table']}}}formula") for cell in formulas]
    (table,) = root.iterfind(".//table:table", NS)
    rows = []
    for row in table.iterfind(".//table:table-row", NS):
        cells = []
        for cell in row.iterfind("table:table-cell", NS):
            repeat = int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            cells += [cell_text(cell)] * repeat
        repeat = int(row.get(f"{{{NS['table']}}}number-rows-repeated", "1"))
        rows += [cells] * repeat
    return rows


def cell_text(cell: ET.Element) -> str:
    """The text of one cell: its paragraphs joined by line breaks, spaces and tabs written out."""
    paragraphs = []
    for paragraph in cell.iterfind("text:p", NS):
        parts = [paragraph.text or ""]
        for child in paragraph:
            if child.tag == f"{{{NS['text']}}}s":
                parts.append(" " * int(child.get(f"{{{NS['text']}}}c", "1")))
            elif child.tag == f"{{{NS['text']}}}tab":
                parts.append("\t")
            elif child.tag == f"{{{NS['text']}}}line-break":
                parts.append("\n")
            else:
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def one_line_break(text: str) -> str:
    """A spreadsheet keeps a line break as a line break, whichever of CR, LF or CR LF it was."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.slow
@pytest.mark.parametrize(("source", "fmt"), [("cli", "csv"), ("admin", "csv"), ("admin", "csv-semicolon")])
def test_libreoffice_reads_one_inert_row_per_response(tmp_path, runner, admin_client, posted, source, fmt):
    data = cli_export(runner) if source == "cli" else admin_export(admin_client, fmt)
    csv_file = tmp_path / f"export-{source}-{fmt}.csv"
    csv_file.write_bytes(data)
    rows = open_in_libreoffice(tmp_path, csv_file, ";" if fmt == "csv-semicolon" else ",")
    header = export_header([], followup=source == "admin")
    assert rows[0][: len(header)] == header
    assert len(rows) == len(posted) + 1
    comments = [row[header.index("comment")] for row in rows[1:]]
    assert comments == [one_line_break(inert(c)) for c in posted]


@pytest.mark.slow
def test_libreoffice_would_run_the_formula_of_a_bare_cr_unquoted(tmp_path):
    """The check above can fail: a CSV with LF line ends and a bare CR left unquoted
    (what `anbefal export` wrote before) opens with a live formula."""
    csv_file = tmp_path / "old.csv"
    csv_file.write_bytes(b"id,comment\n1,Fine\r=1+1\n")
    with pytest.raises(AssertionError, match="1\\+1"):
        open_in_libreoffice(tmp_path, csv_file, ",")
