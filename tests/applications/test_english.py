"""English screens say English: action names translated when read, one key in the singular, the
fee with its discount as one sentence, and the empty choice of a select in the screen's language."""
# mypy: disable-error-code="union-attr"

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import translation

from applications import forms
from applications.errors import ApplicationError
from applications.services import drafts, review
from authkeys.models import AuthKey
from guarantees.models import Guarantee
from tests.factories import issue_guarantee

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def test_a_refused_step_names_the_action_in_the_language_of_the_request(
    user_a, orderer, tokyo_branch, reviewer
):
    # given a submitted application that is not yet in review
    draft = make_draft(user_a, orderer, tokyo_branch)
    submitted = drafts.application_submit(application=draft, submitted_by=user_a)

    # when a clerk approves it on an English screen
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        review.application_approve(application=submitted, clerk=reviewer)

    # then the action is named in English, not in the Japanese read at import
    assert refused.value.message == 'This application is "Submitted", so "Approve" is not possible.'
    # and a Japanese screen still reads Japanese
    with translation.override("ja"), pytest.raises(ApplicationError) as refused_ja:
        review.application_approve(application=submitted, clerk=reviewer)
    assert refused_ja.value.message == "この申込は「申込済」のため、承認できません。"


def test_one_key_is_an_authentication_key_and_the_admin_lists_authentication_keys():
    with translation.override("en"):
        assert str(AuthKey._meta.verbose_name) == "Authentication key"
        assert str(AuthKey._meta.verbose_name_plural) == "Authentication keys"
        assert str(translation.gettext("認証キー")) == "Authentication key"
    with translation.override("ja"):
        assert str(AuthKey._meta.verbose_name_plural) == "認証キー"


def test_the_fee_with_its_discount_reads_as_one_sentence_in_both_languages(
    client, user_a, orderer, tokyo_branch
):
    # given a submitted 前払金保証 whose fee carries the e-Net discount
    draft = make_draft(user_a, orderer, tokyo_branch)
    submitted = drafts.application_submit(application=draft, submitted_by=user_a)
    assert submitted.fee_discount == 200
    client.force_login(user_a)
    url = reverse("applications:detail", args=[submitted.pk])
    fee = f"{submitted.fee_amount:,}"

    # then Japanese and English each read naturally
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f"{fee}円（e-Net割引 200円を含む）" in japanese
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert f"{fee} yen (after the e-Net discount of 200 yen)" in english
    assert "included" not in english


def test_the_empty_choice_of_a_select_is_in_the_screens_language(rf, staff_user_for_admin):
    # given the wizard's branch select and the admin's action menu
    field = forms.KindStepForm.base_fields["branch"]
    request = rf.get("/admin/")
    request.user = staff_user_for_admin
    model_admin = site._registry[Guarantee]

    # then they read 「選択してください」 in Japanese and "Select an option" in English
    with translation.override("ja"):
        assert str(field.empty_label) == "選択してください"
        assert str(model_admin.get_action_choices(request)[0][1]) == "選択してください"
    with translation.override("en"):
        assert str(field.empty_label) == "Select an option"
        assert str(model_admin.get_action_choices(request)[0][1]) == "Select an option"


@pytest.fixture
def staff_user_for_admin(db):
    from tests.factories import UserFactory

    return UserFactory(username="admin-viewer", is_staff=True, is_superuser=True)


def test_the_admins_action_menu_offers_a_japanese_empty_choice(client, staff_user_for_admin, user_a, orderer):
    # given staff on the guarantee list, whose actions (証書の発行, 認証キーの再発行) sit in a menu
    issue_guarantee(contractor=user_a.contractor, orderer=orderer)
    client.force_login(staff_user_for_admin)

    # when the list is shown in Japanese, then the action menu's empty choice is Japanese
    page = client.get(reverse("admin:guarantees_guarantee_changelist")).content.decode()
    assert 'name="action"' in page
    assert "選択してください" in page
    assert "Select an option" not in page
