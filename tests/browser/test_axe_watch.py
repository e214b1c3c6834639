"""The shared accessibility check itself: axe-core runs on every page a
browser test opens, without being asked, and reports serious and critical
violations with the page they were found on."""

from tests.browser.conftest import check_accessibility


def test_every_opened_page_is_checked(live_server, tablet_page):
    page, url = tablet_page, live_server.url
    bad = (
        "<!doctype html><html><head><title>x</title></head><body><main><img src='/static/img/favicon.svg'>"
        "<button></button></main></body></html>"
    )
    page.route("**/axe-bad-page", lambda route: route.fulfill(status=200, content_type="text/html", body=bad))
    page.goto(url + "/axe-bad-page")
    page.wait_for_function("() => window.__axeDone !== undefined")
    page.evaluate("async () => { await window.__axeDone; }")
    found = list(page.axe.violations)
    assert any("image-alt (critical)" in v and "/axe-bad-page" in v for v in found), found
    assert any("button-name (critical)" in v for v in found), found
    page.axe.violations.clear()  # this page was made bad on purpose

    page.goto(url + "/login")
    page.evaluate("async () => { await (window.__axeDone || null); }")
    assert url + "/login" in page.axe.checked
    assert page.axe.violations == []
    check_accessibility(page)
