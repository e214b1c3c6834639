"""The expert network's pages: the public directory shows only who consented and
only what they chose; officers search, see contact details, record
certifications with scans and export (audited); the expert corrects their own
record and withdraws consent; mentoring sessions are logged."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import openpyxl
from sqlalchemy import select

from contest.domain import experts
from contest.models import AuditEvent, Certification, Expert, ExpertRole, MentoringSession
from tests.factories import csrf_token, login, make_competition, make_user, make_valid_entry, pdf_bytes


def _officer(db):
    return make_user("can-bo@example.vn", admin=True)


def _expert(app, db, name, *, user=None, consent=False, **kw):
    with app.test_request_context():
        expert = experts.create_expert(experts.ExpertInput(full_name=name, **kw), by=None, user=user)
        if consent:
            experts.set_consent(expert, True, ["organisation", "fields"])
        db.session.commit()
    return expert


def test_the_public_directory_shows_only_who_consented_and_no_contact_details(app, client, db):
    _expert(
        app,
        db,
        "Nguyễn Văn Công Khai",
        consent=True,
        organisation="ĐH Phạm Văn Đồng",
        email="cong-khai@example.vn",
        phone="0905 111 222",
        fields=("Nông nghiệp",),
        bio="Không hiện ra",
    )
    _expert(app, db, "Trần Thị Kín Đáo", email="kin@example.vn", fields=("Nông nghiệp",))
    page = client.get("/experts/").get_data(as_text=True)
    assert "Nguyễn Văn Công Khai" in page and "ĐH Phạm Văn Đồng" in page and "Nông nghiệp" in page
    assert "Trần Thị Kín Đáo" not in page
    assert "cong-khai@example.vn" not in page and "0905 111 222" not in page and "Không hiện ra" not in page
    assert "Nguyễn Văn Công Khai" not in client.get("/experts/?field=Du lịch").get_data(as_text=True)


def test_an_expert_corrects_their_record_and_withdraws_consent(app, client, db):
    user = make_user("tu-sua@example.vn", name="Lê Văn Tự")
    expert = _expert(app, db, "Lê Văn Tự", user=user, consent=True, organisation="Cũ")
    login(client, user)
    token = csrf_token(client, "/experts/me")
    response = client.post(
        "/experts/me",
        data={"csrf_token": token, "full_name": "Lê Văn Tự", "organisation": "Mới", "fields": "Du lịch, Nông nghiệp"},
    )
    assert response.status_code == 302
    db.session.refresh(expert)
    assert expert.organisation == "Mới" and expert.field_names == ["Du lịch", "Nông nghiệp"]
    visitor = app.test_client()
    assert "Lê Văn Tự" in visitor.get("/experts/").get_data(as_text=True)
    client.post("/experts/me/consent", data={"csrf_token": token, "consent-public_fields": "fields"})
    assert "Lê Văn Tự" not in visitor.get("/experts/").get_data(as_text=True)
    db.session.refresh(expert)
    assert expert.consent_public is False


def test_officers_search_by_field_unit_and_role_and_see_contact_details(app, client, db):
    _expert(app, db, "Chuyên gia Nông", email="nong@example.vn", fields=("Nông nghiệp",), roles=(ExpertRole.judge,))
    _expert(app, db, "Chuyên gia Du", email="du@example.vn", fields=("Du lịch",), roles=(ExpertRole.mentor,))
    login(client, _officer(db))
    page = client.get("/registry/?field=Nông nghiệp").get_data(as_text=True)
    assert "Chuyên gia Nông" in page and "nong@example.vn" in page and "Chuyên gia Du" not in page
    page = client.get("/registry/?role=mentor").get_data(as_text=True)
    assert "Chuyên gia Du" in page and "Chuyên gia Nông" not in page
    assert client.get("/registry/?role=nonsense&unit=x").status_code == 200


def test_an_officer_adds_an_expert_and_records_a_certification_with_its_scan(app, client, db):
    login(client, _officer(db))
    token = csrf_token(client, "/registry/new")
    response = client.post(
        "/registry/new",
        data={"csrf_token": token, "full_name": "Phạm Cố Vấn", "email": "co-van@example.vn", "roles": ["adviser"]},
    )
    assert response.status_code == 302
    expert = db.session.scalar(select(Expert).where(Expert.full_name == "Phạm Cố Vấn"))
    url = f"/registry/{expert.id}/certifications"
    data = {
        "csrf_token": token,
        "cert-programme": "Cố vấn khởi nghiệp ĐMST",
        "cert-issuer": "Bộ KH&CN",
        "cert-number": "CV-2024-01",
        "cert-issued_on": "2024-05-01",
    }
    bad = client.post(url, data={**data, "cert-scan": (BytesIO(b"MZ\x90not a pdf"), "x.pdf")})
    assert bad.status_code == 400 and db.session.scalar(select(Certification.id)) is None
    wrong_dates = client.post(url, data={**data, "cert-expires_on": "2023-01-01"})
    assert wrong_dates.status_code == 400
    good = client.post(url, data={**data, "cert-scan": (BytesIO(pdf_bytes("Giấy chứng nhận")), "giay.pdf")})
    assert good.status_code == 302
    certification = db.session.scalar(select(Certification))
    scan = client.get(f"/registry/certifications/{certification.id}/scan")
    assert scan.status_code == 200 and scan.data.startswith(b"%PDF")


def test_the_export_is_officers_only_and_audited(app, client, db):
    _expert(app, db, "Xuất Khẩu", email="xuat@example.vn", phone="0912")
    _expert(app, db, '=HYPERLINK("http://x","y")', organisation="+1 Cty")
    stranger = app.test_client()
    login(stranger, make_user("thuong@example.vn"))
    assert stranger.get("/registry/export.csv").status_code == 403
    login(client, _officer(db))
    csv_text = client.get("/registry/export.csv").get_data(as_text=True)
    assert "Xuất Khẩu" in csv_text and "xuat@example.vn" in csv_text
    workbook = openpyxl.load_workbook(BytesIO(client.get("/registry/export.xlsx").data))
    cells = list(workbook.active["A"])
    assert "Xuất Khẩu" in [c.value for c in cells] and all(c.data_type != "f" for c in cells)  # never a formula
    assert "'=HYPERLINK" in csv_text and "'+1 Cty" in csv_text  # text, never a formula
    assert client.get("/registry/export.pdf").status_code == 404
    assert len(list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "experts.exported")))) == 2


def test_a_mentor_is_assigned_and_logs_sessions(app, client, db):
    mentor_user = make_user("co-van-du-an@example.vn")
    expert = _expert(app, db, "Cố Vấn Dự Án", user=mentor_user)
    entry = make_valid_entry(make_competition("thi-co-van"))
    login(client, _officer(db))
    token = csrf_token(client, f"/registry/{expert.id}")
    response = client.post(
        f"/registry/{expert.id}/mentorships",
        data={
            "csrf_token": token,
            "mentor-project": entry.project_id,
            "mentor-starts_on": "2026-01-05",
            "mentor-org_unit": 0,
        },
    )
    assert response.status_code == 302
    client = app.test_client()  # the mentor, on their own device
    login(client, mentor_user)
    url = response.location
    token = csrf_token(client, url)
    refused = client.post(url, data={"csrf_token": token, "held_on": "2026-02-01", "topic": "Gọi vốn", "hours": "abc"})
    assert refused.status_code == 400
    logged = client.post(url, data={"csrf_token": token, "held_on": "2026-02-01", "topic": "Gọi vốn", "hours": "2"})
    assert logged.status_code == 302
    assert [(s.held_on, s.topic) for s in db.session.scalars(select(MentoringSession))] == [
        (date(2026, 2, 1), "Gọi vốn")
    ]
    assert "Gọi vốn" in client.get(url).get_data(as_text=True)


def test_a_photo_shows_in_the_directory_only_when_the_expert_chose_it(app, client, db):
    from tests.contest.domain.test_uploads import make_png

    png = make_png(4, 4)

    user = make_user("anh@example.vn", name="Mai Ảnh")
    expert = _expert(app, db, "Mai Ảnh", user=user, consent=True)
    login(client, user)
    token = csrf_token(client, "/experts/me")
    bad = client.post(
        "/experts/me", data={"csrf_token": token, "full_name": "Mai Ảnh", "photo": (BytesIO(b"%PDF-1.4"), "a.png")}
    )
    assert bad.status_code == 400
    sent = client.post(
        "/experts/me", data={"csrf_token": token, "full_name": "Mai Ảnh", "photo": (BytesIO(png), "a.png")}
    )
    assert sent.status_code == 302
    visitor = app.test_client()
    assert visitor.get(f"/experts/{expert.id}/photo").status_code == 404  # consented, but not to the photo
    client.post(
        "/experts/me/consent", data={"csrf_token": token, "consent-consent": "y", "consent-public_fields": "photo"}
    )
    assert visitor.get(f"/experts/{expert.id}/photo").data == png
    assert f"/experts/{expert.id}/photo" in visitor.get("/experts/").get_data(as_text=True)


def _certified(app, db, name, *, user=None):
    expert = _expert(app, db, name, user=user)
    with app.test_request_context():
        experts.add_certification(
            db.session.get(Expert, expert.id),
            experts.CertificationInput("Cố vấn ĐMST", "Bộ KH&CN", "CV-9", date(2024, 2, 1)),
            by=None,
        )
        db.session.commit()
    return expert


def test_an_officer_removes_a_certification_entered_by_mistake_giving_the_reason(app, client, db):
    expert = _certified(app, db, "Võ Nhầm Lẫn")
    certification = db.session.scalar(select(Certification))
    officer = _officer(db)
    stranger = app.test_client()
    login(stranger, make_user("thuong@example.vn"))
    url = f"/registry/certifications/{certification.id}/remove"
    token = csrf_token(stranger, "/account/")
    assert stranger.post(url, data={"csrf_token": token, "remove-reason": "Không phải của tôi"}).status_code == 403
    login(client, officer)
    token = csrf_token(client, f"/registry/{expert.id}")
    refused = client.post(url, data={"csrf_token": token, "remove-reason": ""})
    assert refused.status_code == 400 and "Nêu lý do gỡ bỏ chứng nhận." in refused.get_data(as_text=True)
    assert db.session.scalar(select(Certification.id)) == certification.id
    removed = client.post(url, data={"csrf_token": token, "remove-reason": "Nhập trùng"})
    assert removed.status_code == 302
    assert db.session.scalar(select(Certification.id)) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certification.removed"))
    assert event.reason == "Nhập trùng" and event.before["number"] == "CV-9" and event.actor_id == officer.id
    page = client.get(f"/registry/{expert.id}").get_data(as_text=True)
    assert "Chưa ghi nhận chứng nhận nào." in page


def test_an_expert_ends_their_own_conflict_and_nobody_else_can(app, client, db):
    user = make_user("xung-dot@example.vn", name="Đỗ Xung Đột")
    expert = _expert(app, db, "Đỗ Xung Đột", user=user)
    login(client, user)
    token = csrf_token(client, "/experts/me")
    refused = client.post(
        "/experts/me/conflicts", data={"csrf_token": token, "conflict-kind": "company", "conflict-name": ""}
    )
    assert refused.status_code == 400 and 'id="conflict-name-err"' in refused.get_data(as_text=True)
    declared = client.post(
        "/experts/me/conflicts",
        data={"csrf_token": token, "conflict-kind": "company", "conflict-name": "Công ty Gia Đình"},
    )
    assert declared.status_code == 302
    conflict = db.session.get(Expert, expert.id).conflicts[0]
    other = app.test_client()
    login(other, make_user("khac@example.vn"))
    other_token = csrf_token(other, "/account/")
    assert other.post(f"/registry/conflicts/{conflict.id}/end", data={"csrf_token": other_token}).status_code == 403
    ended = client.post(f"/registry/conflicts/{conflict.id}/end", data={"csrf_token": token})
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/experts/me#conflicts")
    db.session.refresh(conflict)
    assert conflict.ended_on is not None
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "expert.conflict_ended"))
    page = client.get("/experts/me").get_data(as_text=True)
    assert "không còn được đề xuất" in page and "Công ty Gia Đình" in page


def test_roles_are_checkboxes_and_an_unknown_role_is_refused(app, client, db):
    login(client, _officer(db))
    page = client.get("/registry/new").get_data(as_text=True)
    assert '<input id="roles-0" name="roles" type="checkbox" value="judge">' in page
    assert '<select class="input" id="roles"' not in page and "<legend" in page
    token = csrf_token(client, "/registry/new")
    bad = client.post("/registry/new", data={"csrf_token": token, "full_name": "Sai Vai Trò", "roles": ["boss"]})
    assert bad.status_code == 400 and db.session.scalar(select(Expert.id)) is None
    good = client.post(
        "/registry/new", data={"csrf_token": token, "full_name": "Đúng Vai Trò", "roles": ["mentor", "trainer"]}
    )
    assert good.status_code == 302
    expert = db.session.scalar(select(Expert))
    assert sorted(expert.role_values) == ["mentor", "trainer"]
    page = client.get(f"/registry/{expert.id}").get_data(as_text=True)
    assert '<input checked id="roles-1" name="roles" type="checkbox" value="mentor">' in page


def test_the_expert_pages_call_the_registry_the_expert_network_and_keep_danh_ba_for_the_public_directory(
    app, client, db
):
    outsider = make_user("ngoai@example.vn")
    login(client, outsider)
    assert "Bạn chưa có trong mạng lưới chuyên gia của tỉnh." in client.get("/experts/me").get_data(as_text=True)
    user = make_user("trong@example.vn", name="Lê Văn Trong")
    _expert(app, db, "Lê Văn Trong", user=user)
    expert_client = app.test_client()
    login(expert_client, user)
    page = expert_client.get("/experts/me").get_data(as_text=True)
    assert "Hồ sơ của bạn trong mạng lưới chuyên gia" in page and "Danh bạ công khai" in page
    assert "Thông tin danh bạ" not in page


def test_certifications_show_whether_they_are_in_force_expired_or_without_expiry(app, client, db):
    user = make_user("chung-nhan@example.vn", name="Hồ Chứng Nhận")
    expert = _expert(app, db, "Hồ Chứng Nhận", user=user)
    with app.test_request_context():
        for programme, expires_on in (
            ("Khóa đã hết hạn", date(2025, 3, 1)),
            ("Khóa còn hạn", date(2099, 12, 31)),
            ("Khóa vĩnh viễn", None),
        ):
            experts.add_certification(
                db.session.get(Expert, expert.id),
                experts.CertificationInput(programme, "Bộ KH&CN", "", date(2024, 2, 1), expires_on),
                by=None,
            )
        db.session.commit()

    def states(page: str) -> dict[str, str]:
        import re

        return {
            name: re.search(re.escape(name) + r'.*?<span class="badge[^"]*">([^<]+)</span>', page, re.S).group(1)
            for name in ("Khóa đã hết hạn", "Khóa còn hạn", "Khóa vĩnh viễn")
        }

    expected = {
        "Khóa đã hết hạn": "Hết hạn ngày 01/03/2025",
        "Khóa còn hạn": "Còn hiệu lực",
        "Khóa vĩnh viễn": "Không thời hạn",
    }
    login(client, _officer(db))
    assert states(client.get(f"/registry/{expert.id}").get_data(as_text=True)) == expected
    own = app.test_client()
    login(own, user)
    assert states(own.get("/experts/me").get_data(as_text=True)) == expected
    # The registry's list counts the certifications that still hold beside all of them.
    listed = client.get("/registry/?q=Hồ+Chứng+Nhận").get_data(as_text=True)
    assert "2 còn hiệu lực / 3" in listed


def test_the_directory_filter_by_field_does_not_reveal_fields_the_expert_did_not_make_public(app, client, db):
    expert = _expert(app, db, "Đinh Chỉ Tên", fields=("Nông nghiệp",))
    with app.test_request_context():
        experts.set_consent(db.session.get(Expert, expert.id), True, ["organisation"])  # the name, not the fields
        db.session.commit()
    assert "Đinh Chỉ Tên" in client.get("/experts/").get_data(as_text=True)
    assert "Đinh Chỉ Tên" not in client.get("/experts/?field=Nông nghiệp").get_data(as_text=True)


def test_saving_a_record_keeps_its_unit_after_the_unit_was_merged_away(app, client, db):
    from tests.factories import make_unit

    old_district = make_unit("QNG-HUYEN-CU", "Huyện Sơn Tịnh (cũ)", valid_to=date(2025, 6, 30))
    db.session.commit()
    expert = _expert(app, db, "Phan Văn Giữ", org_unit_id=old_district.id)
    login(client, _officer(db))
    page = client.get(f"/registry/{expert.id}").get_data(as_text=True)
    assert f'<option selected value="{old_district.id}">Huyện Sơn Tịnh (cũ)</option>' in page
    answer = client.post(
        f"/registry/{expert.id}",
        data={
            "csrf_token": csrf_token(client, f"/registry/{expert.id}"),
            "full_name": "Phan Văn Giữ Lại",
            "org_unit": str(old_district.id),
            "available": "y",
        },
    )
    assert answer.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Expert, expert.id)
    assert (saved.full_name, saved.org_unit_id) == ("Phan Văn Giữ Lại", old_district.id)


def test_dates_of_the_registry_outside_2000_to_2100_are_refused_and_what_was_typed_stays(app, client, db):
    """01/01/0001 typed as a date of issue was recorded and counted the expert as
    certified in every year; a year such as 9999 typed as 'never expires' too."""
    from contest.models import Mentorship

    mentor_user = make_user("nam-le@example.vn")
    expert = _expert(app, db, "Cố Vấn Năm Lạ", user=mentor_user)
    entry = make_valid_entry(make_competition("thi-nam-la"))
    login(client, _officer(db))
    token = csrf_token(client, f"/registry/{expert.id}")
    certification = {
        "csrf_token": token,
        "cert-programme": "Khóa cố vấn năm lạ",
        "cert-issuer": "Bộ KH&CN",
        "cert-issued_on": "2024-05-01",
    }
    for typed in ({"cert-issued_on": "0001-01-01"}, {"cert-expires_on": "9999-12-31"}):
        refused = client.post(f"/registry/{expert.id}/certifications", data={**certification, **typed})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400, typed
        assert "Hãy nhập năm, ví dụ 2026." in page and "Khóa cố vấn năm lạ" in page
        assert f'value="{next(iter(typed.values()))}"' in page
    assert db.session.scalar(select(Certification.id)) is None
    mentoring = {"csrf_token": token, "mentor-project": entry.project_id, "mentor-starts_on": "2026-01-05"}
    for typed in ({"mentor-starts_on": "0001-01-01"}, {"mentor-ends_on": "9999-12-31"}):
        refused = client.post(f"/registry/{expert.id}/mentorships", data={**mentoring, **typed})
        assert refused.status_code == 400, typed
        assert "Hãy nhập năm, ví dụ 2026." in refused.get_data(as_text=True)
    assert db.session.scalar(select(Mentorship.id)) is None
    assert client.post(f"/registry/{expert.id}/mentorships", data=mentoring).status_code == 302
    url = f"/mentorships/{db.session.scalar(select(Mentorship.id))}"
    refused = client.post(url, data={"csrf_token": token, "held_on": "0001-01-01", "topic": "Năm lạ", "hours": "1"})
    assert refused.status_code == 400 and "Hãy nhập năm, ví dụ 2026." in refused.get_data(as_text=True)
    assert db.session.scalar(select(MentoringSession.id)) is None


def test_a_session_dated_after_today_is_refused_and_the_form_keeps_what_was_typed(app, client, db, monkeypatch):
    from contest.domain import unit_officers

    monkeypatch.setattr(unit_officers, "today", lambda: date(2026, 12, 7))
    expert = _expert(app, db, "Cố Vấn Tương Lai")
    entry = make_valid_entry(make_competition("thi-tuong-lai"))
    login(client, _officer(db))
    token = csrf_token(client, f"/registry/{expert.id}")
    assigned = client.post(
        f"/registry/{expert.id}/mentorships",
        data={"csrf_token": token, "mentor-project": entry.project_id, "mentor-starts_on": "2026-01-05"},
    )
    url = assigned.location
    typed = {"csrf_token": token, "held_on": "2027-05-10", "topic": "Gọi vốn vòng hạt giống", "hours": "2,5"}
    refused = client.post(url, data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Chỉ ghi nhận buổi tư vấn khi đã diễn ra." in page
    assert 'value="2027-05-10"' in page and 'value="Gọi vốn vòng hạt giống"' in page and 'value="2,5"' in page
    assert "tổng cộng 0 giờ" in page
    assert db.session.scalar(select(MentoringSession.id)) is None
    assert client.post(url, data={**typed, "held_on": "2026-12-07"}).status_code == 302  # today is fine
    assert "tổng cộng 2,5 giờ" in client.get(url).get_data(as_text=True)


def test_the_mentoring_choice_lists_each_startup_project_once_told_apart_and_no_press_work(app, client, db):
    """The assignment offered the same name many times (a project per team and contest,
    each named after its entry) and the media award's press works as projects."""
    import re

    from contest.models import Mentorship
    from tests.factories import make_press_work, make_team

    earlier = make_valid_entry(make_competition("huyen-a", year=2025), name="Đội Tỏi Một")
    followed = make_valid_entry(make_competition("tinh-b", year=2026), name="Đội Tỏi Một")
    own_project = followed.project
    followed.project = earlier.project  # the same project, in the provincial contest a year later
    db.session.flush()
    db.session.delete(own_project)
    other = make_valid_entry(followed.competition, name="Đội Tỏi Hai")
    press = make_press_work(
        make_team(make_competition("giai-bao-chi", preset="media_award"), members=1),
        title="Chuỗi video: Một ngày của nhà sáng lập",
    )
    db.session.commit()
    expert = _expert(app, db, "Cố Vấn Chọn Dự Án")
    login(client, _officer(db))
    page = client.get(f"/registry/{expert.id}").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="mentor-project".*?</select>', page, re.S).group(0)
    options = dict(re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', select_html))
    assert options == {
        str(earlier.project_id): "Tỏi đen Lý Sơn — Đội Tỏi Một, Cuộc thi tinh-b (2026)",
        str(other.project_id): "Tỏi đen Lý Sơn — Đội Tỏi Hai, Cuộc thi tinh-b (2026)",
    }
    token = csrf_token(client, f"/registry/{expert.id}")
    data = {"csrf_token": token, "mentor-starts_on": "2026-01-05"}
    refused = client.post(f"/registry/{expert.id}/mentorships", data={**data, "mentor-project": press.project_id})
    assert refused.status_code == 400 and db.session.scalar(select(Mentorship.id)) is None
    assigned = client.post(f"/registry/{expert.id}/mentorships", data={**data, "mentor-project": earlier.project_id})
    assert assigned.status_code == 302
    assert db.session.scalar(select(Mentorship.project_id)) == earlier.project_id
