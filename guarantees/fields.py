"""Form fields that forgive how people type numbers: full-width digits, commas, spaces, 円."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
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
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


YenField.widget = YenInput
