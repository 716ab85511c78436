"""Each comment's terms, stored with it: written, changed, forgotten and
rebuilt whoever writes the answer, and counted by category through the answers."""

from __future__ import annotations

import io

from collector import storage
from collector.storage import themes


def stored_terms(conn, response_id: int) -> dict[str, str]:
    rows = conn.execute(
        """
        SELECT t.term, f.form FROM comment_terms ct JOIN terms t ON t.id = ct.term_id
        JOIN term_forms f ON f.id = ct.form_id WHERE ct.response_id = ?
        """,
        (response_id,),
    ).fetchall()
    return dict((row[0], row[1]) for row in rows)


def counts_by_term(conn, flt=None) -> dict[str, tuple[int, int, int]]:
    counted = storage.term_counts(conn, flt)
    words = storage.term_words(conn, list(counted.counts))
    return {words[term_id][0]: counts for term_id, counts in counted.counts.items()}


def test_every_way_of_storing_an_answer_stores_its_terms(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    widget = storage.insert_response(conn, tp.id, 3, comment="Leveringen var sen")
    link = storage.upsert_link_response(conn, tp.id, "T-1", 8, comment="Hurtig levering", locale="da")
    visitor = storage.store_visitor_response(conn, tp.id, 10, visitor="v", since="2000-01-01", comment="God pris")
    bulk_rows = [(tp.id, 2, "Pakken kom for sent", "B-1", "widget", None, None, "{}", "2026-01-01T00:00:00Z")]
    storage.insert_responses_bulk(conn, [(*row, None, None, None, None) for row in bulk_rows])
    bulk = conn.execute("SELECT id FROM responses WHERE ref = 'B-1'").fetchone()[0]
    assert stored_terms(conn, widget) == {"levering": "leveringen", "sen": "sen"}
    assert set(stored_terms(conn, link)) == {"hurt", "levering", "hurt levering"}
    assert set(stored_terms(conn, visitor)) == {"god", "pris", "god pris"}
    assert set(stored_terms(conn, bulk)) == {"pak", "kom", "pak kom", "sent"}


def test_the_answers_language_wins_over_the_touchpoints(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="en")
    english = storage.insert_response(conn, tp.id, 3, comment="deliveries")
    danish = storage.insert_response(conn, tp.id, 3, comment="leveringen", locale="da-DK")
    assert stored_terms(conn, english) == {"deliveri": "deliveries"}
    assert stored_terms(conn, danish) == {"levering": "leveringen"}


def test_a_changed_comment_replaces_its_terms_and_unused_words_go(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    response = storage.insert_response(conn, tp.id, 3, comment="Leveringen var sen", ref="A")
    storage.update_response(conn, response, comment="Prisen høj")
    assert set(stored_terms(conn, response)) == {"pris", "høj", "pris høj"}
    vocabulary = {row[0] for row in conn.execute("SELECT term FROM terms")}
    assert vocabulary == {"pris", "høj", "pris høj"}
    # The same ref answered again with another comment.
    storage.insert_response(conn, tp.id, 9, comment="Fin", ref="A")
    assert stored_terms(conn, response) == {"fin": "fin"}


def test_a_changed_score_moves_the_comment_to_its_new_category(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    response = storage.insert_response(conn, tp.id, 2, comment="levering")
    assert counts_by_term(conn) == {"levering": (1, 0, 0)}
    storage.update_response(conn, response, score=8)
    assert counts_by_term(conn) == {"levering": (0, 1, 0)}
    storage.update_response(conn, response, score=10)
    assert counts_by_term(conn) == {"levering": (0, 0, 1)}


def test_forgetting_and_retention_delete_the_terms_and_their_words(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    storage.insert_response(conn, tp.id, 2, comment="Leveringen var sen", ref="C-1")
    storage.insert_response(conn, tp.id, 2, comment="levering", created_at="2020-01-01T00:00:00Z")
    kept = storage.insert_response(conn, tp.id, 2, comment="levering")
    assert counts_by_term(conn)["levering"] == (3, 0, 0)
    assert storage.forget_ref(conn, "C-1") == 1
    assert counts_by_term(conn) == {"levering": (2, 0, 0)}
    # The forgotten comment's own form is gone from the vocabulary.
    assert [row[0] for row in conn.execute("SELECT form FROM term_forms")] == ["levering"]
    assert storage.delete_responses_before(conn, "2021-01-01") == 1
    assert counts_by_term(conn) == {"levering": (1, 0, 0)}
    storage.forget_ref(conn, "nobody")
    assert list(stored_terms(conn, kept)) == ["levering"]


def test_counts_follow_the_filter_and_the_newest_comments(conn, make_touchpoint):
    checkout = make_touchpoint("checkout", language="da")
    support = make_touchpoint("support", language="da")
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        storage.insert_response(conn, checkout.id, 2, comment="levering", created_at=f"{day}T10:00:00Z")
    storage.insert_response(conn, support.id, 2, comment="levering", created_at="2026-03-02T10:00:00Z")
    everything = storage.term_counts(conn)
    assert everything.comments == (4, 0, 0) and not everything.limited
    one = storage.ResponseFilter(touchpoint_id=checkout.id, since="2026-03-02", until="2026-03-03")
    assert counts_by_term(conn, one) == {"levering": (2, 0, 0)}
    newest = storage.term_counts(conn, storage.ResponseFilter(), limit=2)
    assert newest.comments == (2, 0, 0) and newest.limited


def test_a_selective_filter_reads_its_comments_among_the_periods_newest(conn, make_touchpoint, monkeypatch):
    monkeypatch.setattr(themes, "WINDOW", 10)
    shop = make_touchpoint("shop", language="da")
    for i in range(30):
        agent = "agent-1" if i % 5 == 0 else "agent-2"
        storage.insert_response(
            conn,
            shop.id,
            2,
            comment="levering",
            properties={"agent": agent},
            created_at=f"2026-03-{i // 2 + 1:02d}T10:{i % 2}0:00Z",
        )
    one_agent = storage.ResponseFilter(properties={"agent": "agent-1"})
    # The newest 10 of the 30 comments hold 2 of agent-1's 6, and older ones are left unread.
    found = storage.term_counts(conn, one_agent)
    assert found.comments == (2, 0, 0) and found.read == 2 and found.limited
    # A touchpoint's window holds its own comments: a busy touchpoint beside it takes none of it.
    quiet = make_touchpoint("quiet", language="da")
    for i in range(3):
        storage.insert_response(
            conn,
            quiet.id,
            2,
            comment="pakken",
            properties={"agent": "agent-1"},
            created_at=f"2026-02-0{i + 1}T10:00:00Z",
        )
    alone = storage.term_counts(conn, storage.ResponseFilter(touchpoint_id=quiet.id, properties={"agent": "agent-1"}))
    assert alone.comments == (3, 0, 0) and not alone.limited
    # Without a property filter there is no window: a touchpoint's newest comments, however many others have.
    assert storage.term_counts(conn, storage.ResponseFilter(touchpoint_id=quiet.id)).comments == (3, 0, 0)
    # A period with no more comments than the window reads them all.
    march_tenth_on = storage.ResponseFilter(since="2026-03-11", properties={"agent": "agent-1"})
    all_of_them = storage.term_counts(conn, march_tenth_on)
    assert all_of_them.comments == (2, 0, 0) and not all_of_them.limited


def test_rebuild_stores_the_terms_of_comments_stored_before(conn, make_touchpoint):
    tp = make_touchpoint("checkout", language="da")
    ids = [storage.insert_response(conn, tp.id, score, comment=f"levering nummer {score}") for score in range(11)]
    storage.insert_response(conn, tp.id, 5)
    before = {response: stored_terms(conn, response) for response in ids}
    conn.execute("DELETE FROM comment_terms")
    assert conn.execute("SELECT COUNT(*) FROM terms").fetchone()[0] == 0
    seen = []
    assert themes.rebuild(conn, lambda done, total: seen.append((done, total)), batch=4) == 11
    assert {response: stored_terms(conn, response) for response in ids} == before
    assert seen[-1] == (11, 11) and len(seen) == 3


def test_the_progress_line_says_how_far(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    for done in range(0, 101, 5):
        themes.print_progress(done, 100)
    lines = err.getvalue().splitlines()
    assert lines[-1] == "Storing the words of existing comments for themes: 100 of 100"
    assert 5 <= len(lines) <= 11
