"""`anbefal themes`: a touchpoint's themes as tables or JSON."""

from __future__ import annotations

import json

import pytest

from collector import storage
from collector.cli import main


@pytest.fixture
def cli(runner):
    def run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture
def shop(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    for number in range(12):
        storage.insert_response(conn, tp.id, number % 5, comment=["Leveringen var sen", "Dårlig levering"][number % 2])
        storage.insert_response(conn, tp.id, 7 + number % 2, comment="Lavere priser, tak")
        storage.insert_response(conn, tp.id, 9 + number % 2, comment=["God service", "Fin kvalitet"][number % 2])
    storage.insert_response(conn, tp.id, 2, comment="levering", created_at="2020-01-01T00:00:00Z")
    return tp


def test_tables_for_both_categories(cli, shop):
    result = cli("themes", "checkout")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "What detractors talk about (checkout, last 90 days)"
    assert lines[1].split() == ["word", "or", "phrase", "detractors", "promoters", "z"]
    assert lines[2].split()[:5] == ["levering", "12", "(100%)", "0", "(0%)"]
    assert "What would make passives promoters (checkout, last 90 days)" in lines
    assert any(line.split()[:3] == ["lavere", "12", "(100%)"] for line in lines)


def test_json_for_one_category_and_period(cli, shop):
    result = cli("themes", "checkout", "--category", "detractor", "--period", "all", "--json")
    data = json.loads(result.output)
    assert data["touchpoint"] == "checkout" and data["period"] == "all" and data["since"] is None
    [detractors] = data["categories"]
    assert detractors["category"] == "detractor" and detractors["comments"] == 13
    first = detractors["themes"][0]
    assert first["word"] == "levering" and first["term"] == "levering" and first["comments"] == 13
    assert first["promoter_comments"] == 0 and first["z"] >= 1.96


def test_nothing_stands_out(cli, make_touchpoint):
    make_touchpoint("quiet")
    result = cli("themes", "quiet", "--category", "passive")
    assert result.output.splitlines()[1] == "No word stands out clearly: 0 comments from passives, 0 from promoters."


def test_unknown_touchpoint_and_category(runner):
    result = runner.invoke(main, ["themes", "nowhere"])
    assert result.exit_code == 1 and "no touchpoint called 'nowhere'" in result.output
    result = runner.invoke(main, ["themes", "nowhere", "--category", "promoter"])
    assert result.exit_code == 2 and "'promoter' is not one of 'detractor', 'passive'" in result.output
