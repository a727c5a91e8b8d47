"""Form fields that forgive how people type numbers (full-width digits, commas, spaces, 円) and the
one range every typed date must fall in."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

_YEN_NOISE = re.compile(r"[\s,，、円¥￥]")


def normalize_yen(value: str) -> str:
    return _YEN_NOISE.sub("", unicodedata.normalize("NFKC", value))


class YenField(forms.IntegerField):
    """Integer yen. ``１，０００円`` and ``1 000`` both mean 1000."""

    default_error_messages = {
        "invalid": _("金額は半角または全角の数字で入力してください（例: 145,670,000）。"),
        "min_value": _("金額は%(limit_value)s円以上で入力してください。"),
        "max_value": _("金額は%(limit_value)s円以下で入力してください。"),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 10**13 - 1)  # 13 digits: more than any public work
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = normalize_yen(value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        return attrs


class YenInput(forms.TextInput):
    """A yen amount shown as people read it (40,000,000); what they type is kept as typed."""

    input_type = "text"

    def format_value(self, value: Any) -> str | None:
        """A stored amount is shown with separators (``40,000,000``); what a person typed is
        shown back as typed, so a refused amount stays in its field to be corrected."""
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


YenField.widget = YenInput


# --- Dates a person types ---------------------------------------------------------------------------
#: The first day of 平成 (1989-01-08): no guarantee, application or paperwork of the portal is older,
#: and every printed date from then on has its 和暦.
EARLIEST_DATE = dt.date(1989, 1, 8)
#: How far ahead a typed date may be: beyond the longest public work's 工期 and 保証期間.
YEARS_AHEAD = 10


def latest_date(*, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def validate_business_date(value: dt.date | None) -> None:
    """Every date typed into the portal (applications, paperwork, staff's admin forms): from
    平成元年1月8日 to ``YEARS_AHEAD`` years after today. A year like 1800 or 0001 is a typing slip;
    stored, it would stay on documents that cannot print it."""
    if value is None:
        return
    latest = latest_date()
    if not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            _("日付は %(earliest)s から %(latest)s までの範囲で入力してください（入力: %(value)s）。"),
            code="date_out_of_range",
            params={
                "earliest": f"{EARLIEST_DATE:%Y/%m/%d}",
                "latest": f"{latest:%Y/%m/%d}",
                "value": f"{value.year:04d}/{value.month:02d}/{value.day:02d}",
            },
        )


class DateInput(forms.DateInput):
    """The browser's date picker, its value written as 2026-07-01 (the form the picker reads)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class BusinessDateField(forms.DateField):
    """A date in the range of ``validate_business_date``; a date picker offers only that range."""

    default_validators = [validate_business_date]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date":
            attrs.setdefault("min", EARLIEST_DATE.isoformat())
            # Lazy: the field is built once per process, the last day moves on with the calendar.
            attrs.setdefault("max", lazy(lambda: latest_date().isoformat(), str)())
        return attrs
