"""What the browser tests do as a person would: answer the safety questions and the interview,
and an axe-core audit of the page as it is. Shared by the browser test files."""
import re

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()


def audit(page, where):
    """No serious or critical axe-core violation on the page as it is now."""
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{where}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)


def answer_safety(page, yes=None):
    """Step 1: "no" to every safety question, except `yes` {question id: [signs]}."""
    yes = yes or {}
    for fieldset in page.locator("fieldset.question").all():
        question = fieldset.get_attribute("id")
        if question in yes:
            fieldset.locator(f"input[name='{question}'][value='yes']").check()
            for sign in yes[question]:
                fieldset.locator(f"input[name='sign[]'][value='{sign}']").check()
        else:
            fieldset.locator(f"input[name='{question}'][value='no']").check()
    page.get_by_role("button", name="Continue").click()


def answer_the_rest(page, muscle="calf", minutes="2", age="40", eased="relieved_by_stretching", felt=("visible_knot",), audit_pages=False):
    """After the safety page: one question a page, as the interview asks them, until the result."""
    seen = []
    for _ in range(20):
        step = page.locator("input[name='step']")
        if step.count() == 0:
            return seen
        name = step.get_attribute("value")
        seen.append(name)
        if audit_pages:
            audit(page, f"assess {name}")
        if name == "muscles":
            page.locator(f"input[name='muscle[]'][value='{muscle}']").check()
        elif name == "duration":
            page.get_by_label("How long, as a number").fill(minutes)
        elif name == "feel":
            for code in felt + ((eased,) if eased else ()):
                page.locator(f"input[name='feel[]'][value='{code}']").check()
        elif name == "age":
            page.locator("input[name='age']").fill(age)
        page.get_by_role("button", name="Continue").click()
    raise AssertionError(f"no result after {seen}")


PASSWORD = "a long test password"


def register(page, base, email):
    """A new hosted account, signed in."""
    page.goto(base + "/register")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(re.compile("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Create an account").click()
    assert page.get_by_role("button", name="Sign out", exact=True).is_visible()
