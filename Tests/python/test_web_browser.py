"""The web app in a real headless Chromium (Debian's `chromium`, driven by Playwright), with an
axe-core audit of every page. A failing test leaves a screenshot in Tests/python/artifacts/."""
import os
import re
import shutil

import pytest

from webserver import Server

playwright_api = pytest.importorskip("playwright.sync_api")
from browsing import answer_safety, answer_the_rest, audit  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")

if os.environ.get("CI") == "true" and not CHROMIUM:
    raise RuntimeError("chromium is not installed: the test command installs Debian's chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (scripts/test installs it)")


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


@pytest.fixture
def hosted(tmp_path):
    server = Server(str(tmp_path / "hosted.sqlite"), hosted=True)
    yield server
    server.stop()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{request.node.name}.png"), full_page=True)
    context.close()


def test_assessment_of_a_self_care_cramp(page, personal):
    page.goto(personal.base + "/")
    audit(page, "home")
    page.get_by_role("link", name=re.compile("Check my symptoms")).first.click()
    assert "safety questions" in page.content()
    audit(page, "assess safety questions")
    answer_safety(page)
    seen = answer_the_rest(page, audit_pages=True)
    # Only what can still change the advice is asked: the side and sex of a plain cramp are not.
    assert seen[:3] == ["muscles", "duration", "feel"] and "side" not in seen and "sex" not in seen, seen
    banner = page.get_by_role("alert")
    assert "SELF-CARE" in banner.inner_text()
    assert page.get_by_role("heading", name="Get help if").is_visible()
    assert page.get_by_role("heading", name="Sources").is_visible()
    audit(page, "self-care result")


def test_clot_signs_bring_the_urgent_banner(page, personal):
    page.goto(personal.base + "/assess")
    answer_safety(page, yes={"swelling": ["calf_swelling"], "calf_skin": ["calf_warmth_redness", "calf_tenderness"]})
    answer_the_rest(page, minutes="45", age="67", eased="not_relieved_by_stretching", felt=())
    banner = page.get_by_role("alert")
    assert "URGENT" in banner.inner_text()
    assert "today" in banner.inner_text()
    assert page.get_by_role("heading", name="Why this advice").is_visible()
    audit(page, "urgent result")


def test_an_emergency_answer_stops_the_questions(page, personal):
    page.goto(personal.base + "/assess")
    answer_safety(page, yes={"lungs": ["chest_pain"]})
    banner = page.get_by_role("alert")
    assert "EMERGENCY" in banner.inner_text()
    assert page.get_by_role("link", name=re.compile("Call ")).is_visible()
    audit(page, "emergency result")


def test_only_yes_chest_pain_on_the_first_question_is_an_emergency_at_once(page, personal):
    # A person in a hurry answers the first question and nothing else (hazard H26).
    page.goto(personal.base + "/assess")
    lungs = page.locator("fieldset#lungs")
    lungs.locator("input[value='yes']").check()
    lungs.locator("input[name='sign[]'][value='chest_pain']").check()
    page.get_by_role("button", name="Continue").click()
    banner = page.get_by_role("alert")
    assert "EMERGENCY" in banner.inner_text()
    assert "There is a problem" not in page.content()
    call = page.get_by_role("link", name=re.compile("Call "))
    assert call.is_visible()
    assert call.get_attribute("href").startswith("tel:")
    audit(page, "emergency after one answer")


def test_yes_with_no_sign_ticked_counts_as_the_most_urgent(page, personal):
    page.goto(personal.base + "/assess")
    page.locator("fieldset#lungs").locator("input[value='yes']").check()
    page.get_by_role("button", name="Continue").click()
    assert "EMERGENCY" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("link", name=re.compile("Call ")).is_visible()
    assert "without ticking which" in page.content() and "most serious: chest pain." in page.content()


def test_not_sure_counts_as_yes(page, personal):
    page.goto(personal.base + "/assess")
    page.locator("fieldset#lungs").locator("input[value='unsure']").check()
    page.get_by_role("button", name="Continue").click()
    assert "EMERGENCY" in page.get_by_role("alert").inner_text()


def test_a_safety_question_cannot_be_skipped(page, personal):
    page.goto(personal.base + "/assess")
    page.get_by_role("button", name="Continue").click()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    audit(page, "assess errors")


def log_episode(page, base, muscle="calf", duration="1–5 min", severity="6"):
    """The night log from the home page, then "no" to every safety question."""
    page.goto(base + "/")
    page.locator("#muscles label.chip", has_text=re.compile(f"^{muscle}$", re.I)).click()
    page.locator("#durationSeconds label.chip", has_text=duration).click()
    page.locator("#severity label.chip", has_text=re.compile(f"^{severity}$")).click()
    page.get_by_role("button", name="Save").click()
    # Save first asks whether the server answers (app.js), then goes on.
    page.wait_for_url(re.compile(r".*/safety$"))
    answer_safety(page)


def test_logging_and_editing_an_episode(page, personal):
    log_episode(page, personal.base)
    assert re.search(r"/journal/[0-9a-f-]{36}", page.url)
    assert "SELF-CARE" in page.get_by_role("alert").inner_text()
    assert "1–5 min" in page.content()
    assert "6 of 10" in page.content()
    audit(page, "episode page")
    page.get_by_role("link", name="Add details or edit").click()
    audit(page, "edit form")
    page.get_by_label(re.compile("How bad was it")).fill("8")
    page.get_by_label(re.compile("A note")).fill("woke me at night")
    page.get_by_role("button", name="Save").click()
    assert "Saved." in page.content()
    assert "8 of 10" in page.content()
    assert "woke me at night" in page.content()
    # The range the person chose stays while the edit keeps its time.
    assert "1–5 min" in page.content()
    # A bad value is refused with the field named, and nothing changes.
    page.get_by_role("link", name="Add details or edit").click()
    page.get_by_label(re.compile("How bad was it")).fill("12")
    page.get_by_role("button", name="Save").click()
    assert "There is a problem" in page.content() and "severity" in page.content().lower()
    audit(page, "edit form with an error")


def test_the_journal_and_its_filters(page, personal):
    for index, muscle in enumerate(["calf", "hamstrings", "calf", "quadriceps"]):
        status, _, _ = personal.api("POST", "/api/v1/episodes", {
            "startedAt": f"2026-03-0{index + 1}T22:00:00+00:00", "durationSeconds": 60 + index, "muscles": [muscle], "severity": 2 + index * 2})
        assert status == 201
    page.goto(personal.base + "/journal")
    audit(page, "journal")
    assert page.locator("ol.journal > li").count() == 4
    page.get_by_text("Filter the journal").click()
    page.get_by_label("Muscle").select_option("calf")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("ol.journal > li").count() == 2
    page.get_by_label("Severity at least").fill("5")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("ol.journal > li").count() == 1
    page.goto(personal.base + "/journal?from=2026-03-02&to=2026-03-03")
    assert page.locator("ol.journal > li").count() == 2


def test_day_profile_learning_and_data_pages_pass_the_audit(page, personal):
    for path in ["/day", "/profile", "/plan", "/learn", "/learn/relief", "/learn/search?q=cramp+at+night", "/data"]:
        page.goto(personal.base + path)
        audit(page, path)
    page.goto(personal.base + "/day")
    page.get_by_label(re.compile("Glasses of water")).fill("1.5 L")
    page.get_by_label("It was hot").check()
    # Mineral foods: "None of these" with a food is refused, naming the field; alone it is saved.
    page.get_by_label("None of these").check()
    page.get_by_label("Foods rich in calcium").check()
    page.get_by_role("button", name="Save my day").click()
    assert "There is a problem" in page.content() and "none alone" in page.content()
    audit(page, "day with an error")
    page.get_by_label("Foods rich in calcium").uncheck()
    page.get_by_role("button", name="Save my day").click()
    assert "Saved." in page.content()
    assert page.get_by_label("None of these").is_checked()
    page.goto(personal.base + "/profile")
    page.get_by_label("Year of birth").fill("1950")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save my profile").click()
    assert "There is a problem" in page.content() and "Mars/Olympus" in page.content()
    audit(page, "profile with an error")


def sign_up(page, base, email, password):
    page.goto(base + "/register")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(re.compile("Password")).fill(password)
    page.get_by_role("button", name="Create an account").click()


def test_sign_up_and_sign_in_in_hosted_mode(page, hosted):
    page.goto(hosted.base + "/journal")
    assert "/signin" in page.url
    audit(page, "sign in")
    page.goto(hosted.base + "/register")
    audit(page, "register")
    sign_up(page, hosted.base, "ann@example.org", "a long test password")
    assert page.get_by_role("button", name="Sign out", exact=True).is_visible()
    page.goto(hosted.base + "/account")
    audit(page, "account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    # Sign-out first settles the phone's offline queue (app.js), then goes: wait for it.
    page.get_by_role("button", name="Sign out", exact=True).wait_for(state="detached")
    page.goto(hosted.base + "/signin")
    page.get_by_label("Email address").fill("ann@example.org")
    page.get_by_label("Password").fill("a wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert "wrong" in page.content()
    page.get_by_label("Email address").fill("ann@example.org")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("button", name="Sign out", exact=True).is_visible()


def test_one_user_cannot_reach_anothers_pages(browser, hosted, request):
    first = browser.new_context()
    second = browser.new_context()
    try:
        alice, bob = first.new_page(), second.new_page()
        sign_up(alice, hosted.base, "alice@example.org", "alice's long password")
        log_episode(alice, hosted.base)
        url = alice.url.split("?")[0]
        sign_up(bob, hosted.base, "bob@example.org", "bob's long password")
        for path in [url, url + "/edit"]:
            response = bob.goto(path)
            assert response.status == 404, path
        bob.goto(hosted.base + "/journal")
        assert "No cramps logged" in bob.content()
        assert alice.goto(url).status == 200
    finally:
        first.close()
        second.close()


def test_insights_page_shows_the_report_and_passes_the_audit(page, personal):
    for day in range(10):
        status, _, _ = personal.api("POST", "/api/v1/episodes", {"startedAt": f"2026-11-{10 + day}T23:00:00Z", "durationSeconds": 660 if day == 9 else 90,
                                                             "muscles": ["calf"], "severity": 4 + day % 5, "onset": "sleep",
                                                             "reliefs": [{"technique": "stretch", "outcome": "helped" if day % 3 else "no"}]})
        assert status == 201
    page.goto(personal.base + "/insights")
    assert page.get_by_role("heading", name="When to see a doctor").is_visible()
    assert "Cramps that last more than 10 minutes" in page.content()
    # Titled charts a phone can read: a visible heading and the chart's own accessible name.
    assert page.get_by_role("heading", name="Cramps each week, the last 12 weeks").is_visible()
    assert page.get_by_role("img", name="Cramps each week, the last 12 weeks").count() == 1
    assert "95%" not in page.inner_text("main")
    audit(page, "insights")
    page.get_by_role("link", name="Open the report for your doctor").click()
    assert page.get_by_role("heading", name="Leg cramp diary report").is_visible()
    assert page.get_by_role("img", name="Episodes per week").count() == 1
    audit(page, "insights: the report")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download this report")).click()
    assert download.value.suggested_filename.startswith("crampcare-report-")


def test_the_relief_session_times_each_hold_and_logs_the_cramp(page, personal):
    page.clock.install()
    page.goto(personal.base + "/")
    page.get_by_role("link", name=re.compile("I have a cramp right now")).click()
    audit(page, "relieve: choose a muscle")
    page.get_by_role("button", name="Calf").click()
    assert page.get_by_role("heading", name="Stretch the calf").is_visible()
    audit(page, "relieve: calf")
    timer = page.locator(".timer").first
    status = timer.get_by_role("status")
    timer.get_by_role("button", name="Start the timer").click()
    assert "Hold 1 of 3: 30 seconds" in status.inner_text()
    page.clock.run_for("00:16")
    assert "seconds left" in status.inner_text()
    assert timer.locator(".timer-count").inner_text() in {"14", "15"}
    page.clock.run_for("00:15")
    assert "Rest" in status.inner_text()
    page.clock.run_for("01:30")
    assert status.inner_text() == "All 3 holds done. Well done."
    page.get_by_role("button", name="It eased: log it").click()
    # The night log, with the muscle, the stretch and the timer's time chosen.
    assert "/journal/new" in page.url
    assert page.locator("input[name='muscle[]'][value='calf']").is_checked()
    assert page.locator("input[name='helped[]'][value='stretch']").is_checked()
    assert page.locator("input[name='duration'][value='timer']").is_checked()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/safety$"))
