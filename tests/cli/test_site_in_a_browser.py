"""The web demo in a real browser (Debian's chromium, driven by selenium): a newcomer opens the
page, claims a card, replies through the modal, sees the reply on the X page and the card
change, then, acting as PR, acknowledges the page. Screenshots are kept as test artifacts
(in BROWSER_TEST_ARTIFACTS if set, else under pytest's basetemp).

Skipped, saying why, where no chromium and chromedriver are installed (`make test` installs
them with apt-get when it runs as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.action_ids import ActionId

CHROMIUM = os.environ.get("BROWSER_TEST_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("BROWSER_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = 30.0  # seconds any one thing may take to show (the demo builds its engine first)

missing = [p for p in (CHROMIUM, DRIVER) if not shutil.which(p)]
pytestmark = pytest.mark.skipif(
    bool(missing),
    reason=f"no browser: {', '.join(missing)} not installed "
    "(apt-get install chromium chromium-driver; `make test` does it when run as root)",
)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")


@pytest.fixture
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kept = os.environ.get("BROWSER_TEST_ARTIFACTS")
    folder = Path(kept) if kept else tmp_path_factory.getbasetemp() / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """`flare demo --web` as a user starts it, on a free port; yields the page's address."""
    env = {**os.environ, "FLARE_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    env.pop("FLARE_REDIS_URL", None)
    command = [sys.executable, "-c", "from cli.main import main; main()", "demo", "--web"]
    process = subprocess.Popen(
        [*command, "--port", "0", "--speed", "20"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    url = ""
    seen = []
    deadline = time.monotonic() + 60
    while not url and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if "in your browser: " in line:
            url = line.split("in your browser: ", 1)[1].split()[0]
    assert url, "flare demo --web named no page:\n" + "".join(seen)
    yield url
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument("--window-size=1400,900")
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


def until(check: Callable[[], Any], what: str, within: float = WAIT) -> Any:
    """Retry `check` (the page redraws as it polls, so an element may go stale mid-way)."""
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        NoSuchElementException,
        StaleElementReferenceException,
    )

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            found = check()
        except (
            NoSuchElementException,
            StaleElementReferenceException,
            ElementClickInterceptedException,
        ):
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"the page showed no {what} within {within:.0f} s")


def test_a_newcomer_works_a_case_end_to_end_and_acknowledges_a_page(
    demo: str, browser: Any, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    def xpath(path: str) -> Any:
        return browser.find_element(By.XPATH, path)

    def click(path: str) -> bool:
        xpath(path).click()
        return True

    browser.get(f"{demo}/?as=U0DEMOAGENT")
    card = (
        "//article[contains(@class,'msg')][.//div[@class='b-header'][contains(.,'Respond')"
        f" and not(contains(.,'LATE'))]][.//button[@data-action='{ActionId.CLAIM}']]"
    )
    ts = until(lambda: xpath(card).get_attribute("data-ts"), "card to claim")
    mine = f"//article[@data-ts='{ts}']"
    until(lambda: click(f"{mine}//button[@data-action='{ActionId.CLAIM}']"), "Claim button")
    until(lambda: click(f"{mine}//button[@data-action='{ActionId.REPLY}']"), "Reply button")

    draft = until(lambda: xpath("//div[@id='modal']//textarea[@data-block='draft']"), "reply modal")
    draft.send_keys(" Sent from the browser test.")
    browser.save_screenshot(str(artifacts / "web-demo-reply-modal.png"))
    until(lambda: click("//div[@id='modal']//button[@type='submit']"), "Post reply button")
    until(lambda: not browser.find_element(By.ID, "modal").is_displayed(), "modal closing")
    until(lambda: "Replied" in xpath(mine).text, "card saying it was replied")

    slack_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(f"{demo}/x")  # the X side
    reply = until(
        lambda: xpath("//div[@id='sent']/article[contains(.,'Sent from the browser test.')]"),
        "reply on the X page",
    )
    assert "@acmehelp" in reply.text and "in reply to @" in reply.text
    browser.save_screenshot(str(artifacts / "web-demo-x.png"))
    browser.close()
    browser.switch_to.window(slack_tab)

    Select(browser.find_element(By.ID, "as")).select_by_value("U0DEMOPR")
    until(lambda: click("//button[@id='dm-flare']"), "DM from Flare")
    page = f"//article//button[@data-action='{ActionId.ACKNOWLEDGE}']"
    until(lambda: click(page), "page to acknowledge")
    note = until(
        lambda: xpath("//div[@class='note'][contains(.,'cknowledged')]"), "acknowledgement"
    )
    assert note.is_displayed()
    browser.save_screenshot(str(artifacts / "web-demo-slack.png"))
    assert (artifacts / "web-demo-slack.png").stat().st_size > 10_000
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], "the page's script failed"
