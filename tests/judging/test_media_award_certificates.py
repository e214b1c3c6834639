"""The media award's certificates: one per author of each awarded work, naming the
author and the work (not a team and a project), through the usual issuing."""

import io
from datetime import date

from pypdf import PdfReader

from contest.domain import certificates
from contest.models import CertificateKind
from tests.factories import announce_results, make_competition, make_press_work, make_team


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_each_author_of_an_awarded_work_gets_a_certificate_naming_the_work(app, client, db):
    competition = make_competition("giai-bao-chi-2026", preset="media_award")
    works = []
    for title in ("Khởi nghiệp từ làng nghề", "Tỏi đen Lý Sơn ra thế giới"):
        team = make_team(competition, members=1)
        team.members[1].full_name = f"Trần Thị Bích ({title[:5]})"
        works.append(make_press_work(team, title=title))
    db.session.commit()
    announce_results(app, competition, works)
    with app.test_request_context():
        templates = certificates.ensure_templates(competition)
        recipients = certificates.award_recipients(competition)
        issued = certificates.issue(templates[CertificateKind.award], recipients, date(2026, 12, 20))
        pdfs = [certificates.render(c) for c in issued]
    db.session.commit()

    authors = sorted((m.full_name, w.title) for w in works for m in w.team.members)
    assert sorted((c.person_name, c.project_title) for c in issued) == authors  # one per author of each work
    for certificate, pdf in zip(issued, pdfs, strict=True):
        text = " ".join(_text(pdf).split())
        assert certificate.person_name in text and certificate.project_title in text
        assert "Tác giả tác phẩm" in text and certificate.award_name in text
        assert "Đội thi" not in text and "Dự án" not in text
    page = client.get(f"/verify/{issued[0].token}").get_data(as_text=True)
    assert "Tác giả tác phẩm" in page and issued[0].project_title in page and "Đội thi" not in page

    # A project contest keeps its team-and-project wording.
    other = make_competition("khoi-nghiep-2026")
    with app.test_request_context():
        assert "Đội thi: {team}" in certificates.ensure_templates(other)[CertificateKind.award].wording
