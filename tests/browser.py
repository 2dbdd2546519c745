"""Helpers of the browser tests (the fixtures ``browser`` and ``page`` live in ``tests/conftest.py``)."""

import os
import re
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
SHOTS = Path(os.environ.get("TECHSME_SHOTS_DIR", "/tmp/shots"))


def shot(page, name: str) -> None:  # noqa: ANN001
    """Save a full-page screenshot for a human to look at (not an assertion)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, live_server, username: str, password: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("User name|用户名")).fill(username)
    page.get_by_label(re.compile("Password|密码")).fill(password)
    page.get_by_role("button", name=re.compile("^(Log in|登录)$")).click()
    page.wait_for_load_state()
