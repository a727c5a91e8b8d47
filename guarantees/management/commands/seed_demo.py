"""``manage.py seed_demo``: the brochure's example; ``--guarantees N`` adds generated data."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guarantees import demo


class Command(BaseCommand):
    help = "Load the brochure's demo data (idempotent); optionally generate guarantees for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--guarantees", type=int, default=0, help="generated guarantees to have in all")
        parser.add_argument(
            "--demo-share",
            type=int,
            default=0,
            help="how many generated guarantees belong to the demo contractor",
        )

    def handle(self, *args: Any, guarantees: int, demo_share: int, **options: Any) -> None:
        demo.seed_brochure()
        self.stdout.write("The brochure's demo data is in place.")
        if guarantees:
            added = demo.seed_generated(count=guarantees, demo_share=demo_share)
            self.stdout.write(f"Generated guarantees added: {added}.")
