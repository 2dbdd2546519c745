from django.db import migrations

from techsme.core.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("transfer", "0001_initial")]

    operations = [CreateSearchIndex("Outcome"), CreateSearchIndex("Need")]
