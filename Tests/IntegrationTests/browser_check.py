"""Drives the review queue in headless Chromium with Selenium, as a moderator would.

Usage: browser_check.py BASE_URL NAME PASSWORD [SCREENSHOT_DIR]

Signs in, approves c1 with the button, rejects c2 with a reason and a note, edits c3 and approves it,
approves c4 with the keyboard shortcut, and prints one JSON line with what it saw. Exits 1 with the
reason on the first step that does not behave.
"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

base, name, password = sys.argv[1], sys.argv[2], sys.argv[3]
shots = sys.argv[4] if len(sys.argv) > 4 else None

options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("MODERATO_CHROMIUM", "/usr/bin/chromium")
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--disable-gpu"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service(os.environ.get("MODERATO_CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
wait = WebDriverWait(driver, 15)
seen = {}


def shot(label):
    if shots:
        driver.save_screenshot(os.path.join(shots, label + ".png"))


def notice():
    return wait.until(lambda d: d.find_element(By.ID, "notice")).text


def open_comment(comment_id):
    driver.get(base + "/ui/comment?id=" + comment_id)
    wait.until(lambda d: d.find_element(By.ID, "comment").get_attribute("data-id") == comment_id)


try:
    driver.get(base + "/ui/")
    wait.until(lambda d: "/ui/login" in d.current_url)
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
    wait.until(lambda d: d.current_url.endswith("/ui/queue"))
    seen["queue_rows"] = len(driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr"))
    seen["scripts_and_styles_loaded"] = driver.execute_script(
        "return getComputedStyle(document.querySelector('.bar')).display === 'flex'")
    shot("queue")

    # Approve with the button, from the queue's row.
    driver.find_element(By.CSS_SELECTOR, "tr[data-href='/ui/comment?id=c1'] a").click()
    wait.until(lambda d: d.current_url.endswith("/ui/comment?id=c1"))
    seen["marked"] = [mark.text for mark in driver.find_elements(By.CSS_SELECTOR, "#body mark")]
    driver.find_element(By.ID, "approve").click()
    seen["after_approve"] = notice()

    # Reject with a reason and a note.
    open_comment("c2")
    shot("comment")
    Select(driver.find_element(By.ID, "reject-reason")).select_by_value("abuse")
    driver.find_element(By.ID, "reject-note").send_keys("name-calling")
    driver.find_element(By.ID, "reject").click()
    seen["after_reject"] = notice()

    # Edit, then save and approve.
    open_comment("c3")
    driver.find_element(By.CSS_SELECTOR, "#edit-section summary").click()
    body = driver.find_element(By.ID, "edit-body")
    body.clear()
    body.send_keys("Councillor Dean answered none of the questions.")
    shot("edit")
    driver.find_element(By.ID, "save-and-approve").click()
    seen["after_edit"] = notice()

    # The keyboard: `a` approves, as in `modctl review`.
    open_comment("c4")
    driver.find_element(By.TAG_NAME, "body").send_keys("a")
    seen["after_key"] = notice()

    driver.get(base + "/ui/digest")
    wait.until(lambda d: d.find_element(By.ID, "digest"))
    seen["digest_charts"] = len(driver.find_elements(By.CSS_SELECTOR, "#digest svg"))
    shot("digest")
    seen["console_errors"] = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
                              and "favicon" not in entry["message"]]
    print(json.dumps(seen))
except Exception as error:  # noqa: BLE001 - every failure is reported with what was seen so far
    print(json.dumps({"error": f"{type(error).__name__}: {error}", "url": driver.current_url, "seen": seen}))
    sys.exit(1)
finally:
    driver.quit()
