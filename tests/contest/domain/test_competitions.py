"""A competition's lifecycle (the order its states are offered in, which moves
cannot be undone and must be confirmed), the status the public is shown, and
the web address proposed from its name (issue 19, points 1 and 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contest.domain import competitions
from contest.domain.errors import DomainError
from contest.models import CompetitionState
from tests.factories import make_competition, make_unit

S = CompetitionState


def test_the_states_are_offered_in_lifecycle_order_with_the_current_one():
    assert competitions.state_choices(S.draft) == [S.draft, S.open, S.archived]
    assert competitions.state_choices(S.closed) == [S.open, S.closed, S.judging]
    assert competitions.state_choices(S.archived) == [S.archived]
    for state in S:  # a fixed order, the same on every server start
        assert list(competitions.TRANSITIONS[state]) == sorted(competitions.TRANSITIONS[state], key=list(S).index)


@pytest.mark.parametrize(
    ("old", "new", "irreversible"),
    [
        (S.open, S.closed, False),
        (S.closed, S.open, False),
        (S.draft, S.open, True),
        (S.draft, S.archived, True),
        (S.closed, S.judging, True),
        (S.judging, S.results_published, True),
        (S.results_published, S.archived, True),
    ],
)
def test_a_move_is_irreversible_when_no_move_leads_back(old, new, irreversible):
    assert competitions.is_irreversible(old, new) is irreversible
    assert (competitions.irreversible_effect(old, new) is not None) is irreversible


def test_archiving_needs_a_confirmation_that_says_what_cannot_be_undone(app, db):
    with app.test_request_context():
        competition = make_competition("luu-tru", open_=False)
        with pytest.raises(DomainError) as refused:
            competitions.change_state(competition, S.archived)
        assert refused.value.field == "confirm"
        assert "không bao giờ mở lại" in refused.value.message  # what cannot be undone, in Vietnamese
        assert competition.state is S.draft
        competitions.change_state(competition, S.archived, confirmed=True)
        assert competition.state is S.archived


def test_closing_and_reopening_need_no_confirmation(app, db):
    with app.test_request_context():
        competition = make_competition("dong-mo")
        competitions.change_state(competition, S.closed)
        competitions.change_state(competition, S.open)
        assert competition.state is S.open


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Cuộc thi Khởi nghiệp Đổi mới sáng tạo 2026", "cuoc-thi-khoi-nghiep-doi-moi-sang-tao-2026"),
        ("Đường đến thành công — Quảng Ngãi!", "duong-den-thanh-cong-quang-ngai"),
        ("  Ý tưởng   trẻ  ", "y-tuong-tre"),
        ("Ươm mầm ĐỔI MỚI", "uom-mam-doi-moi"),
        ("!!!", ""),
    ],
)
def test_a_slug_is_the_name_without_marks(name, slug):
    assert competitions.slugify(name) == slug
    assert slug == "" or competitions.SLUG_RE.match(slug)


def test_a_long_name_gives_a_slug_that_fits():
    slug = competitions.slugify("Khởi nghiệp " * 20)
    assert len(slug) <= competitions.SLUG_MAX and competitions.SLUG_RE.match(slug)


def test_a_competition_created_without_a_slug_gets_one_from_its_name(app, db):
    unit = make_unit("SKHCN", "Sở Khoa học và Công nghệ")
    with app.test_request_context():
        first = competitions.create_competition(
            name="Khởi nghiệp Đổi mới 2026", year=2026, slug="", org_unit=unit, preset_name="provincial"
        )
        second = competitions.create_competition(
            name="Khởi nghiệp Đổi mới 2026", year=2026, slug="  ", org_unit=unit, preset_name="provincial"
        )
    assert (first.slug, second.slug) == ("khoi-nghiep-doi-moi-2026", "khoi-nghiep-doi-moi-2026-2")


def test_the_public_status_follows_the_facts(app, db):
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with app.test_request_context():
        competition = make_competition("trang-thai")
        competition.submission_deadline = now - timedelta(days=1)

        def shown(state, results_public=False, judging_started=False):
            competition.state = state
            return competitions.public_state(
                competition, results_public=results_public, judging_started=judging_started, now=now
            )

        assert shown(S.open) is S.closed  # the deadline has passed: no longer taking entries
        assert shown(S.open, judging_started=True) is S.judging  # and a round is being scored
        assert shown(S.closed, judging_started=True) is S.judging
        competition.submission_deadline = now + timedelta(days=1)
        assert shown(S.open) is S.open
        assert shown(S.open, judging_started=True) is S.open  # still taking entries
        assert shown(S.closed, results_public=True) is S.results_published
        assert shown(S.judging, results_public=True) is S.results_published
        assert shown(S.results_published) is S.judging  # announced for later, or withdrawn
        assert shown(S.draft, results_public=True) is S.draft
        assert shown(S.archived, results_public=True) is S.archived


def test_a_replaced_rules_document_is_deleted_once_the_new_one_is_committed(app, db):
    from contest.storage import get_storage
    from tests.factories import pdf_bytes

    with app.test_request_context():
        competition = make_competition("luat-thi-2026")
        competitions.replace_rules_document(competition, "the-le.pdf", pdf_bytes("Thể lệ 1"))
        db.session.commit()
        first = competition.rules_document_key
        competitions.replace_rules_document(competition, "the-le-2.pdf", pdf_bytes("Thể lệ 2"))
        second = competition.rules_document_key
        assert get_storage().exists(first)  # still served until the change is committed
        db.session.commit()
        assert not get_storage().exists(first) and get_storage().exists(second)
        with pytest.raises(DomainError) as refused:
            competitions.replace_rules_document(competition, "the-le.pdf", b"not a pdf at all")
        assert refused.value.field == "rules_document"
        assert competition.rules_document_key == second
