"""Real-browser test of `druk serve`: headless Chromium through ChromeDriver (Selenium).

Usage: python3 live_reload.py DRUK_BINARY BOOK_DIR
Copies the book, serves it, and checks: the sidebar TOC and a cross-reference link work; an
edit to a chapter reloads the page within 2 seconds; a broken label shows the diagnostics
overlay with file:line; fixing it removes the overlay. Prints the save-to-reload times.
Exit code 0 on success, 1 on failure, 77 when Chromium or ChromeDriver is not installed.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    druk, book = sys.argv[1], sys.argv[2]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        print("SKIP: selenium is not installed (pip install selenium)")
        return 77
    if not chromium or not driver_bin:
        print("SKIP: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
        return 77

    work = tempfile.mkdtemp(prefix="druk-browser-")
    book_copy = os.path.join(work, "book")
    shutil.copytree(book, book_copy)
    out = os.path.join(work, "out")
    server = subprocess.Popen(
        [druk, "serve", book_copy, "--port", "0", "--out", out],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    browser = None
    try:
        line = server.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert m, f"no URL from druk serve: {line!r} {server.stderr.read() if server.poll() is not None else ''}"
        url = m.group(0)

        opts = webdriver.ChromeOptions()
        opts.binary_location = chromium
        for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={os.path.join(work, 'profile')}",
                     "--window-size=1280,900"]:
            opts.add_argument(flag)
        browser = webdriver.Chrome(service=Service(driver_bin), options=opts)
        browser.set_page_load_timeout(20)

        # The sidebar TOC leads to chapter 3.
        browser.get(url + "hoofdstuk-04.html")
        link = browser.find_element(By.CSS_SELECTOR, '.sidebar a[href="hoofdstuk-03.html"]')
        link.click()
        wait_for(lambda: browser.current_url.endswith("hoofdstuk-03.html"), 5, "TOC link to chapter 3")
        h1 = browser.find_element(By.CSS_SELECTOR, "h1").text
        assert "Theoretische onderbouwing" in h1, h1

        # A cross-reference to another chapter lands on its target.
        xref = browser.find_element(By.CSS_SELECTOR, 'a.xref[href^="hoofdstuk-04.html#"]')
        target = xref.get_attribute("href").split("#")[1]
        xref.click()
        wait_for(lambda: browser.current_url.endswith("#" + target), 5, "cross-reference link")
        assert browser.find_elements(By.ID, target), f"no element #{target}"

        # Saving a chapter reloads the open page with the change.
        chapter = os.path.join(book_copy, "hoofdstukken", "03-theoretische-onderbouwing.md")
        browser.get(url + "hoofdstuk-03.html")
        wait_for(lambda: browser.execute_script("return document.readyState") == "complete", 5, "page load")
        time.sleep(0.5)  # let the page open its event stream
        times = []
        for i in range(5):
            marker = f"Controlezin {i} voor de browsertest."
            append(chapter, f"\n{marker}\n")
            t0 = time.monotonic()
            wait_for(lambda: marker in browser.page_source, 2.0, f"reload after edit {i}")
            times.append(time.monotonic() - t0)
            time.sleep(0.3)
        print("save-to-reload seconds:", ", ".join(f"{t:.3f}" for t in times),
              f"(median {statistics.median(times):.3f})")

        # A broken label shows the overlay with file:line; fixing it removes the overlay.
        text = read(chapter)
        broken = text.replace("[-@sec-balansmodel]", "[-@sec-balansmodl]", 1)
        assert broken != text
        write(chapter, broken)
        wait_for(lambda: overlay_text(browser, By), 3, "diagnostics overlay")
        shown = overlay_text(browser, By)
        assert "unknown label @sec-balansmodl" in shown, shown
        assert re.search(r"03-theoretische-onderbouwing\.md:\d+:\d+", shown), shown
        write(chapter, text)
        wait_for(lambda: not overlay_text(browser, By), 3, "overlay gone after the fix")
        print("OK: TOC, cross-reference, live reload and diagnostics overlay work")
        return 0
    except AssertionError as e:
        print("FAIL:", e)
        return 1
    finally:
        if browser:
            browser.quit()
        server.terminate()
        server.wait(5)
        shutil.rmtree(work, ignore_errors=True)


def overlay_text(browser, By):
    found = browser.find_elements(By.ID, "druk-overlay")
    return found[0].text if found else ""


def wait_for(cond, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if cond():
                return
        except Exception:
            pass
        time.sleep(0.02)
    raise AssertionError(f"timed out after {seconds} s waiting for: {what}")


def read(p):
    with open(p, encoding="utf-8") as f:
        return f.read()


def write(p, s):
    with open(p, "w", encoding="utf-8") as f:
        f.write(s)


def append(p, s):
    with open(p, "a", encoding="utf-8") as f:
        f.write(s)


if __name__ == "__main__":
    sys.exit(main())
