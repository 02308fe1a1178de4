"""Browser tests: a real Chromium driven by Playwright against the live test server.

Fixtures: ``browser`` (one Chromium per test session), ``page`` (a fresh browser
context per test, failing the test on a Content-Security-Policy violation or an
uncaught script error). Helpers other tests import: ``assert_accessible(page)``
runs axe-core and fails on any violation; ``sign_in(page, base_url, username, password)``
signs in through the real form.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_axe = Axe()


def assert_accessible(page) -> None:
    """Run axe-core's rules (WCAG 2.2 A and AA and best practice) on the page; fail naming each violation.

    Call it on every page a browser test visits, after the page's scripts have run.
    """
    page.wait_for_load_state("load")
    results = _axe.run(page)
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(str(t) for t in node['target'])}: {node.get('failureSummary', '')}")
    pytest.fail("\n".join(lines), pytrace=False)


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real sign-in form, as a member of staff would."""
    page.goto(f"{base_url}/staff/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _watch(page, problems: list[str]) -> None:
    def on_console(message):
        if "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))


@pytest.fixture
def page(browser):
    """A page in a fresh context (no cookies carried over), desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    yield page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def mobile_page(browser):
    """A page the size of a common phone (390 x 844), with touch."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    yield page
    context.close()
    assert not problems, "\n".join(problems)
