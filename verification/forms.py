"""The /verify/ form. It only carries what was typed; verification_input judges it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class _KeyInput(forms.TextInput):
    """A visible text box (keys are read off a notice and typed) that never writes the key back."""

    def format_value(self, value: Any) -> str | None:
        return None


class VerifyForm(forms.Form):
    contract_number = forms.CharField(
        label=_("保証契約番号"),
        required=False,
        strip=False,
        help_text=_("10桁の数字（例: 1070000473）"),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "maxlength": "64"}
        ),
    )
    auth_key = forms.CharField(
        label=_("認証キー"),
        required=False,
        strip=False,
        help_text=_("12文字（例: K5VL4+5QG_KJ）。小文字・全角・空白・ハイフンはそのまま入力できます。"),
        widget=_KeyInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "maxlength": "64",
            }
        ),
    )
