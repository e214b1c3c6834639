"""What judging tells the reports: rounds taken part in, and awards once public."""

from datetime import timedelta

from sqlalchemy import select

from contest.domain import reports
from contest.models.base import utcnow
from contest.reports import figures as F
from judging.models import Publication
from tests.judging.views.test_public_results import _published


def _figures(app, competition_id):
    with app.test_request_context():
        records = reports.load_records([competition_id])
    return F.compute(records.competitions, records.teams), records


def test_awards_count_only_once_the_results_are_public(app, db):
    competition = _published(app, db, utcnow() - timedelta(seconds=1))
    figures, records = _figures(app, competition.id)
    assert figures.reached == {1: 2}
    assert records.competitions[0].rounds == ((1, "Sơ khảo"),)
    assert figures.awards >= 1 and figures.prize_money > 0

    publication = db.session.scalar(select(Publication))
    publication.publish_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    figures, _ = _figures(app, competition.id)
    assert (figures.awards, figures.prize_money) == (0, 0)
