"""``techsme serve`` starts the worker and the web server, and SIGTERM stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The child configures itself; pytest and the browser tests set variables (DJANGO_ALLOW_ASYNC_UNSAFE) it must not see.
_INHERITED_NOT = ("TECHSME_", "DATABASE_URL", "PYTEST_", "DJANGO_")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list child processes")
def test_serve_runs_worker_and_web_and_stops_both(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_NOT)}
    env.update({"TECHSME_ENV": "development", "TECHSME_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT / "src")})
    cli = [sys.executable, "-m", "techsme.cli"]
    subprocess.run([*cli, "setup"], env=env, check=True, capture_output=True, timeout=300)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*cli, "serve", "--addr", f"127.0.0.1:{port}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2) as response:  # noqa: S310
                    status = response.status
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.3)
        assert status == 200
        children = _children(server.pid)
        assert len(children) == 2  # the worker and the web server
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        output = server.stdout.read()
        assert f"http://127.0.0.1:{port}/" in output and "demo-pass-2026" in output
        assert "Starting worker" in output
        for pid in children:
            assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
