from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from contest.access import access
from contest.extensions import csrf
from contest.factory import database_ok
from contest.forms.accounts import LocaleForm
from contest.security import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@access("public")
def index():
    from contest.domain.competitions import STATE_LABELS, public_statuses, visible_competitions

    competitions = visible_competitions(current_user)
    return render_template(
        "index.html",
        competitions=competitions,
        statuses=public_statuses(competitions),
        state_labels=STATE_LABELS,
    )


@bp.route("/healthz")
@access("public")
@csrf.exempt
def healthz():
    ok = database_ok()
    return jsonify(status="ok" if ok else "error", database=ok), 200 if ok else 503


@bp.route("/readyz")
@access("public")
@csrf.exempt
def readyz():
    """For the load balancer: send traffic only when every dependency is ready."""
    from contest.ops import readiness

    checks = readiness(current_app)
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "not_ready", **checks), 200 if ready else 503


@bp.route("/locale", methods=["POST"])
@access("public")
def set_locale():
    form = LocaleForm()
    if form.validate_on_submit() and form.locale.data in current_app.config["LANGUAGES"]:
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


@bp.route("/locale")
@access("public")
def locale_link():
    """The language switch of pages cached for everyone (public results), which
    cannot carry a visitor's CSRF token: it only sets this browser's display
    language, never an account's, so there is nothing to forge."""
    if request.args.get("locale") in current_app.config["LANGUAGES"]:
        session["locale"] = request.args["locale"]
    return redirect(safe_next(request.args.get("next"), url_for("main.index")))
