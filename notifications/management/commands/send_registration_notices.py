"""``manage.py send_registration_notices [--date YYYY-MM-DD]``: the 16:00 notice, by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notifications.models import NoticeRun
from notifications.services import registration_notice_run


class Command(BaseCommand):
    help = (
        "Send the registration notice (電子証書・認証キーの登録お知らせ) now: every electronic certificate "
        "version registered before 16:00 of the date (today by default, never later than now) that was "
        "not announced yet. Running it twice is harmless."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="notice date YYYY-MM-DD (default: today in Japan)")

    def handle(self, *args: Any, **options: Any) -> None:
        notice_date = None
        if options["date"]:
            try:
                notice_date = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
            if notice_date > timezone.localdate():
                raise CommandError("--date cannot be in the future")
        run = registration_notice_run(trigger=NoticeRun.Trigger.COMMAND, notice_date=notice_date)
        cutoff = timezone.localtime(run.cutoff)
        self.stdout.write(
            f"{run.notice_date}: {run.certificates} certificate versions announced to {run.notices} "
            f"contractors in {run.messages} mails (registered before {cutoff:%Y-%m-%d %H:%M:%S})."
        )
