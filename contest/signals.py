"""The hooks between `contest` and the packages built on it (judging).

`contest` never imports those packages: where its pages, reports or demo need
their part, it sends one of these signals and collects what the receivers
return. A package connects its receivers in its `init_app`, with the app as
sender (`signal.connect(receiver, app)`), so that apps built side by side (the
tests) do not hear each other. Every receiver is called as
`receiver(app, **arguments)` with the arguments named below, and returns the
value named below; `collect` gathers the values of all receivers.
"""

from __future__ import annotations

from blinker import Namespace, Signal
from flask import current_app

_hooks = Namespace()

demo_loading = _hooks.signal(
    "demo-loading",
    doc="""\
`flask demo` is loading the demo. Arguments: `password_hash` (str, the demo
accounts' shared password hash). Returns: list of (label, e-mail) log-ins the
receiver created, printed with the demo's.""",
)

award_recipients = _hooks.signal(
    "award-recipients",
    doc="""\
Certificates of award are being issued. Arguments: `competition`
(contest.models.Competition). Returns: list of
contest.domain.certificates.Recipient, one per certificate to issue.""",
)

report_outcomes = _hooks.signal(
    "report-outcomes",
    doc="""\
The yearly report is counting what became of entries. Arguments:
`competition_ids` (list[int]). Returns: contest.reports.figures.ContestOutcomes
for those competitions (rounds, entries that reached a level, awards).""",
)

team_links = _hooks.signal(
    "team-links",
    doc="""\
A team's page is shown. Arguments: `team` (contest.models.Team). Returns:
list of (label, URL) buttons for that team.""",
)

manage_links = _hooks.signal(
    "manage-links",
    doc="""\
A competition's management pages are shown. Arguments: `competition`.
Returns: list of (label, endpoint, URL arguments) entries for their navigation;
the menu shows those the visitor may open (contest.access.allows).""",
)

nav_links = _hooks.signal(
    "nav-links",
    doc="""\
The site's navigation is shown to a signed-in person. No arguments. Returns:
list of (label, URL) entries.""",
)

expert_links = _hooks.signal(
    "expert-links",
    doc="""\
An expert's record (the registry's page, or the expert's own) is shown.
Arguments: `expert` (contest.models.Expert). Returns: list of (label, URL)
links about that person (their judging history).""",
)

coming_for = _hooks.signal(
    "coming-for",
    doc="""\
The log-in or sign-up page is shown to someone on their way to a local page
(its `?next=`), and says where they are going. Arguments: `endpoint` (str, the
endpoint that page's path matches), `view_args` (dict, its URL arguments).
Returns: str, one translated sentence naming what the person is going to (the
invitation they are accepting and its competition, shown only to the holder of
that page's link), or None when the page is not the receiver's or is not valid
(the page itself then says what is wrong).""",
)


competition_progress = _hooks.signal(
    "competition-progress",
    doc="""\
A page names competitions and says how far each has gone (the home page, a
competition's page, a team's page). Arguments: `competition_ids` (list[int]).
Returns: dict of competition id → contest.domain.competitions.Progress, for
those whose judging has begun (a round opened for scoring) or whose results
are public now (published, announcement time come, not withdrawn).""",
)

open_votes = _hooks.signal(
    "open-votes",
    doc="""\
A public page names competitions (the home page, a competition's page) and
points the public to what they may take part in now. Arguments:
`competition_ids` (list[int]). Returns: dict of competition id → list of
contest.domain.competitions.OpenVote (name, URL of its public page, when it
closes), one per audience vote open at this moment; competitions with none
are left out.""",
)


def collect(signal: Signal, **arguments) -> list:
    """The values every receiver of `signal` returned, in connection order."""
    # Flask's documented way to reach the app behind the proxy; its type stubs omit it.
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # noqa: SLF001
    return [value for _receiver, value in signal.send(app, **arguments)]


def collect_lists(signal: Signal, **arguments) -> list:
    """For signals whose receivers return lists: one list of everything."""
    return [item for value in collect(signal, **arguments) for item in value]
