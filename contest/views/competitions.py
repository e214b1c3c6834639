"""Public pages of a competition: rules, timeline, boards, fields, gallery."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user
from sqlalchemy import func, select

from contest import cache
from contest.access import access
from contest.domain.competitions import (
    LEVEL_LABELS,
    STATE_LABELS,
    can_organize,
    public_statuses,
    submissions_open,
)
from contest.domain.entries import attachment_bytes
from contest.extensions import db
from contest.models import Attachment, AttachmentKind, Entry, EntryStatus
from contest.storage import get_storage
from contest.views import visible_or_404

bp = Blueprint("competitions", __name__)

# Entry counts on the public page may lag by this much at the deadline rush.
PUBLIC_PAGE_SECONDS = 5


@bp.route("/c/<slug>")
@access("public")
def show(slug):
    def render() -> bytes:
        competition = visible_or_404(slug)
        counts: dict[int | None, int] = dict(
            db.session.execute(
                select(Entry.board_id, func.count())
                .where(Entry.competition_id == competition.id, Entry.status == EntryStatus.submitted)
                .group_by(Entry.board_id)
            )
            .tuples()
            .all()
        )
        return render_template(
            "competitions/show.html",
            competition=competition,
            counts=counts,
            total=sum(counts.values()),
            open_now=submissions_open(competition),
            status=public_statuses([competition])[competition.id],
            state_labels=STATE_LABELS,
            level_labels=LEVEL_LABELS,
            can_organize=can_organize(current_user, competition),
            shared_page=not current_user.is_authenticated,
        ).encode()

    return Response(cache.cached_page(render, PUBLIC_PAGE_SECONDS), mimetype="text/html")


@bp.route("/c/<slug>/rules.pdf")
@access("public")
def rules_document(slug):
    competition = visible_or_404(slug)
    if not competition.rules_document_key:
        abort(404)
    data = get_storage().read(competition.rules_document_key)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{competition.slug}-the-le.pdf"'},
    )


def _gallery_entries(competition):
    if not competition.gallery_enabled:
        return []
    return db.session.scalars(
        select(Entry)
        .where(
            Entry.competition_id == competition.id,
            Entry.status == EntryStatus.submitted,
            Entry.gallery_opt_in.is_(True),
        )
        .order_by(Entry.code)
    ).all()


@bp.route("/c/<slug>/gallery")
@access("public")
def gallery(slug):
    competition = visible_or_404(slug)
    return render_template("competitions/gallery.html", competition=competition, entries=_gallery_entries(competition))


@bp.route("/c/<slug>/gallery/image/<int:attachment_id>")
@access("public")
def gallery_image(slug, attachment_id):
    competition = visible_or_404(slug)
    attachment = db.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.kind is not AttachmentKind.image
        or attachment.replaced_at is not None
        or attachment.entry.competition_id != competition.id
        or attachment.entry not in _gallery_entries(competition)
    ):
        abort(404)
    return Response(
        attachment_bytes(attachment),
        mimetype=attachment.content_type,
        headers={"Content-Disposition": "inline", "Cache-Control": "public, max-age=3600"},
    )
