"""``manage.py seed_demo``: the brochure's example and the demo rate table; ``--guarantees N`` adds
generated data."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from demo.brochure import seed_brochure
from demo.generated import seed_generated
from demo.rates import seed_demo_rates


class Command(BaseCommand):
    help = (
        "Load the brochure's demo data and the demo rate table (idempotent); "
        "optionally generate guarantees for benchmarks."
    )
    # Data, not configuration: `migrate`, which must run first, has just run every system check, and
    # the URL checks alone import every view (DRF, drf-spectacular): 0.7 s of a seed that uses none.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--guarantees", type=int, default=0, help="generated guarantees to have in all")
        parser.add_argument(
            "--demo-share",
            type=int,
            default=0,
            help="how many generated guarantees belong to the demo contractor",
        )

    def handle(self, *args: Any, guarantees: int, demo_share: int, **options: Any) -> None:
        seed_brochure()
        seed_demo_rates()
        self.stdout.write("The brochure's demo data and the demo rate table are in place.")
        if guarantees:
            added = seed_generated(count=guarantees, demo_share=demo_share)
            self.stdout.write(f"Generated guarantees added: {added}.")
