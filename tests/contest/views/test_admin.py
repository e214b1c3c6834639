"""The platform administrator's pages."""

from sqlalchemy import delete

from contest.domain import audit
from contest.models import User
from tests.factories import login, make_user


def test_the_audit_log_names_who_acted_and_keeps_an_account_since_removed(app, db):
    admin, judge, gone = make_user(admin=True), make_user("giamkhao@example.vn"), make_user("daxoa@example.vn")
    audit.record(
        "score.changed",
        "score_sheet",
        7,
        before={"value": "4"},
        after={"value": "5"},
        actor_id=judge.id,
        device="tablet-1",
    )
    audit.record("score.changed", "score_sheet", 8, actor_id=gone.id)
    db.session.commit()
    gone_id = gone.id
    db.session.execute(delete(User).where(User.id == gone_id))
    db.session.commit()

    client = app.test_client()
    login(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "giamkhao@example.vn" in page and "tablet-1" in page
    assert f"#{gone_id}" in page  # the log still says who, though the account is gone
