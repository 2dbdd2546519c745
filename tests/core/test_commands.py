"""Management commands: setup is idempotent, compile_messages builds .mo files only when needed."""

import os
import time
from io import StringIO

import polib
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder


def _run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_setup_twice_changes_nothing_the_second_time():
    first = _run("setup")
    assert "Setup done." in first
    applied = set(MigrationRecorder.Migration.objects.values_list("app", "name"))
    tables = set(connection.introspection.table_names())
    assert "techsme_cache" in tables
    second = _run("setup")
    assert "Setup done." in second
    assert "catalogues compiled" in second and "Translations: 0 of" in second
    assert set(MigrationRecorder.Migration.objects.values_list("app", "name")) == applied
    assert set(connection.introspection.table_names()) == tables


def _write_po(path, msgid: str, msgstr: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_Hans"}
    po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    po.save(str(path))


def test_compile_messages_builds_missing_and_stale_mo_files(tmp_path):
    one = tmp_path / "a" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    two = tmp_path / "b" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    _write_po(one, "Enterprise", "企业")
    _write_po(two, "Bank", "银行")
    (tmp_path / "stray.po").write_text("")  # not in a locale/…/LC_MESSAGES folder: ignored

    assert "2 of 2 catalogues compiled" in _run("compile_messages", root=tmp_path)
    mo = polib.mofile(str(one.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in mo}["Enterprise"] == "企业"

    assert "0 of 2 catalogues compiled" in _run("compile_messages", root=tmp_path)  # up to date: untouched

    _write_po(two, "Bank", "银行机构")
    later = time.time() + 5
    os.utime(two, (later, later))
    assert "1 of 2 catalogues compiled" in _run("compile_messages", root=tmp_path)
    assert {e.msgid: e.msgstr for e in polib.mofile(str(two.with_suffix(".mo")))}["Bank"] == "银行机构"
    assert "2 of 2 catalogues compiled" in _run("compile_messages", root=tmp_path, force=True)


def test_compile_messages_covers_the_package_catalogues():
    from django.conf import settings

    from techsme.core.management.commands.compile_messages import catalogues

    call_command("compile_messages", stdout=StringIO())
    for po in catalogues():
        assert po.with_suffix(".mo").exists(), po
    assert all(str(p).startswith(str(settings.BASE_DIR)) for p in catalogues())


def test_serve_knows_its_options():
    from techsme.core.management.commands.serve import Command

    parser = Command().create_parser("techsme", "serve")
    options = parser.parse_args(["--addr", "0.0.0.0:9000"])
    assert options.addr == "0.0.0.0:9000"


@pytest.mark.django_db(transaction=True)
def test_setup_demo_leaves_an_existing_registry_alone(make_enterprise):
    from techsme.registry.models import Enterprise

    make_enterprise()
    out = _run("setup", demo=True)
    assert "already has enterprises" in out
    assert Enterprise.objects.count() == 1


def test_demo_data_is_never_loaded_in_production(db, settings):
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    for command, kwargs in (("setup", {"demo": True}), ("seed_demo", {"enterprises": 5, "seed": 1})):
        with pytest.raises(CommandError, match="never loaded in production"):
            call_command(command, **kwargs)
