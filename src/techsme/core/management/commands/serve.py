"""Run the background worker and the web server together; Ctrl-C or SIGTERM stops both."""

import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

DEMO_HINT = (
    "Demo logins (password demo-pass-2026): enterprise-admin, enterprise-member, reviewer, reviewer-gz, manager, "
    "agency-admin, provider, bank, expert; superuser admin."
)


def _techsme(*args: str) -> list[str]:
    return [sys.executable, "-m", "techsme.cli", *args]


class Command(BaseCommand):
    help = "Start the django-tasks-db worker and the web server; stop both on Ctrl-C or SIGTERM."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker.")

    def handle(self, *args: Any, addr: str, no_worker: bool = False, **options: Any) -> None:
        children: list[subprocess.Popen] = []
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            if not no_worker:
                children.append(subprocess.Popen(_techsme("db_worker", "--no-reload")))  # noqa: S603
            children.append(subprocess.Popen(_techsme("runserver", "--noreload", addr)))  # noqa: S603
            self.stdout.write(self.style.SUCCESS(f"techsme is running at http://{addr}/  (Ctrl-C stops it)"))
            self.stdout.write(DEMO_HINT)
            self.stdout.flush()
            while not stopping:
                if any(child.poll() is not None for child in children):
                    self.stderr.write("A process stopped; shutting down the others.")
                    break
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Stopped.")
        failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
        if failed and not stopping:
            raise SystemExit(1)
