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
from browsing import audit, register  # noqa: E402

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

        clinician.goto(base + "/patients")
        assert "they are not told when you log" in clinician.locator("main").inner_text()
        audit(clinician, "patients")
        clinician.get_by_role("link", name="Ann B").click()
        assert clinician.locator("h1").inner_text() == "Ann B, born 1950"
        row = clinician.locator("tbody tr").first.inner_text()
        assert "Calf" in row and "6/10" in row and "long walk" not in clinician.content()
        shot(clinician, "3-clinician-patient-desktop")
        audit(clinician, "patient")

        person.goto(base + "/sharing")
        trail = person.locator(".trail").inner_text()
        assert "Jane Smith, physiotherapist (jane@clinic.example.org) read the diary" in trail
        shot(person, "4-person-trail-phone")
        person.get_by_role("button", name="Stop sharing with Jane Smith, physiotherapist").click()
        assert "No one. Your diary is yours alone." in person.locator("main").inner_text()

        response = clinician.reload()
        assert response.status == 404
        person.goto(base + "/sharing")
        assert "refused: you had ended the sharing" in person.locator(".trail").inner_text()
        chromium.close()
