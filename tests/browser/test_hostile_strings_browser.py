"""Hostile strings in Chromium: nothing typed by a team runs in anyone's browser.

Team name, member names, entry title and texts, a judge's name and the results
hold payloads that would set `window.__pwned` or open a dialog if they ever
reached the page as markup. The pages are opened with the Content-Security-
Policy header taken off, so the CSP cannot hide an escaping mistake: the
payloads must stay text on their own. Server-side escaping, exports, PDFs and
mails are in tests/test_hostile_strings.py.
"""

from __future__ import annotations

from datetime import date

from tests.factories import PASSWORD, fill_entry, make_competition, make_team, make_user

IMG = '<img src=x onerror="window.__pwned=1">'
ATTR = '"><img src=x onerror=alert(1)>'
SVG = "<svg onload=\"window.__pwned='svg'\"></svg>"
SCRIPT = "<script>window.__pwned='script'</script>"
SINGLE = "' onmouseover='window.__pwned=5' x='"  # breaks out of a single-quoted attribute (the ceremony's)
LINK = 'https://x.example/"><img src=x onerror="window.__pwned=4">'

TEAM = f"Đội {IMG} {SINGLE}"
TITLE = f"Tỏi đen {ATTR} {SCRIPT}"
MEMBER = f"Trần {SVG}"
LEADER = f"Lê {IMG}"

INJECTED = (
    "document.querySelectorAll('img[src=\"x\"], svg[onload], [onerror], [onmouseover], script:not([src])').length"
)


def _seed(app):
    """A submitted entry in a competition with a gallery, a published result, an organizer of both."""
    from contest.domain.competitions import grant_role
    from contest.domain.teams import MemberDetails, add_member
    from contest.extensions import db
    from contest.models import CompetitionRoleKind
    from tests.test_hostile_strings import _published

    with app.app_context():
        competition = make_competition("thu-thach", gallery_enabled=True)
        leader = make_user("truong.nhom@example.vn", name=LEADER)
        team = make_team(competition, leader, name=TEAM)
        add_member(team, MemberDetails(full_name=MEMBER, date_of_birth=date(2000, 2, 3)))
        entry = fill_entry(team)
        entry.title, entry.summary, entry.website_url, entry.gallery_opt_in = TITLE, SCRIPT + ATTR, LINK, True
        db.session.commit()
        from contest.domain.entries import submit

        submit(entry, leader)
        results, round_ = _published(app, db, [TEAM, f"{ATTR} B"], [TITLE, SINGLE])
        organizer = make_user("to.chuc@example.vn", name=IMG)
        admin = make_user(admin=True)
        for c in (competition, results):
            grant_role(c, organizer.email, CompetitionRoleKind.organizer, granted_by=admin)
        db.session.commit()
        return {
            "slug": competition.slug,
            "team": team.id,
            "entry": entry.id,
            "results": results.slug,
            "round": round_.id,
        }


class Watch:
    """Every dialog the page opens, and `window.__pwned` after each page."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str, must_show: str | None = None) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)  # an <img onerror> fires after the failed load
        self.check(url)
        if must_show is not None:
            assert must_show in self.page.evaluate("document.body.innerText"), f"{must_show!r} not shown on {url}"

    def check(self, where: str) -> None:
        assert self.page.evaluate("typeof window.__pwned") == "undefined", f"a payload ran on {where}"
        assert not self.dialogs, f"dialog on {where}: {self.dialogs}"
        assert self.page.evaluate(INJECTED) == 0, f"markup injected into {where}"


def _without_csp(page) -> None:
    """Serve pages without their Content-Security-Policy, so only escaping stands in the way."""

    def handle(route):
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
        route.fulfill(response=response, headers=headers)

    page.route("**/*", handle)


def _log_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda u: "/login" not in u)


def test_hostile_strings_stay_text_in_the_browser(live_server, tablet_page):
    ids = _seed(live_server.app)
    page, url = tablet_page, live_server.url
    watch = Watch(page)
    _without_csp(page)

    # The harness itself: without the CSP an injected handler does run, so a leak would show.
    page.goto(url + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__probe=1\">')")
    page.wait_for_function("window.__probe === 1")

    # Anyone: the gallery and the published results (the shared, cached copy).
    watch.open(f"{url}/c/{ids['slug']}/gallery", must_show=TITLE)
    watch.open(f"{url}/c/{ids['results']}/results", must_show=TEAM)

    # The team leader.
    _log_in(page, url, "truong.nhom@example.vn")
    watch.check("the page after logging in")
    watch.open(f"{url}/teams/{ids['team']}", must_show=MEMBER)
    watch.open(f"{url}/teams/{ids['team']}/entry")
    assert page.get_by_label("Tên dự án").input_value() == TITLE
    watch.open(f"{url}/teams/{ids['team']}/entry/receipt", must_show=TITLE)
    watch.open(f"{url}/my", must_show=TEAM)
    watch.open(f"{url}/account/")
    assert page.get_by_label("Họ và tên").input_value() == LEADER
    # Typing into the form and letting the autosave run changes nothing either.
    watch.open(f"{url}/teams/{ids['team']}/entry")
    page.get_by_label("Tóm tắt").fill(SCRIPT + IMG)
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('Đã lưu')")
    watch.check("the entry page after autosave")

    # The organizer: the secretariat's list and the dossier (its website link), the judging pages.
    page.context.clear_cookies()
    _log_in(page, url, "to.chuc@example.vn")
    watch.open(f"{url}/manage/{ids['slug']}/entries/", must_show=TITLE)
    watch.open(f"{url}/manage/{ids['slug']}/entries/?q=img", must_show=TITLE)
    watch.open(f"{url}/manage/{ids['slug']}/entries/{ids['entry']}", must_show=LINK)
    assert page.get_by_role("link", name=LINK).get_attribute("href") == LINK
    watch.open(f"{url}/manage/{ids['results']}/judging/rounds/{ids['round']}/results")
    watch.open(f"{url}/manage/{ids['results']}/judging/rounds/{ids['round']}/diagnostics")
    watch.open(f"{url}/manage/{ids['results']}/judging/ceremony")
    shown = []
    for _ in range(4):  # the slides are filled in by script from JSON in an attribute
        page.keyboard.press("ArrowRight")
        shown.append(page.evaluate("document.getElementById('stage').innerText"))
        watch.check("the ceremony")
    assert any(TITLE in text for text in shown) and any(SINGLE in text for text in shown)
