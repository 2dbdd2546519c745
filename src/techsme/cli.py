"""The ``techsme`` command.

``techsme assess`` and ``techsme reform`` run the rules engine without Django; every other sub-command is a
Django management command, with dashes for underscores (``techsme seed-demo`` → ``seed_demo``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in {"assess", "reform"}:
        from techsme.rules import assess_main, reform_main

        return (assess_main if argv[0] == "assess" else reform_main)(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techsme.settings")
    from django.core.management import execute_from_command_line

    if argv and not argv[0].startswith("-"):
        argv[0] = argv[0].replace("-", "_")
    execute_from_command_line(["techsme", *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
