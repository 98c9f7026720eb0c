"""The web app on a phone's home screen with no network, in Debian's chromium at a phone's size.

The server is really unreachable in these tests: stopped, then started again on the same port and
journal (Playwright's offline switch does not reach a service worker's fetches in Chromium).

- installable: Chromium's Page.getInstallabilityErrors (DevTools protocol) finds none; the
  offline page passes axe; the CSP is the strict one plus manifest-src and worker-src 'self';
- a cramp noted offline shows as waiting and is not on the server; when the server is back it
  arrives exactly once, also when the first send was committed but its answer was lost;
- a second person signing in on the same browser never receives it; the first gets it;
- relief offline is what the person's last check allowed (kept in IndexedDB while signed in),
  else the gentle stretch; after a check with a clot picture nothing hands-on is offered;
- sign-out settles the queue (sent, or dropped only when the person says so) and leaves no health
  data in Cache Storage or IndexedDB; pages with health data are no-store and never cached."""
import json
import os
import re
import shutil
import time

import pytest

from webserver import Server, free_port

playwright_api = pytest.importorskip("playwright.sync_api")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from browsing import PASSWORD, answer_safety, answer_the_rest, register  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
SHOTS = os.path.join(os.path.dirname(__file__), "artifacts", "offline")

if os.environ.get("CI") == "true" and not CHROMIUM:
    raise RuntimeError("chromium is not installed: the test command installs Debian's chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (scripts/test installs it)")



ARGS = ["--no-sandbox"] if os.geteuid() == 0 else []


@pytest.fixture(scope="module")
def playwright():
    with playwright_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield chromium
    chromium.close()


class Restartable:
    """A hosted server that can be stopped and started again on the same port and journal."""

    def __init__(self, tmp_path, hosted=True):
        self.database = str(tmp_path / "journal.sqlite")
        self.port = free_port()
        self.hosted = hosted
        self.server = Server(self.database, hosted=hosted, port=self.port)
        self.base = self.server.base

    def stop(self):
        if self.server:
            self.server.stop()
            self.server = None

    def start(self):
        self.server = Server(self.database, hosted=self.hosted, port=self.port)


@pytest.fixture
def hosted(tmp_path):
    server = Restartable(tmp_path)
    yield server
    server.stop()


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


def sign_in(page, base, email):
    page.goto(base + "/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("button", name="Sign out", exact=True).is_visible()


def ready(page):
    """The service worker installed and controlling the page, its shell cached."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("async () => (await caches.keys()).length > 0")


def episodes(page, base):
    """The signed-in person's episodes, asked of the server directly (never through the worker)."""
    response = page.context.request.get(base + "/api/v1/episodes?limit=500")
    assert response.status == 200, response.status
    return response.json()["episodes"]


def note_offline(page, base, muscle="Calf", duration="1–5 min", severity="6"):
    page.goto(base + "/journal/new")
    assert page.locator("h1").inner_text() == "No connection"
    page.locator("#muscles label.chip", has_text=re.compile(f"^{muscle}$")).tap()
    page.locator("#durationSeconds label.chip", has_text=duration).tap()
    page.locator("#severity label.chip", has_text=re.compile(f"^{severity}$")).tap()
    page.get_by_role("button", name="Save").tap()
    page.locator("#offline-saved").wait_for(state="visible")


def read_store(page, store, key=None):
    """A store of the phone's IndexedDB: every record, or one setting's value."""
    return page.evaluate("""([store, key]) => new Promise((resolve) => {
        const open = indexedDB.open("crampcare", 1);
        open.onupgradeneeded = () => { open.result.createObjectStore("queue", {keyPath: "id"}); open.result.createObjectStore("settings", {keyPath: "key"}); };
        open.onsuccess = () => { const db = open.result; const objects = db.transaction(store).objectStore(store);
            const got = key === null ? objects.getAll() : objects.get(key);
            got.onsuccess = () => { db.close(); resolve(key === null ? got.result : (got.result ? got.result.value : null)); }; };
        open.onerror = () => resolve(null);
    })""", [store, key])


def queued(page):
    return read_store(page, "queue")


def stored(page):
    """What Cache Storage and IndexedDB hold: cache URLs, and the queue's items if the database is there."""
    return page.evaluate("""async () => {
        const urls = [];
        for (const key of await caches.keys()) {
            for (const request of await (await caches.open(key)).keys()) urls.push(new URL(request.url).pathname);
        }
        const names = (await indexedDB.databases()).map(d => d.name);
        return {urls, names};
    }""")


SHELL = {"/offline", "/static/style.css", "/static/app.js", "/static/relieve.js", "/static/icon-192.png", "/manifest.webmanifest"}


def test_the_app_is_installable_and_its_offline_page_passes_axe(playwright, tmp_path):
    server = Server(str(tmp_path / "journal.sqlite"))
    try:
        # A profile of its own: Chromium never offers to install from an incognito window.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True, **PHONE)
        page = context.new_page()
        response = page.goto(server.base + "/")
        csp = response.headers["content-security-policy"]
        assert csp.startswith("default-src 'none'; script-src 'self'; style-src 'self';")
        assert "manifest-src 'self'" in csp and "worker-src 'self'" in csp and "unsafe" not in csp
        ready(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        manifest = cdp.send("Page.getAppManifest")
        assert not manifest.get("errors"), manifest.get("errors")
        parsed = json.loads(manifest["data"])
        assert parsed["display"] == "standalone" and {i["sizes"] for i in parsed["icons"]} >= {"192x192", "512x512"}
        # The shell only: no page or answer with health data is ever in Cache Storage.
        assert set(stored(page)["urls"]) <= SHELL
        page.goto(server.base + "/offline")
        results = Axe().run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, [(v["id"], v["help"]) for v in bad]
        shot(page, "offline-page-online")
        context.close()
    finally:
        server.stop()


def test_a_cramp_noted_offline_waits_then_arrives_exactly_once(browser, hosted):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    register(page, hosted.base, "night@example.org")
    ready(page)
    assert episodes(page, hosted.base) == []
    hosted.stop()
    note_offline(page, hosted.base)
    status = page.locator("#queue-status")
    assert "1 cramp noted on this phone is waiting to be sent" in status.inner_text()
    # No triage offline: the call-now signs and the number, never a check's result.
    body = page.locator("main").inner_text()
    assert "cannot check your symptoms" in body and "Call" in body
    assert not re.search(r"URGENT|EMERGENCY", body) and not re.search(r"self.care|nothing to worry", body, re.I)
    assert page.locator(".call-now").count() == 1
    # Offline, only the gentle stretch: nothing an assessment would have had to allow.
    relief = page.locator(".relief-offline").all_inner_texts()
    assert len(relief) == 3 and not re.search(r"heat|warm bath|rub|massage|painkiller", " ".join(relief), re.I)
    shot(page, "offline-noted")
    item = queued(page)[0]
    assert re.fullmatch(r"[0-9a-f-]{36}", item["id"]) and item["owner"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", item["loggedAt"])
    hosted.start()
    # The first send reaches the server and is kept, but its answer is lost on the way back.
    lost = {"count": 0}

    def lose_answer(route):
        if route.request.method == "PUT" and lost["count"] == 0:
            lost["count"] += 1
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    context.route(re.compile(r".*/api/v1/episodes/.*"), lose_answer)
    page.goto(hosted.base + "/")
    page.wait_for_function("() => { const s = document.querySelector('#queue-status'); return s && !s.hidden; }")
    assert lost["count"] == 1
    kept = episodes(page, hosted.base)
    assert [e["id"] for e in kept] == [item["id"]], "the lost answer's send was committed"
    assert len(queued(page)) == 1, "its answer was lost, so the phone still has it"
    # Sent again: the same id and body are one row, and the phone lets it go.
    page.goto(hosted.base + "/")
    page.locator("#queue-status", has_text="Sent").wait_for()
    assert queued(page) == []
    kept = episodes(page, hosted.base)
    assert len(kept) == 1 and kept[0]["id"] == item["id"] and kept[0]["muscles"] == ["calf"] and kept[0]["severity"] == 6
    assert kept[0]["safetyQuestions"] == "not_answered"
    shot(page, "offline-sent")
    # The red-flag questions are offered, as after any log.
    page.get_by_role("link", name="Answer its safety questions now").tap()
    page.wait_for_url(re.compile(rf"/journal/{item['id']}/safety$"))
    assert "safety" in page.locator("h1").inner_text().lower()
    page.goto(hosted.base + "/journal")
    assert len(episodes(page, hosted.base)) == 1
    context.close()


def test_another_person_on_the_same_browser_never_receives_it(browser, hosted):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    register(page, hosted.base, "first@example.org")
    ready(page)
    hosted.stop()
    note_offline(page, hosted.base, muscle="Calf")
    hosted.start()
    # The first person's session ends; a second person signs in on the same browser.
    context.clear_cookies()
    page.goto(hosted.base + "/signin")
    page.locator("#queue-status", has_text="waiting to be sent").wait_for()
    register(page, hosted.base, "second@example.org")
    page.goto(hosted.base + "/journal")
    page.wait_for_timeout(500)
    assert episodes(page, hosted.base) == []
    assert len(queued(page)) == 1, "the first person's cramp stays queued for them"
    # The first person signs in again: theirs arrives, once.
    context.clear_cookies()
    sign_in(page, hosted.base, "first@example.org")
    page.locator("#queue-status", has_text="Sent").wait_for()
    assert len(episodes(page, hosted.base)) == 1
    context.clear_cookies()
    sign_in(page, hosted.base, "second@example.org")
    assert episodes(page, hosted.base) == []
    context.close()


def test_sign_out_settles_the_queue_and_leaves_no_health_data(browser, hosted):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    register(page, hosted.base, "leaving@example.org")
    ready(page)
    hosted.stop()
    note_offline(page, hosted.base)
    hosted.start()
    # Online, but every send fails: at sign-out the person is asked, and says sign out anyway.
    context.route(re.compile(r".*/api/v1/episodes/.*"), lambda route: route.abort("connectionreset"))
    page.goto(hosted.base + "/journal")
    page.locator("#queue-status", has_text="waiting").wait_for()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_timeout(500)
    assert asked and "has not been sent" in asked[0] and "Cancel to stay signed in" in asked[0]
    assert len(queued(page)) == 1, "dismissed: kept, and still signed in"
    assert "/journal" in page.url
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(hosted.base + "/")
    page.wait_for_timeout(500)
    left = stored(page)
    assert "crampcare" not in left["names"], left
    assert set(left["urls"]) <= SHELL, left
    # Pages and answers with health data are never stored by anyone.
    sign_in(page, hosted.base, "leaving@example.org")
    for path in ["/journal", "/insights", "/api/v1/episodes"]:
        assert page.context.request.get(hosted.base + path).headers["cache-control"] == "no-store", path
    context.close()


def test_a_cramp_saved_on_the_usual_page_when_the_server_is_gone_is_kept(browser, hosted):
    """The signal goes while the night log is open: Save keeps the cramp on the phone instead."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    register(page, hosted.base, "midlog@example.org")
    ready(page)
    page.goto(hosted.base + "/journal/new")
    assert page.locator("h1").inner_text() == "Log a cramp"
    hosted.stop()
    page.locator("#muscles label.chip", has_text=re.compile("^Back of thigh$")).tap()
    page.locator("#durationSeconds label.chip", has_text="under 1 min").tap()
    page.get_by_role("button", name="Save").tap()
    page.locator("#offline-saved").wait_for(state="visible")
    assert page.locator("h1").inner_text() == "No connection"
    assert [item["episode"]["muscles"] for item in queued(page)] == [["hamstrings"]]
    hosted.start()
    page.goto(hosted.base + "/")
    page.locator("#queue-status", has_text="Sent").wait_for()
    assert [e["muscles"] for e in episodes(page, hosted.base)] == [["hamstrings"]]
    context.close()


def yours(page):
    """What the phone keeps for the offline page of the person signed in (IndexedDB settings)."""
    return read_store(page, "settings", "yours")


def kept_relief(page, base, says):
    """A signed-in page, then the phone holds relief whose words include `says`."""
    page.goto(base + "/journal")
    for _ in range(50):
        value = yours(page)
        if value and value.get("relief") and says in value["relief"]:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"the phone never kept relief saying {says!r}: {yours(page)}")


def test_relief_offline_is_what_the_last_check_allowed(browser, hosted):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    register(page, hosted.base, "relief@example.org")
    ready(page)
    # A plain cramp, checked: its stretches and the rub are kept for use with no network.
    page.goto(hosted.base + "/assess")
    answer_safety(page)
    answer_the_rest(page, age="70")
    assert "SELF-CARE" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Keep this result in my journal").click()
    kept = kept_relief(page, hosted.base, "What your last check")
    assert kept["whose"] == "relief@example.org"
    hosted.stop()
    page.goto(hosted.base + "/journal")
    assert page.locator("h1").inner_text() == "No connection"
    page.locator("#offline-ease", has_text="What your last check").wait_for()
    assert page.locator("#offline-whose").inner_text() == "Cramps you note here go to the journal of relief@example.org."
    ease = page.locator("#offline-ease")
    assert ease.locator("summary").count() == 3
    ease.locator("summary", has_text="Calf").tap()
    calf = ease.locator("details").first
    assert "Stretch the calf" in calf.inner_text() and "Rub the muscle" in calf.inner_text()
    # Its timers work, put in after the page loaded.
    calf.get_by_role("button", name="Start the timer").first.tap()
    calf.locator(".timer-status", has_text="Hold 1 of 3").first.wait_for()
    shot(page, "offline-relief-after-a-check")
    hosted.start()
    # A clot picture: nothing hands-on is offered offline, for any muscle.
    page.goto(hosted.base + "/assess")
    answer_safety(page, yes={"swelling": ["calf_swelling"], "calf_skin": ["calf_warmth_redness", "calf_tenderness"]})
    answer_the_rest(page, minutes="45", age="67", eased="not_relieved_by_stretching", felt=())
    assert "URGENT" in page.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Keep this result in my journal").click()
    kept_relief(page, hosted.base, "rule out")
    hosted.stop()
    page.goto(hosted.base + "/journal")
    page.locator("#offline-ease", has_text="found signs that rule out").wait_for()
    assert "It said \u201cURGENT: be seen today\u201d." in page.locator("#offline-ease").inner_text()
    assert page.locator("#offline-ease .relief-step").count() == 0
    assert page.locator("#offline-ease a[href^='tel:']").count() == 1
    shot(page, "offline-relief-after-clot-signs")
    hosted.start()
    # Sign-out leaves none of it on the phone.
    page.goto(hosted.base + "/journal")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(hosted.base + "/")
    page.wait_for_timeout(500)
    assert "crampcare" not in stored(page)["names"]
    context.close()
