"""The judge's pages: queue with progress, blind review, documents only for
assigned entries, declaring a conflict, the accept-invitation page."""

import re

from sqlalchemy import select

from judging.models import Assignment, Conflict
from tests.factories import (
    PASSWORD,
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_round,
    make_valid_entry,
)


def test_queue_and_blind_scoring_page(client, db):
    competition = make_competition()
    entries = [make_valid_entry(competition, name=f"Đội bí mật {i}") for i in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge], blind=True)
    login(client, judge.user)
    queue = client.get(f"/judge/rounds/{round_.id}").get_data(as_text=True)
    assert "0/2" in queue and all(e.code in queue for e in entries)
    page = client.get(f"/judge/rounds/{round_.id}/entries/{entries[0].id}").get_data(as_text=True)
    assert entries[0].title in page and "Đội bí mật" not in page
    attachment = entries[0].current_attachments()[0]
    document = client.get(f"/judge/rounds/{round_.id}/entries/{entries[0].id}/documents/{attachment.id}")
    assert document.status_code == 200 and document.data.startswith(b"%PDF")
    assert client.get(f"/judge/rounds/{round_.id}/sheet.pdf").data.startswith(b"%PDF")


def test_unassigned_entries_and_their_documents_are_closed(client, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries[:1], [judge])
    login(client, judge.user)
    other = entries[1]
    assert client.get(f"/judge/rounds/{round_.id}/entries/{other.id}").status_code == 403
    attachment = other.current_attachments()[0]
    assert client.get(f"/judge/rounds/{round_.id}/entries/{other.id}/documents/{attachment.id}").status_code == 403


def test_judge_declares_a_conflict_from_the_scoring_page(client, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    login(client, judge.user)
    path = f"/judge/rounds/{round_.id}/entries/{entry.id}"
    token = csrf_token(client, path)
    response = client.post(path + "/conflict", data={"csrf_token": token, "reason": "Em họ tôi trong đội"})
    assert response.status_code == 302 and response.location.endswith(f"/judge/rounds/{round_.id}")
    conflict = db.session.scalar(select(Conflict))
    assert conflict.reason == "Em họ tôi trong đội" and db.session.scalar(select(Assignment)) is None
    assert client.get(path).status_code == 403


def test_invitation_link_for_a_new_account(client, db, app):
    from contest.domain.tokens import make_token
    from tests.factories import make_user

    competition = make_competition()
    user = make_user("moi@sokhcn.vn", verified=False)
    judge = make_judge(competition, user, accepted=False)
    token = make_token("judge-invite", {"j": judge.id, "u": user.id})
    page = client.get(f"/judge/invite/{token}")
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)
    # The page names the competition ("…Hội đồng giám khảo ." once had it missing).
    assert f"Ông/bà được mời tham gia Hội đồng giám khảo {competition.name}." in page.get_data(as_text=True)
    form_token = csrf_token(client, f"/judge/invite/{token}")
    response = client.post(
        f"/judge/invite/{token}",
        data={"csrf_token": form_token, "password": "mot-mat-khau-moi", "confirm": "mot-mat-khau-moi"},
    )
    assert response.status_code == 302
    db.session.refresh(judge)
    assert judge.accepted_at is not None
    assert client.get("/judge/invite/khong-hop-le").status_code == 400


def test_a_judge_with_an_account_is_told_on_the_log_in_page_which_panel_the_invitation_is_for(client, db):
    from contest.domain.tokens import make_token
    from tests.factories import make_user

    competition = make_competition("khoi-nghiep-2026")
    user = make_user("chuyen.gia@sokhcn.vn")  # has an account already: logs in rather than choosing a password
    judge = make_judge(competition, user, accepted=False)
    token = make_token("judge-invite", {"j": judge.id, "u": user.id})
    response = client.get(f"/judge/invite/{token}")
    assert response.status_code == 302 and response.location == f"/login?next=/judge/invite/{token}"
    said = (
        f"Ông/bà đang nhận lời mời tham gia Hội đồng giám khảo {competition.name}. "
        "Hãy đăng nhập bằng chuyen.gia@sokhcn.vn để nhận lời mời"
    )
    page = client.get(response.location).get_data(as_text=True)
    assert said in page
    # Signing up from there keeps the invitation, and its page says so too.
    signup = re.search(r'href="(/signup\?next=[^"]+)"', page).group(1)
    assert said in client.get(signup).get_data(as_text=True)
    # A broken or another package's link says nothing (and never fails the page).
    assert "Hội đồng giám khảo" not in client.get("/login?next=/judge/invite/khong-hop-le").get_data(as_text=True)
    assert "Hội đồng giám khảo" not in client.get("/login?next=/judge/").get_data(as_text=True)
    # Logging in leads to the invitation, which is then accepted.
    response = client.post(
        response.location,
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302 and response.location == f"/judge/invite/{token}"
    form_token = csrf_token(client, response.location)
    assert client.post(response.location, data={"csrf_token": form_token}).location.endswith("/judge/")
    db.session.refresh(judge)
    assert judge.accepted_at is not None


def test_a_judge_invitation_opened_with_another_account_says_so_rather_than_looping(client, db):
    """Once it redirected to the log-in page, which sent a logged-in person straight back: too many redirects."""
    from contest.domain.tokens import make_token
    from tests.factories import make_user

    user = make_user("chuyen.gia@sokhcn.vn")
    judge = make_judge(make_competition(), user, accepted=False)
    token = make_token("judge-invite", {"j": judge.id, "u": user.id})
    login(client, make_user("nguoi.khac@example.vn"))
    response = client.get(f"/judge/invite/{token}")
    assert response.status_code == 403
    assert "Lời mời này dành cho chuyen.gia@sokhcn.vn" in response.get_data(as_text=True)
    assert client.post(f"/judge/invite/{token}", data={"csrf_token": csrf_token(client, "/")}).status_code == 403
    db.session.refresh(judge)
    assert judge.accepted_at is None


def test_signing_up_from_a_judge_invitation_keeps_it_in_the_mail(client, mail_app, db, smtp_server):
    """The invited address has an account: the mail its owner gets leads to the log-in that keeps the invitation."""
    from contest.domain.outbox import send_due
    from contest.domain.tokens import make_token
    from tests.conftest import first_link
    from tests.factories import make_user

    user = make_user("chuyen.gia@sokhcn.vn")
    judge = make_judge(make_competition(), user, accepted=False)
    token = make_token("judge-invite", {"j": judge.id, "u": user.id})
    response = client.post(
        f"/signup?next=/judge/invite/{token}",
        data={
            "full_name": "Phạm Minh Đức",
            "email": "chuyen.gia@sokhcn.vn",
            "password": "mot-mat-khau-dai",
            "confirm": "mot-mat-khau-dai",
            "csrf_token": csrf_token(client, "/signup"),
        },
    )
    assert response.status_code == 200 and "đưa bạn trở lại" in response.get_data(as_text=True)
    send_due()
    link = first_link(smtp_server.wait_for(1)[0], "/login").split("localhost", 1)[1]
    assert link == f"/login?next=/judge/invite/{token}"


def test_only_the_chair_sees_the_panel_before_the_lock(client, app, db):
    from judging.domain.rounds import set_chair
    from judging.domain.scoring import Change, apply_change, submit_sheet
    from judging.models import RoundState

    competition = make_competition()
    entry = make_valid_entry(competition)
    chair, member = make_judge(competition), make_judge(competition)
    round_ = make_round(competition, [entry], [chair, member])
    with app.test_request_context():
        for criterion in round_.rubric.criteria:
            apply_change(
                round_.id,
                entry.id,
                member.user_id,
                Change(f"m{criterion.id}", criterion.id, criterion.max_points, None, None),
            )
        submit_sheet(round_.id, entry.id, member.user_id)
    db.session.commit()
    login(client, chair.user)
    assert "<td>100</td>" not in client.get(f"/judge/rounds/{round_.id}").get_data(as_text=True)
    round_.chair_sees_scores = True
    set_chair(round_, chair)
    db.session.commit()
    assert "<td>100</td>" in client.get(f"/judge/rounds/{round_.id}").get_data(as_text=True)
    other = app.test_client()
    login(other, member.user)
    assert "<td>100</td>" not in other.get(f"/judge/rounds/{round_.id}").get_data(as_text=True)
    round_.state = RoundState.locked
    db.session.commit()
    assert "<td>100</td>" in other.get(f"/judge/rounds/{round_.id}").get_data(as_text=True)


def test_judge_pages_name_their_account_for_the_tablets_cache(client, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    attachment = entry.current_attachments()[0]
    page = f"/judge/rounds/{round_.id}/entries/{entry.id}"
    assert "X-Account" not in client.get(page).headers  # not signed in: redirected, nothing to cache
    login(client, judge.user)
    for path in (page, f"{page}/documents/{attachment.id}", f"/judge/rounds/{round_.id}"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Account"] == str(judge.user_id)
    html = client.get(page).get_data(as_text=True)
    # The texts the page shows a refused change with, and asks before a log-out with changes unsent.
    assert "chưa được lưu" in html and "Vẫn đăng xuất?" in html


def test_the_queue_lists_what_the_tablet_keeps_and_nothing_it_may_not_open(client, db):
    import json
    import re
    from html import unescape

    from contest.models.base import utcnow
    from judging.models import ConflictSource, ConflictStatus

    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    db.session.add(
        Conflict(
            judge_id=judge.id,
            entry_id=entries[1].id,
            reason="Người nhà",
            source=ConflictSource.declared,
            status=ConflictStatus.confirmed,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    login(client, judge.user)
    page = client.get(f"/judge/rounds/{round_.id}").get_data(as_text=True)
    data = json.loads(unescape(re.search(r"data-queue='([^']*)'", page).group(1)))
    kept = data["precache"]["pages"]
    base = f"/judge/rounds/{round_.id}/entries/"
    assert kept[:2] == ["/judge/", f"/judge/rounds/{round_.id}"]
    assert f"{base}{entries[0].id}" in kept
    assert sorted(p for p in kept if "/documents/" in p) == sorted(
        f"{base}{entries[0].id}/documents/{a.id}" for a in entries[0].current_attachments()
    )
    assert not any(p.startswith(f"{base}{entries[1].id}") for p in kept)  # a confirmed conflict
    assert "/static/js/judge-scoring.js" in data["precache"]["assets"]


def test_the_offline_page_is_vietnamese_and_names_no_account(client, db):
    competition = make_competition()
    judge = make_judge(competition)
    login(client, judge.user)
    page = client.get("/judge/offline").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Không có kết nối mạng" in page
    assert judge.user.full_name not in page and judge.user.email not in page
