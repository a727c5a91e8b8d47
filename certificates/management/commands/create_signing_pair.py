"""Create the development signing pair for PDFs: a root CA, a signing key and its certificate.

    manage.py create_signing_pair            # under the folder of PDF_SIGNING_KEY (var/signing)
    manage.py create_signing_pair --force    # replace an existing pair
    manage.py create_signing_pair --dir DIR  # somewhere else

Production never uses this pair: it supplies PDF_SIGNING_KEY/PDF_SIGNING_CERT (or the *_PEM
variables) from its own certificate authority (docs/pdf.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from certificates import signing


class Command(BaseCommand):
    help = "Create a development key and certificate for signing PDFs (under var/signing by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="Folder for the pair.")
        parser.add_argument("--force", action="store_true", help="Replace an existing pair.")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = signing.pair_paths_in(options["dir"]) if options["dir"] else signing.configured_pair_paths()
        directory = paths["key_path"].parent
        created = signing.create_development_pair(**paths, overwrite=options["force"])
        if created:
            self.stdout.write(f"Created a development signing pair in {directory}")
        elif options["verbosity"] > 1:
            self.stdout.write(f"A signing pair is already in {directory}")
