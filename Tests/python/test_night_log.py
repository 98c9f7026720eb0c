"""The night log and every page as a tired person at 3 a.m. meets them, in Debian's chromium: at
a phone's size (390x844, touch) and a laptop's (1280x800), light and dark.

- logging a night cramp from the home page takes at most 4 taps, with Save on the first screen;
- the red-flag questions come next; leaving them marks the cramp, and nothing reassuring shows;
- no page scrolls sideways at 390 px, nor at 320 px (a 640 px window at 200% zoom reflows alike);
- every page passes axe with no serious or critical violation, and its colour-contrast rule in
  the dark theme (the system's, and the switch's);
- every page is saved as a screenshot at both sizes in artifacts/pages/ for a person to look at."""
import os
import re
import shutil

import pytest

from webserver import Server

playwright_api = pytest.importorskip("playwright.sync_api")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = os.path.join(os.path.dirname(__file__), "artifacts", "pages")
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

if os.environ.get("CI") == "true" and not CHROMIUM:
    raise RuntimeError("chromium is not installed: the test command installs Debian's chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (scripts/test installs it)")

AXE = Axe()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def personal(tmp_path):
    server = Server(str(tmp_path / "journal.sqlite"))
    yield server
    server.stop()


def serious(page, where, rules=None):
    options = {"runOnly": rules} if rules else None
    results = AXE.run(page, options=options)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)


def sideways(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def tap_count(page):
    """Taps (touch) on the page from here on, counted in the page itself."""
    page.evaluate("window.__taps = 0; document.addEventListener('touchstart', () => window.__taps++, true)")


def night_log(page, base, muscle="Calf", duration="1–5 min", severity="7"):
    """The four taps from the home page; returns how many taps it took."""
    page.goto(base + "/")
    tap_count(page)
    save = page.get_by_role("button", name="Save")
    box = save.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"], f"Save is below the first screen: {box}"
    page.locator("#muscles label.chip", has_text=re.compile(f"^{muscle}$")).tap()
    page.locator("#durationSeconds label.chip", has_text=duration).tap()
    page.locator("#severity label.chip", has_text=re.compile(f"^{severity}$")).tap()
    save.tap()
    page.wait_for_url(re.compile(r"/journal/[0-9a-f-]{36}/safety$"))
    return page.evaluate("window.__taps || 0")


def test_a_night_cramp_takes_four_taps_and_the_safety_questions_follow(browser, personal):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        taps = night_log(page, personal.base)
        assert taps <= 4
        assert page.get_by_role("heading", name="Safety questions").is_visible()
        # The emergency number and the call-now signs are on the log itself, above Save.
        page.goto(personal.base + "/journal/new")
        call = page.locator(".call-now")
        assert call.locator("a[href^='tel:']").count() == 1 and "Chest pain" in call.inner_text()
        assert call.bounding_box()["y"] < page.get_by_role("button", name="Save").bounding_box()["y"]
        # Left unanswered: said on the home page, the journal and the cramp, with nothing reassuring.
        page.goto(personal.base + "/")
        assert "Safety questions not answered" in page.locator(".warning").first.inner_text()
        page.goto(personal.base + "/journal")
        flag = page.get_by_role("link", name=re.compile("Safety questions not answered"))
        assert flag.count() == 1
        cramp = page.locator("ol.journal > li a").first.get_attribute("href")
        page.goto(personal.base + cramp)
        assert "SELF-CARE" not in page.content() and "safe to manage at home" not in page.content()
        assert "Safety questions not answered" in page.content()
        # Answered "no" to each: the check, and the marks are gone.
        flag = page.get_by_role("link", name="Answer them now")
        flag.click()
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("input[value='no']").check()
        page.get_by_role("button", name="Continue").click()
        assert "SELF-CARE" in page.get_by_role("alert").first.inner_text()
        page.goto(personal.base + "/")
        assert "Safety questions not answered" not in page.content()
        status, episodes, _ = personal.api("GET", "/api/v1/episodes")
        (episode,) = episodes["episodes"]
        assert episode["durationRange"] == "1_to_5_min" and episode["durationSeconds"] == 300
        assert episode["severity"] == 7 and episode["safetyQuestions"] == "answered"
    finally:
        context.close()


def test_one_yes_on_the_safety_questions_is_the_emergency_at_once(browser, personal):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        night_log(page, personal.base)
        lungs = page.locator("fieldset#lungs")
        lungs.locator("input[value='yes']").check()
        lungs.locator("input[name='sign[]'][value='chest_pain']").check()
        page.get_by_role("button", name="Continue").click()
        assert "EMERGENCY" in page.get_by_role("alert").first.inner_text()
        assert page.locator("a[href^='tel:']").first.is_visible()
    finally:
        context.close()


def test_over_ten_minutes_asks_how_long_in_everyday_words(browser, personal):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(personal.base + "/")
        how_long = page.get_by_label(re.compile("How long\\?"))
        assert not how_long.is_visible()
        page.locator("#muscles label.chip", has_text="Back of thigh").tap()
        page.locator("#durationSeconds label.chip", has_text="over 10 min").tap()
        assert how_long.is_visible()
        page.get_by_role("button", name="Save").tap()
        page.wait_for_url(re.compile("/journal/new$"))
        assert "There is a problem" in page.content() and "how long" in page.content().lower()
        serious(page, "night log with an error")
        page.get_by_label(re.compile("How long\\?")).fill("half an hour")
        page.get_by_role("button", name="Save").tap()
        page.wait_for_url(re.compile("/safety$"))
        _, episodes, _ = personal.api("GET", "/api/v1/episodes")
        assert episodes["episodes"][0]["durationSeconds"] == 1800 and "durationRange" not in episodes["episodes"][0]
    finally:
        context.close()


def test_a_deleted_cramp_can_be_put_back(browser, personal):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        status, created, _ = personal.api("POST", "/api/v1/episodes", {
            "startedAt": "2026-03-01T03:10:00+00:00", "durationSeconds": 120, "muscles": ["calf"], "note": "woke me"})
        assert status == 201
        page.goto(personal.base + f"/journal/{created['id']}")
        page.get_by_role("button", name="Delete this cramp").click()
        assert page.get_by_role("heading", name="Cramp deleted").is_visible()
        serious(page, "deleted")
        assert personal.api("GET", f"/api/v1/episodes/{created['id']}")[0] == 404
        page.get_by_role("button", name=re.compile("Undo")).click()
        assert "back in your journal" in page.content() and "woke me" in page.content()
        status, back, _ = personal.api("GET", f"/api/v1/episodes/{created['id']}")
        assert status == 200 and back["note"] == "woke me"
    finally:
        context.close()


def test_the_screen_switch_turns_every_page_dark(browser, personal):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(personal.base + "/journal")
        page.get_by_role("link", name="Dark", exact=True).click()
        assert page.url.endswith("/journal")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)", background
        serious(page, "journal, dark by the switch", rules=["color-contrast"])
        page.get_by_role("link", name="Same as this device").click()
        assert page.evaluate("document.documentElement.dataset.theme") is None
    finally:
        context.close()


def seed(server):
    """A journal with something on every page: long, short and missing values."""
    ids = []
    for day, (muscles, seconds, extra) in enumerate([
        (["calf"], 90, {"severity": 7, "onset": "sleep", "reliefs": [{"technique": "stretch", "outcome": "helped"}]}),
        (["hamstrings", "quadriceps", "calf", "unsure"], 604800, {"severity": 10, "side": "both", "note": "W" * 300}),
        (["quadriceps"], 1, {}),
        (["calf"], 300, {"durationRange": "1_to_5_min", "safetyQuestions": "not_answered"}),
    ]):
        status, created, _ = server.api("POST", "/api/v1/episodes", {
            "startedAt": f"2026-11-{20 + day}T03:1{day}:00+00:00", "durationSeconds": seconds, "muscles": muscles, **extra})
        assert status == 201, created
        ids.append(created["id"])
    for day in range(10, 24):
        status, _, _ = server.api("PUT", f"/api/v1/days/2026-11-{day}", {"fluidsML": 600 + day * 40, "hotWeather": day % 3 == 0})
        assert status in (200, 201)
    return ids


def page_list(base, ids):
    first = ids[0]
    return [
        ("home", "/"), ("night-log", "/journal/new"), ("journal", "/journal"), ("cramp", f"/journal/{first}"),
        ("cramp-unanswered", f"/journal/{ids[3]}"), ("edit", f"/journal/{first}/edit"), ("safety", f"/journal/{first}/safety"),
        ("assess", "/assess"), ("relieve", "/relieve"), ("relieve-calf", "/relieve?muscle=calf"), ("day", "/day"),
        ("profile", "/profile"), ("plan", "/plan"), ("insights", "/insights"), ("report", "/insights/report"), ("learn", "/learn"), ("learn-relief", "/learn/relief"),
        ("search", "/learn/search?q=cramp+at+night"), ("data", "/data"), ("not-found", "/no/such/page"),
    ]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_page_fits_passes_axe_and_is_saved_as_a_screenshot(browser, personal, size):
    ids = seed(personal)
    os.makedirs(PAGES, exist_ok=True)
    problems = []
    for scheme in ("light", "dark"):
        context = browser.new_context(**(PHONE if size == "phone" else DESKTOP), color_scheme=scheme)
        page = context.new_page()
        try:
            for name, path in page_list(personal.base, ids):
                page.goto(personal.base + path)
                page.screenshot(path=os.path.join(PAGES, f"{size}-{scheme}-{name}.png"), full_page=True)
                if size == "phone" and sideways(page) > 0:
                    problems.append(f"{path} scrolls sideways by {sideways(page)} px at 390 px")
                try:
                    serious(page, f"{path} ({scheme})", rules=["color-contrast"] if scheme == "dark" else None)
                except AssertionError as error:
                    problems.append(str(error))
            # A result page: the assessment's, after one emergency answer.
            page.goto(personal.base + "/assess")
            page.locator("fieldset#lungs input[value='yes']").check()
            page.get_by_role("button", name="Continue").click()
            page.screenshot(path=os.path.join(PAGES, f"{size}-{scheme}-result-emergency.png"), full_page=True)
            try:
                serious(page, f"emergency result ({scheme})", rules=["color-contrast"] if scheme == "dark" else None)
            except AssertionError as error:
                problems.append(str(error))
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_no_page_scrolls_sideways_at_320_px_the_reflow_of_200_percent_zoom(browser, personal):
    ids = seed(personal)
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        wide = []
        for _, path in page_list(personal.base, ids):
            page.goto(personal.base + path)
            if sideways(page) > 0:
                wide.append(f"{path}: {sideways(page)} px")
        assert not wide, wide
    finally:
        context.close()


def test_the_plan_is_short_with_this_week_first_and_a_tap_opens_each_part(browser, personal):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(personal.base + "/plan")
        headings = page.locator("h2").all_inner_texts()
        assert headings.index("This week") < headings.index("How to do each one")
        assert page.get_by_role("heading", name=re.compile(r"^Today, ")).count() + page.get_by_role("heading", name="Every day").count() >= 1
        # About three phone screens, not twelve: the parts are folded until tapped.
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 3.5 * 844, f"the plan is {height / 844:.1f} screens long"
        link = page.locator("ul.week a").first
        target = link.get_attribute("href")
        link.tap()
        assert page.locator(target).is_visible(), "the linked part opened"
        # Nothing empty is printed as content.
        text = page.inner_text("main")
        for empty in ["Sets: \n", "Each week: \n", "Reminder: \n", "found .", "()"]:
            assert empty not in text
        serious(page, "plan")
    finally:
        context.close()


def test_a_kept_check_is_in_the_journal_as_it_was_made(browser, personal):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(personal.base + "/journal")
        assert page.get_by_text(re.compile("Checks you kept")).count() == 0
        page.goto(personal.base + "/assess")
        page.locator("fieldset#lungs input[value='yes']").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Keep this result in my journal").click()
        page.get_by_role("link", name="See it in your journal").click()
        assert page.get_by_role("heading", name="A check you kept").is_visible()
        assert "Emergency: it said to call the emergency number" in page.inner_text("main")
        serious(page, "a kept check")
        page.goto(personal.base + "/journal")
        # An emergency of the last 14 days: the list is open, and says what the check said.
        checks = page.locator("details.checks")
        assert checks.get_attribute("open") is not None
        assert "Checks you kept (1)" in checks.inner_text()
        assert "Emergency: it said to call the emergency number" in checks.inner_text()
        serious(page, "the journal with a kept check")
    finally:
        context.close()
