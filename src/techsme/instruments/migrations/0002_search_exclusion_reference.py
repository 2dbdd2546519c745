"""The search index, the no-double-booking exclusion constraint (PostgreSQL only) and the 2019 reference figures.

The constraint is created with SQL guarded by the database vendor, so this migration also runs on SQLite (where the
service serialises check-and-insert instead).
"""

from decimal import Decimal

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from techsme.core.search import CreateSearchIndex

CONSTRAINT = "booking_no_overlap"


def exclusion_forwards(apps, schema_editor):  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE instruments_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(instrument_id WITH =, tstzrange(start, occupied_until, '[)') WITH &&) "
        "WHERE (status IN ('requested', 'approved') AND kind = 'slot')"
    )


def exclusion_backwards(apps, schema_editor):  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE instruments_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


def reference_forwards(apps, schema_editor):  # noqa: ANN001
    SharingReference = apps.get_model("instruments", "SharingReference")
    SharingReference.objects.get_or_create(
        valid_from_year=2019,
        defaults={
            "effective_hours": Decimal("1440"), "external_hours": Decimal("240"), "sharing_rate": Decimal("0.16"),
            "flag_share": Decimal("0.50"),
            "citation": "2019 national averages of the large-instrument sharing evaluation (rules.md §5); check "
                        "against the published evaluation report before production.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("instruments", "0001_initial")]

    operations = [
        CreateSearchIndex("Instrument"),
        BtreeGistExtension(),
        migrations.RunPython(exclusion_forwards, exclusion_backwards),
        migrations.RunPython(reference_forwards, migrations.RunPython.noop),
    ]
