"""Browser fixtures: the app served on a real port, Debian's Chromium driven by
Playwright, axe-core for accessibility, and a guard against outside requests."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from contest import cache
from tests.conftest import empty_tables, free_port, make_app

CHROMIUM = "/usr/bin/chromium"
AXE_JS = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": True, "has_touch": True}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield browser
    browser.close()
    playwright.stop()


class LiveServer:
    def __init__(self, app, port: int):
        self.app = app
        self.url = f"http://127.0.0.1:{port}"
        # True: the server answers nothing but 503 (see `cut_network`).
        self.cut = False
        self._server = make_server("127.0.0.1", port, self._serve, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _serve(self, environ, start_response):
        if self.cut:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]
        return self.app(environ, start_response)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(database_url, smtp_server, tmp_path):
    port = free_port()
    app = make_app(
        database_url,
        MAIL_SERVER=smtp_server.host,
        MAIL_PORT=smtp_server.port,
        OUTBOX_IN_PROCESS=True,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
    )
    server = LiveServer(app, port)
    server.start()
    yield server
    server.stop()
    app.extensions["outbox_sender"].stop()
    with app.app_context():
        from contest.extensions import db

        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()
        cache.clear()


def cut_network(live_server, page, cut: bool) -> None:
    """The hall's Wi-Fi goes (or comes back) for `page`'s browser. Chromium's
    offline emulation now and then lets a request of a page its service worker
    controls through to the network (a retry of the save queue, seconds later),
    which a real cut never does; so the server also stops answering meanwhile."""
    live_server.cut = cut
    page.context.set_offline(cut)


class PageGuard:
    """Records every request that leaves 127.0.0.1: pages must work offline in a hall."""

    def __init__(self, page):
        self.outside: list[str] = []
        page.on("request", self._check)

    def _check(self, request):
        parts = urlsplit(request.url)
        host = parts.hostname
        # Only network requests count; the browser's own PDF viewer loads
        # chrome:// and chrome-extension:// resources from inside Chromium.
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return
        if host not in ("127.0.0.1", "localhost"):
            self.outside.append(request.url)


# Runs in every HTML page the browser opens (top frame only), once it has
# loaded and its deferred scripts have run; reports serious and critical
# violations to the test through the __axeReport binding.
AXE_ON_LOAD = """
(() => {
  if (window.top !== window) { return; }
  const run = () => {
    // The app's pages only: not the browser's own (its offline error page, its PDF viewer).
    if (!/^https?:$/.test(location.protocol) || document.contentType !== "text/html" || !window.axe) { return; }
    // One run at a time: after any run still going (check_accessibility's too).
    window.__axeDone = Promise.resolve(window.__axeDone).catch(() => null)
      .then(() => axe.run(document, {resultTypes: ["violations"]})).then((results) => {
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
      return window.__axeReport(location.href, bad);
    }).catch(() => null);
  };
  window.addEventListener("load", () => setTimeout(run, 0));
})();
"""


class AxeWatch:
    """axe-core on every page a test opens: each serious or critical violation,
    with the page it was found on, fails the test when its page fixture ends."""

    def __init__(self, context):
        self.checked: list[str] = []
        self.violations: list[str] = []
        context.add_init_script(AXE_JS + "\n" + AXE_ON_LOAD)
        context.expose_binding("__axeReport", self._report)

    def _report(self, _source, url, bad):
        self.checked.append(url)
        self.violations.extend(f"{url}: {line}" for line in bad if f"{url}: {line}" not in self.violations)

    def finish(self, page):
        """Let the current page's run end (it may still be running) and check."""
        from playwright.sync_api import Error as PlaywrightError

        # A page closed or navigating away: its run is lost, not failed.
        with contextlib.suppress(PlaywrightError):
            page.evaluate("async () => { await (window.__axeDone || null); }")
        assert not self.violations, "accessibility violations:\n" + "\n".join(self.violations)


def _page(browser, options):
    context = browser.new_context(locale="vi-VN", **options)
    axe_watch = AxeWatch(context)
    page = context.new_page()
    page.guard = PageGuard(page)
    page.axe = axe_watch
    page.set_default_timeout(10_000)
    return context, page


def _finish(context, page):
    try:
        assert not page.guard.outside, f"requests to outside hosts: {page.guard.outside}"
        page.axe.finish(page)
    finally:
        context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _page(browser, PHONE)
    yield page
    _finish(context, page)


@pytest.fixture
def tablet_page(browser):
    context, page = _page(browser, TABLET)
    yield page
    _finish(context, page)


@pytest.fixture
def new_page(browser):
    """More pages for one test (another person, another device): each in a
    context of its own, guarded and checked by axe-core like the others."""
    opened = []

    def open_page(options):
        context, page = _page(browser, options)
        opened.append((context, page))
        return page

    yield open_page
    for context, page in opened:
        _finish(context, page)


def check_accessibility(page) -> None:
    """Run axe-core on the current page as it is now (after taps, notices shown):
    no serious or critical violations. Every page is also checked once loaded (AxeWatch)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS)
    results = page.evaluate("""async () => {
        const run = Promise.resolve(window.__axeDone).catch(() => null)
            .then(() => axe.run(document, {resultTypes: ['violations']}));
        window.__axeDone = run.catch(() => null);    // the next run waits for this one
        return await run;
    }""")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)
