"""``techsme reform-db --set PATH=VALUE [--set ...] --from DATE [--year Y] [--region PREFIX]``.

The ``techsme reform`` of the rules engine over the enterprise-years in the database (read in bulk, one engine
call for the law and one for the reform); prints baseline vs reform totals, or JSON with ``--json``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techsme.incentives.population import load_population
from techsme.incentives.selectors import filter_facts
from techsme.incentives.services import validate_changes
from techsme.incentives.simulation import parameters_used, simulate
from techsme.registry.models import AnnualFacts


class Command(BaseCommand):
    help = "Compare a parameter reform with the law over the enterprise-years in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="settings", action="append", required=True, metavar="PATH=VALUE")
        parser.add_argument("--from", dest="start", required=True, help="effective date YYYY-MM-DD")
        parser.add_argument("--year", type=int, help="tax year of the facts (default: the latest in the database)")
        parser.add_argument("--region", default="", help="GB/T 2260 region code prefix")
        parser.add_argument("--industry", default="", help="GB/T 4754 industry code prefix")
        parser.add_argument("--json", action="store_true", help="print the whole result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(f"--from {options['start']!r} is not a date YYYY-MM-DD") from None
        raw: dict[str, Any] = {}
        for setting in options["settings"]:
            path, sep, value = setting.partition("=")
            if not sep:
                raise CommandError(f"--set expects PATH=VALUE, got {setting!r}")
            raw[path.strip()] = value.strip()
        try:
            changes = validate_changes(raw, start)
        except Exception as exc:  # InvalidInput with the bad entries named
            raise CommandError(str(exc)) from None
        year = options["year"]
        if year is None:
            latest = AnnualFacts.objects.order_by("-tax_year").values_list("tax_year", flat=True).first()
            if latest is None:
                raise CommandError("no annual facts in the database")
            year = latest
        qs = filter_facts(AnnualFacts.objects.filter(tax_year=year), region=options["region"],
                          industry=options["industry"])
        started = dt.datetime.now()
        population = load_population(qs)
        loading = (dt.datetime.now() - started).total_seconds()
        result = simulate(population, {p: {start: v} for p, v in changes.items()}, region_prefix=options["region"])
        result["timings"]["loading"] = round(loading, 3)
        result["parameters"] = parameters_used(changes, start)
        result["tax_year"] = year
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        t = result["totals"]
        self.stdout.write(f"tax year {year}, region '{options['region'] or '*'}', rows {result['rows']} "
                          f"(assessed {result['assessed']})")
        self.stdout.write(f"{'':28}{'baseline':>22}{'reform':>22}")
        self.stdout.write(f"{'total EIT payable':28}{t.get('eit_baseline', '0.00'):>22}"
                          f"{t.get('eit_reform', '0.00'):>22}")
        self.stdout.write(f"{'total extra deduction':28}{t.get('deduction_baseline', '0.00'):>22}"
                          f"{t.get('deduction_reform', '0.00'):>22}")
        self.stdout.write(f"fiscal cost (EIT no longer collected): {t.get('fiscal_cost', '0.00')}")
        self.stdout.write(f"winners (pay less EIT): {result['winners']}; losers (pay more): {result['losers']}")
        for row in result["by_region"]:
            self.stdout.write(f"  {row['key']:>6} {row['label']}: {row['count']} enterprises, "
                              f"cost {row['fiscal_cost']}")
