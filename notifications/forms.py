"""Forms of the notifications pages. Inputs are normalised (NFKC, spaces) before validation."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guarantees.models import Guarantee, OrdererDepartment

from .submissions import submission_department


class SubmitForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("提出先"),
        queryset=OrdererDepartment.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("提出先はこの保証契約の発注者の部署から選んでください。")},
    )

    def __init__(self, *args: Any, guarantee: Guarantee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = OrdererDepartment.objects.filter(orderer_id=guarantee.orderer_id).order_by("name")
        default = submission_department(guarantee=guarantee)
        if default is not None:
            field.initial = default.pk
        else:
            # Several departments and none registered: the contractor chooses; none is preselected.
            field.empty_label = _("（提出先を選んでください）")


class SubscribeForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("通知先メールアドレス"),
        max_length=254,
        error_messages={
            "required": _("メールアドレスを入力してください。"),
            "invalid": _("メールアドレスの形式が正しくありません。"),
        },
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"])

    def full_clean(self) -> None:
        if self.is_bound and "email" in self.data:
            data = dict(self.data.items())
            data["email"] = unicodedata.normalize("NFKC", str(self.data.get("email", ""))).strip()
            self.data = data
        super().full_clean()
