"""Sharing a diary by consent, in Debian's chromium: the person on a phone, the clinician on a
desktop. The person invites, the clinician accepts, the person confirms on seeing the account and
the name given; the clinician sees the list and the cramps; the person sees the reads in their
trail and stops sharing; the clinician's next page load is refused. axe-core on every page."""
import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import time

import pytest

from webserver import Server

playwright_api = pytest.importorskip("playwright.sync_api")
from browsing import PASSWORD, answer_safety, answer_the_rest, audit, register  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = os.path.join(os.path.dirname(__file__), "artifacts", "sharing")
ARGS = ["--no-sandbox"] if os.geteuid() == 0 else []

if os.environ.get("CI") == "true" and not CHROMIUM:
    raise RuntimeError("chromium is not installed: the test command installs Debian's chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (scripts/test installs it)")


def totp(secret, at=None):
    """RFC 6238's 6-digit code for a base32 secret, now."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name + ".png"), full_page=True)


@pytest.fixture
def hosted(tmp_path):
    server = Server(str(tmp_path / "hosted.sqlite"), hosted=True)
    yield server
    server.stop()


def test_a_clinician_sees_a_diary_only_by_consent_and_not_after_it_is_withdrawn(hosted):
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        desk = chromium.new_context(viewport={"width": 1280, "height": 900})
        person, clinician = phone.new_page(), desk.new_page()
        base = hosted.base

        register(person, base, "ann@example.org")
        made = person.context.request.post(base + "/api/v1/episodes", data={
            "startedAt": "2026-11-30T03:10:00+00:00", "durationSeconds": 120, "muscles": ["calf"], "severity": 6, "note": "after the long walk"})
        assert made.status == 201, made.text()
        # On a phone the pages are behind the menu button.
        person.locator("summary", has_text="Menu").click()
        person.get_by_role("link", name="Sharing").first.click()
        assert person.locator("h1").inner_text() == "Sharing my diary"
        assert "they are not told when you log" in person.locator("main").inner_text()
        audit(person, "sharing, nothing shared")
        person.get_by_label("My name, as they will see it").fill("Ann B")
        person.get_by_label(re.compile("My birth year")).fill("1950")
        person.get_by_role("button", name="Make an invitation code").click()
        code = person.locator(".code strong").inner_text()
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){7}", code), code
        shot(person, "1-person-invitation-code-phone")
        audit(person, "sharing, code made")

        register(clinician, base, "jane@clinic.example.org")
        # The second step at sign-in, which a grant's holder must have.
        started = clinician.context.request.post(base + "/api/v1/account/second-factor")
        assert started.status == 201, started.text()
        secret = started.json()["secret"]
        confirmed = clinician.context.request.put(base + "/api/v1/account/second-factor", data={"code": totp(secret)})
        assert confirmed.status == 204, confirmed.text()
        clinician.goto(base + "/sharing/accept?code=" + code)
        audit(clinician, "accept")
        clinician.get_by_label(re.compile("Your name and role")).fill("Jane Smith, physiotherapist")
        clinician.get_by_role("button", name="Accept").click()
        assert "waiting for Ann B" in clinician.locator("h1").inner_text()
        # Nothing is shared before the person confirms.
        clinician.goto(base + "/patients")
        assert "No diary is shared with you yet" in clinician.locator("main").inner_text()

        person.goto(base + "/sharing")
        card = person.locator(".card", has_text="jane@clinic.example.org")
        assert "Jane Smith, physiotherapist" in card.inner_text()
        shot(person, "2-person-confirm-phone")
        audit(person, "sharing, waiting to confirm")
        card.get_by_role("button", name="Confirm: share my diary").click()
        assert "Jane Smith, physiotherapist" in person.locator("#shared-title + .card, section[aria-labelledby=shared-title]").first.inner_text()

        # A second patient, shared by the API, with nothing that stands out.
        other = chromium.new_context()
        assert other.request.post(base + "/api/v1/account", data={"email": "bob@example.org", "password": PASSWORD}).status == 201
        made = other.request.post(base + "/api/v1/invitations", data={"scope": "view", "name": "Bob C"})
        accepted = clinician.context.request.post(base + "/api/v1/invitations/accept", data={"code": made.json()["code"], "name": "Jane Smith"})
        assert accepted.status == 201, accepted.text()
        assert other.request.post(base + "/api/v1/grants/" + accepted.json()["id"] + "/confirm").status == 204
        # Ann's check finds clot signs, and she keeps it.
        person.goto(base + "/assess")
        answer_safety(person, yes={"swelling": ["calf_swelling"], "calf_skin": ["calf_warmth_redness", "calf_tenderness"]})
        answer_the_rest(person, minutes="45", age="76", eased="not_relieved_by_stretching", felt=())
        assert "URGENT" in person.get_by_role("alert").inner_text()
        person.get_by_role("button", name="Keep this result in my journal").click()

        clinician.goto(base + "/patients")
        assert "they are not told when you log" in clinician.locator("main").inner_text()
        # Ann is at the top, and the list says why; Bob after her, with nothing standing out.
        rows = clinician.locator("tbody tr")
        assert rows.count() == 2
        assert "Ann B" in rows.nth(0).inner_text() and "URGENT" in rows.nth(0).inner_text()
        assert "Bob C" in rows.nth(1).inner_text() and "Nothing stands out" in rows.nth(1).inner_text()
        shot(clinician, "3-clinician-patient-list-desktop")
        audit(clinician, "patients")
        clinician.get_by_role("link", name="Ann B").click()
        assert clinician.locator("h1").inner_text() == "Ann B, born 1950"
        row = clinician.locator("tbody tr").first.inner_text()
        assert "Calf" in row and "6/10" in row and "long walk" not in clinician.content()
        shot(clinician, "4-clinician-patient-desktop")
        audit(clinician, "patient")
        # The report: the summary, then the cramps as an appendix (no notes: not shared).
        clinician.get_by_role("link", name="Report").click()
        assert "Appendix: the cramps" in clinician.locator("main").inner_text()
        assert "the person has not shared their notes" in clinician.locator("main").inner_text()
        assert "long walk" not in clinician.content()
        shot(clinician, "5-clinician-report-desktop")
        audit(clinician, "patient report")
        clinician.get_by_role("link", name="Checks").click()
        checks = clinician.locator("main").inner_text()
        assert "Urgent" in checks or "URGENT" in checks, checks
        assert "clot" in checks.lower(), checks
        audit(clinician, "patient checks")
        clinician.get_by_role("link", name="Day logs and medicines").click()
        audit(clinician, "patient days")
        clinician.get_by_role("link", name="Cramps").click()

        person.goto(base + "/sharing")
        trail = person.locator(".trail").inner_text()
        assert "Jane Smith, physiotherapist (jane@clinic.example.org) read the diary" in trail
        assert "read the report" in trail and "read the checks" in trail
        shot(person, "6-person-trail-phone")
        person.get_by_role("button", name="Stop sharing with Jane Smith, physiotherapist").click()
        assert "No one. Your diary is yours alone." in person.locator("main").inner_text()

        response = clinician.reload()
        assert response.status == 404
        person.goto(base + "/sharing")
        assert "refused: you had ended the sharing" in person.locator(".trail").inner_text()
        chromium.close()


def test_a_carer_logs_for_the_person_on_a_phone_with_their_number_and_the_person_sees_it(hosted):
    """Both on phones: the person invites a carer; the carer logs a cramp for them, answers the
    full red-flag screen, and sees the advice with the person's region's number (US, 911); the
    person sees the log on their next visit, marked with who logged it."""
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
        person = chromium.new_context(**phone).new_page()
        carer = chromium.new_context(**phone).new_page()
        base = hosted.base
        register(person, base, "dad@example.org")
        assert person.context.request.put(base + "/api/v1/profile", data={"birthYear": 1938, "region": "US", "timeZone": "UTC"}).ok
        person.goto(base + "/sharing")
        person.get_by_label(re.compile("A carer")).check()
        person.get_by_label("My name, as they will see it").fill("Dad")
        person.get_by_role("button", name="Make an invitation code").click()
        code = person.locator(".code strong").inner_text()

        register(carer, base, "sam@example.org")
        assert carer.context.request.put(base + "/api/v1/profile", data={"region": "GB"}).ok
        secret = carer.context.request.post(base + "/api/v1/account/second-factor").json()["secret"]
        assert carer.context.request.put(base + "/api/v1/account/second-factor", data={"code": totp(secret)}).status == 204
        carer.goto(base + "/sharing/accept?code=" + code)
        carer.get_by_label(re.compile("Your name and role")).fill("Sam, his son")
        carer.get_by_role("button", name="Accept").click()
        person.goto(base + "/sharing")
        person.locator(".card", has_text="sam@example.org").get_by_role("button", name="Confirm: share my diary").click()

        carer.goto(base + "/patients")
        carer.get_by_role("link", name="Dad").click()
        carer.get_by_role("link", name="Log a cramp for Dad").tap()
        assert carer.locator("h1").inner_text() == "Log a cramp for Dad"
        # The call-now signs above Save give Dad's number, not the carer's own.
        assert carer.locator(".call-now a[href^='tel:']").get_attribute("href") == "tel:911"
        audit(carer, "carer log form")
        shot(carer, "7-carer-log-phone")
        carer.locator("#muscles label.chip", has_text=re.compile("^Calf$")).tap()
        carer.locator("#durationSeconds label.chip", has_text="1–5 min").tap()
        carer.get_by_role("button", name="Save").tap()
        carer.wait_for_url(re.compile(r"/patients/[^/]+/journal/[0-9a-f-]{36}/safety$"))
        assert carer.locator("fieldset.question").count() >= 5
        audit(carer, "carer safety questions")
        answer_safety(carer, yes={"swelling": ["calf_swelling"], "calf_skin": ["calf_warmth_redness", "calf_tenderness"]})
        banner = carer.get_by_role("alert").first.inner_text()
        assert "URGENT" in banner, banner
        assert "911" in carer.locator("main").inner_text() or carer.locator("a[href='tel:911']").count() > 0
        assert "Logged by you (Sam, his son)" in carer.locator("main").inner_text()
        assert "Where Dad lives, the emergency number is 911" in carer.locator("footer").inner_text()
        assert carer.get_by_role("button", name="Delete this cramp").count() == 0
        shot(carer, "8-carer-result-phone")
        audit(carer, "carer result")

        person.goto(base + "/")
        notice = person.get_by_role("link", name=re.compile("Sam, his son logged a cramp for you"))
        assert "Urgent" in notice.inner_text()
        shot(person, "9-person-home-carer-log-phone")
        notice.tap()
        assert "Logged by Sam, his son (carer)" in person.locator("main").inner_text()
        assert "URGENT" in person.get_by_role("alert").first.inner_text()
        chromium.close()
