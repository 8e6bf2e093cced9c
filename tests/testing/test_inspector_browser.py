"""The inspector page in a real browser: headless Chromium driven by Playwright.

The browser is the system's Chromium (Debian's ``chromium`` package; ``.ci/run``
installs it when it is missing), launched by Playwright's Python package with
``executable_path``; Playwright's own browser download is never used. Without
either, every test here is skipped with the reason. Messages reach the page
the real way: a :class:`cio_analytics.Client` (or raw HTTP) sends them to a
LocalServer on 127.0.0.1, whose feed the page reads.

The run saves a screenshot of the page under a realistic workload to
``build/screenshots/inspector.png`` (or ``$CIO_SCREENSHOT_DIR``); the README's
copy is ``docs/inspector.png``.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import cio_analytics
from cio_analytics.testing import LocalServer

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is not installed (extra: browser)"
)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A name that resolves to this machine, as a DNS-rebinding attack makes it.
    "--host-resolver-rules=MAP rebind.test 127.0.0.1",
]
WAIT_MS = 15_000  # every wait in the page is bounded by this
ROOT = Path(__file__).resolve().parents[2]


def _chromium() -> str | None:
    """The system Chromium, or None."""
    configured = os.environ.get("CIO_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module's tests."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium; .ci/run does it)")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server that keeps the newest 5,000 messages."""
    with LocalServer(keep=5000) as running:
        yield running


@pytest.fixture
def client(server: LocalServer) -> Iterator[cio_analytics.Client]:
    """A client delivering to ``server`` every 50 ms."""
    made = cio_analytics.Client(
        write_key=server.write_key, host=server.url, upload_interval=0.05, shutdown_timeout=5.0
    )
    try:
        yield made
    finally:
        made.shutdown(timeout=5.0)


@pytest.fixture
def page(browser: Any, server: LocalServer) -> Iterator[Any]:
    """The inspector page of ``server``, loaded and connected; fails on any script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 760}, accept_downloads=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on(
        "dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    opened.goto(server.inspector_url)
    opened.wait_for_selector('#connection[data-state="live"]', timeout=WAIT_MS)
    try:
        yield opened
    finally:
        context.close()
    assert errors == []


def _rows(page: Any) -> list[list[str]]:
    """The drawn rows, newest first, as lists of cell texts."""
    texts: list[list[str]] = page.eval_on_selector_all(
        "#rows tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
    )
    return texts


def _wait_rows(page: Any, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#rows tr').length === n", arg=count, timeout=WAIT_MS
    )


def _counter(page: Any, key: str) -> str:
    text: str = page.inner_text(f'#counters [data-key="{key}"] b')
    return text


def test_messages_appear_as_they_arrive(
    page: Any, client: cio_analytics.Client, server: LocalServer
) -> None:
    """Messages show newest first with type, name and user; the counters follow."""
    client.identify("user_1", {"email": "ada@example.com"})
    client.flush()
    _wait_rows(page, 1)
    client.track("user_1", "Order Completed", {"total": 42.5})
    client.page("user_1", name="Pricing")
    client.flush()
    _wait_rows(page, 3)
    rows = _rows(page)
    assert [row[1:4] for row in rows] == [
        ["page", "Pricing", "user_1"],
        ["track", "Order Completed", "user_1"],
        ["identify", "", "user_1"],
    ]
    page.wait_for_function(
        "() => document.querySelector('#counters [data-key=\"total\"] b').textContent === '3'",
        timeout=WAIT_MS,
    )
    assert _counter(page, "track") == "1"
    page.click("#rows tr:nth-child(2)")
    detail = json.loads(page.inner_text("#detail-json"))
    assert detail["properties"] == {"total": 42.5}
    assert detail["messageId"] == server.messages[1]["messageId"]


def test_filters(page: Any, client: cio_analytics.Client) -> None:
    """Type, event name, user and text filters narrow the rows."""
    client.track("alice", "Signed Up", {"plan": "pro"})
    client.track("bob", "Order Completed", {"coupon": "SPRING"})
    client.page("alice", name="Pricing")
    client.identify(anonymous_id="anon-7", traits={"city": "Lisbon"})
    client.flush()
    _wait_rows(page, 4)
    page.select_option("#filter-type", "track")
    _wait_rows(page, 2)
    page.fill("#filter-event", "order")
    _wait_rows(page, 1)
    assert _rows(page)[0][3] == "bob"
    page.select_option("#filter-type", "")
    page.fill("#filter-event", "")
    page.fill("#filter-user", "alice")
    _wait_rows(page, 2)
    page.fill("#filter-user", "anon-7")
    _wait_rows(page, 1)
    page.fill("#filter-user", "")
    page.fill("#filter-text", "spring")
    _wait_rows(page, 1)
    assert _rows(page)[0][2] == "Order Completed"


def test_rejected_message_shows_rule_and_status(page: Any, server: LocalServer) -> None:
    """A rejected message shows the rule it broke and the status its client got."""
    response = httpx.post(
        f"{server.url}/v1/batch",
        json={"batch": [{"type": "track", "userId": "u1", "event": "Device Created or Updated"}]},
        headers={"X-Strict-Mode": "1"},
        auth=("test-key", ""),
    )
    assert response.status_code == 400
    _wait_rows(page, 1)
    (row,) = _rows(page)
    assert "rejected - HTTP 400" in row[4]
    assert "context.device.token" in row[4]
    page.click("#rows tr")
    assert "the client got HTTP 400" in page.inner_text("#detail-facts")
    rules = page.eval_on_selector_all("#detail-rules li", "items => items.map(i => i.textContent)")
    assert rules == [
        '"Device Created or Updated" requires context.device.token (a non-empty string)'
    ]
    assert _counter(page, "rejected") in ("0", "1")  # the stats event comes within a second
    page.wait_for_function(
        "() => document.querySelector('#counters [data-key=\"rejected\"] b').textContent === '1'",
        timeout=WAIT_MS,
    )


def test_payload_strings_are_text_never_markup(page: Any, client: cio_analytics.Client) -> None:
    """An event named like an HTML tag shows those characters and runs nothing."""
    hostile = "<img src=x onerror=alert(1)>"
    client.track("<b>user</b>", hostile, {"note": "<script>alert(2)</script>"})
    client.flush()
    _wait_rows(page, 1)
    (row,) = _rows(page)
    assert row[2] == hostile
    assert row[3] == "<b>user</b>"
    assert page.query_selector("#rows img") is None
    assert page.query_selector("#rows b") is None
    page.click("#rows tr")
    assert "<script>alert(2)</script>" in page.inner_text("#detail-json")
    assert page.query_selector("#detail script") is None
    assert page.inner_text("#detail-title") == f"track {hostile}"


class _OtherSite(http.server.BaseHTTPRequestHandler):
    """Another origin on this machine: an empty page a test runs script in."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>another site</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def other_site() -> Iterator[str]:
    """The URL of a page served from another origin (another port on 127.0.0.1)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OtherSite)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        thread.join(10)
        httpd.server_close()


def test_rebinding_and_cross_origin_requests_are_refused(
    browser: Any, server: LocalServer, client: cio_analytics.Client, other_site: str
) -> None:
    """A page under another name, or on another origin, can neither read nor clear the data."""
    client.track("u1", "Kept")
    client.flush()
    context = browser.new_context()
    try:
        rebound = context.new_page()
        response = rebound.goto(f"http://rebind.test:{server.port}/")
        assert response is not None
        assert response.status == 403
        assert "DNS rebinding" in rebound.inner_text("body")
        attacker = context.new_page()
        attacker.goto(other_site)
        outcome = attacker.evaluate(
            """async (victim) => {
                const post = await fetch(
                    victim + "/__cio__/clear", {method: "POST", mode: "no-cors"}
                ).then(() => "sent", () => "blocked");
                const read = await fetch(victim + "/__cio__/messages")
                    .then((r) => r.text(), () => "blocked");
                return {post, read};
            }""",
            server.url,
        )
    finally:
        context.close()
    assert outcome["read"] == "blocked"
    assert server.message_count == 1  # the POST got 403: nothing was cleared
    assert [m["event"] for m in server.messages] == ["Kept"]


def test_pause_clear_and_download(
    page: Any, client: cio_analytics.Client, server: LocalServer
) -> None:
    """Pause holds new rows back, resume shows them, download saves what is shown, clear empties."""
    client.track("u1", "First")
    client.flush()
    _wait_rows(page, 1)
    page.click("#pause")
    client.track("u2", "While Paused")
    client.flush()
    page.wait_for_function(
        "() => document.querySelector('#shown').textContent.includes('1 waiting')",
        timeout=WAIT_MS,
    )
    assert len(_rows(page)) == 1
    page.click("#pause")
    _wait_rows(page, 2)
    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.click("#download")
    saved = Path(download_info.value.path())
    lines = [json.loads(line) for line in saved.read_text().splitlines()]
    assert [line["message"]["event"] for line in lines] == ["First", "While Paused"]
    page.click("#clear")
    _wait_rows(page, 0)
    page.wait_for_function("() => !document.querySelector('#empty').hidden", timeout=WAIT_MS)
    assert server.message_count == 0


def test_a_thousand_messages_a_second(page: Any, server: LocalServer) -> None:
    """At 1,000 messages a second the page keeps up, bounds its rows and still answers filters."""
    with cio_analytics.Client(
        write_key=server.write_key, host=server.url, upload_interval=0.1, upload_size=100
    ) as sender:
        for second in range(3):
            for n in range(1000):
                sender.track(f"user_{n % 50}", f"Event {n % 7}", {"second": second, "n": n})
            sender.flush()
            page.wait_for_timeout(700)  # pacing, not a measurement
    page.wait_for_function(
        "() => document.querySelector('#counters [data-key=\"total\"] b').textContent === '3,000'",
        timeout=WAIT_MS,
    )
    assert len(_rows(page)) <= 400  # the page draws the newest rows only
    page.fill("#filter-user", "user_7")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#rows tr'))"
        ".every(r => r.cells[3].textContent === 'user_7')",
        timeout=WAIT_MS,
    )
    assert _rows(page)


def test_screenshot_with_a_realistic_workload(
    page: Any, client: cio_analytics.Client, server: LocalServer
) -> None:
    """A screenshot of the page after a realistic workload (kept in the build folder)."""
    for n in range(1, 7):
        user = f"user_{n}"
        client.identify(user, {"email": f"{user}@example.com", "plan": "pro" if n % 2 else "free"})
        client.page(user, name="Pricing", properties={"url": "https://example.com/pricing"})
        client.ecommerce.product_viewed(user, product_id=f"p-{n}", price=19.5 + n)
        client.ecommerce.order_completed(user, order_id=f"o-{n}", total=19.5 + n, currency="EUR")
    client.add_device("user_2", "fcm-token-123", "android")
    client.track("user_3", "Order Completed", {"total": 42}, message_id="order-42")
    client.track("user_3", "Order Completed", {"total": 42}, message_id="order-42")
    client.flush()
    httpx.post(
        f"{server.url}/v1/batch",
        json={"batch": [{"type": "track", "userId": "user_9", "event": "Device Deleted"}]},
        auth=("test-key", ""),
    )
    _wait_rows(page, 28)
    page.click("#rows tr:nth-child(2)")
    page.wait_for_timeout(1200)  # let the counters' next update land
    folder = Path(os.environ.get("CIO_SCREENSHOT_DIR") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "inspector.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
