"""The organizer's panel from the registry and a judge's history page."""

from __future__ import annotations

import re

from sqlalchemy import select

from contest.domain import experts
from contest.domain.competitions import grant_role
from contest.models import CompetitionRoleKind, ExpertRole
from judging.models import Judge
from tests.factories import (
    announce_results,
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_user,
    make_valid_entry,
)


def _organizer(competition, db):
    organizer = make_user("btc-pool@example.vn")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, make_user("goc@example.vn", admin=True))
    db.session.commit()
    return organizer


def test_the_organizer_searches_the_registry_by_field_and_invites(app, client, db):
    competition = make_competition("thi-pool", year=2026)
    with app.test_request_context():
        for name, email, field, available in (
            ("Nông Một", "nong1@example.vn", "Nông nghiệp", True),
            ("Du Hai", "du2@example.vn", "Du lịch", True),
            ("Nông Bận", "nong3@example.vn", "Nông nghiệp", False),
        ):
            experts.create_expert(
                experts.ExpertInput(
                    full_name=name,
                    email=email,
                    fields=(field,),
                    roles=(ExpertRole.judge,),
                    available=available,
                ),
                by=None,
            )
        experts.create_expert(experts.ExpertInput(full_name="Không Email", roles=(ExpertRole.judge,)), by=None)
        db.session.commit()
    login(client, _organizer(competition, db))
    url = f"/manage/{competition.slug}/judging/pool"
    page = client.get(url + "?field=Nông nghiệp").get_data(as_text=True)
    assert "Nông Một" in page and "Du Hai" not in page and "Nông Bận" not in page
    # The registry is the expert network, as on the officers' registry pages; "danh bạ" is the public directory.
    assert "Lập hội đồng giám khảo từ mạng lưới chuyên gia" in page and "Giám khảo trong mạng lưới chuyên gia" in page
    assert "danh bạ" not in page.lower()
    assert "Nông Bận" in client.get(url + "?field=Nông nghiệp&all=1").get_data(as_text=True)
    one = db.session.scalar(select(experts.Expert).where(experts.Expert.full_name == "Nông Một"))
    token = csrf_token(client, url)
    assert client.post(f"{url}/{one.id}/invite?field=Nông nghiệp", data={"csrf_token": token}).status_code == 302
    judge = db.session.scalar(select(Judge).where(Judge.competition_id == competition.id))
    assert judge.expert_id == one.id and judge.user.email == one.email
    page = client.get(url).get_data(as_text=True)
    assert f"/pool/{one.id}/invite" not in page and "Nông Một" in page  # on the panel: no second invitation
    nobody = db.session.scalar(select(experts.Expert).where(experts.Expert.full_name == "Không Email"))
    client.post(f"{url}/{nobody.id}/invite", data={"csrf_token": token})
    assert db.session.scalar(select(Judge.id).where(Judge.expert_id == nobody.id)) is None


def test_the_history_lists_competitions_rounds_sheets_and_leniency(app, client, db):
    user = make_user("lich-su@example.vn", name="Giám Khảo Lịch Sử")
    competition = make_competition("thi-2024-ls", year=2024)
    entries = [make_valid_entry(competition), make_valid_entry(competition)]
    judge = make_judge(competition, user)
    announce_results(app, competition, entries, judge=judge)
    with app.test_request_context():
        expert = experts.create_expert(experts.ExpertInput(full_name="Giám Khảo Lịch Sử"), by=None, user=user)
        db.session.commit()
    organizer_client = app.test_client()
    next_year = make_competition("thi-2025-ls", year=2025)
    login(organizer_client, _organizer(next_year, db))
    with app.test_request_context():
        experts.update_expert(expert, experts.ExpertInput(full_name=expert.full_name, roles=(ExpertRole.judge,)))
        newcomer = experts.create_expert(
            experts.ExpertInput(full_name="Chưa Từng Chấm", roles=(ExpertRole.judge,)), by=None
        )
        db.session.commit()
    served = organizer_client.get(f"/manage/{next_year.slug}/judging/pool?served=1").get_data(as_text=True)
    assert "Giám Khảo Lịch Sử" in served and "1 cuộc thi, 2 phiếu chấm" in served and newcomer.full_name not in served
    assert newcomer.full_name in organizer_client.get(f"/manage/{next_year.slug}/judging/pool").get_data(as_text=True)
    login(client, user)
    page = client.get(f"/judge/history/{expert.id}").get_data(as_text=True)
    assert competition.name in page and 'data-services="1"' in page
    assert "<td>2</td>" in page  # two sheets scored
    assert re.search(r"<td>2</td>\s*<td>0</td>", page)  # alone on the panel: no lean
    stranger = app.test_client()
    login(stranger, make_user("khac@example.vn"))
    assert stranger.get(f"/judge/history/{expert.id}").status_code == 403
