"""Django admin as the branch staff's workplace."""

import datetime as dt

import pytest
from django.urls import reverse

from certificates.models import Certificate
from demo.brochure import ADVANCE_NUMBER, CONTRACT_NUMBER, STAFF_LOGIN, STAFF_PASSWORD, seed_brochure
from guarantees.models import AuditEvent, Guarantee
from tests.factories import BranchFactory, issue_guarantee, register_guarantee


@pytest.fixture
def brochure(db):
    return seed_brochure()


@pytest.fixture
def staff_client(client, brochure):
    client.login(username=STAFF_LOGIN, password=STAFF_PASSWORD)
    return client


def test_the_admin_lists_the_brochures_two_contracts_exactly_as_printed(staff_client):
    response = staff_client.get(reverse("admin:guarantees_guarantee_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    for printed in [
        "1070200236",
        "1070000473",
        "支出負担行為担当官 近畿地方整備局長",
        "国道〇号線 道路改良工事 その1",
        "2,172,720,000 / 616,296,000",
        "145,670,000",
        "217,272,000",
    ]:
        assert printed in page


def test_the_admin_shows_the_brochures_certificate_fields_as_printed(staff_client):
    certificate = Certificate.objects.get(contract_number=ADVANCE_NUMBER)
    response = staff_client.get(reverse("admin:certificates_certificate_change", args=[certificate.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for printed in [
        "保証証書（前払金保証）",
        "株式会社西日本保証建設 本町支店",
        "三菱UFJ銀行 東京支店",
        "東京都中央区日本橋3丁目8番14号",
        "03-6848-2671",
        "0320-504133",
        "取締役社長 眞田 一",
    ]:
        assert printed in page
    assert (
        "2022/01/28"
        in staff_client.get(reverse("admin:certificates_certificate_changelist")).content.decode()
    )


def test_an_issued_certificate_cannot_be_edited_or_deleted_in_admin(staff_client):
    certificate = Certificate.objects.get(contract_number=ADVANCE_NUMBER)
    url = reverse("admin:certificates_certificate_change", args=[certificate.pk])
    staff_client.post(url, {"work_name": "書き換え"})
    certificate.refresh_from_db()
    assert certificate.work_name == "国道〇号線 道路改良工事 その1"
    delete = staff_client.get(reverse("admin:certificates_certificate_delete", args=[certificate.pk]))
    assert delete.status_code == 403


def test_a_clerk_sees_the_branchs_own_contracts_only(client, branch_clerk, orderer):
    own = register_guarantee(branch=branch_clerk.branch, orderer=orderer, work_name="自支店の工事")
    other_branch = BranchFactory(code="146", name="鹿児島支店")
    other = register_guarantee(branch=other_branch, orderer=orderer, work_name="他支店の工事")
    client.force_login(branch_clerk)

    page = client.get(reverse("admin:guarantees_guarantee_changelist")).content.decode()
    assert own.number in page
    assert other.number not in page
    response = client.get(reverse("admin:guarantees_guarantee_change", args=[other.pk]))
    assert response.status_code == 302  # admin redirects away from an object outside the queryset
    assert client.get(reverse("admin:guarantees_guarantee_amend", args=[other.pk])).status_code == 404


def test_staff_register_a_guarantee_and_the_number_is_allocated(staff_client, brochure):
    response = staff_client.post(
        reverse("admin:guarantees_guarantee_add"),
        {
            "kind": "advance",
            "contractor": brochure.contractor.pk,
            "orderer": brochure.orderer.pk,
            "branch": brochure.tokyo.pk,
            "bank": brochure.bank.pk,
            "work_name": "県道〇号線 舗装修繕工事",
            "contract_amount_total": "50000000",
            "contract_amount_target": "50000000",
            "guarantee_amount": "20000000",
            "concluded_on": "2026-11-20",
            "guarantee_period_end": "2027-03-31",
            "construction_end_date": "2027-03-31",
        },
    )
    assert response.status_code == 302
    guarantee = Guarantee.objects.get(work_name="県道〇号線 舗装修繕工事")
    assert guarantee.number == "1070000474"
    assert guarantee.medium == Guarantee.Medium.ELECTRONIC
    assert AuditEvent.objects.filter(guarantee=guarantee, action="guarantee.registered").exists()


def test_a_registration_breaking_an_amount_rule_shows_the_reason_and_stores_nothing(staff_client, brochure):
    response = staff_client.post(
        reverse("admin:guarantees_guarantee_add"),
        {
            "kind": "advance",
            "contractor": brochure.contractor.pk,
            "orderer": brochure.orderer.pk,
            "branch": brochure.tokyo.pk,
            "work_name": "過大な前払",
            "contract_amount_total": "50000000",
            "contract_amount_target": "50000000",
            "guarantee_amount": "30000000",
            "concluded_on": "2026-11-20",
            "guarantee_period_end": "2027-03-31",
            "construction_end_date": "2027-03-31",
        },
        follow=True,
    )
    assert "10分の4以内" in response.content.decode()
    assert not Guarantee.objects.filter(work_name="過大な前払").exists()


def test_the_issue_action_issues_the_certificate_and_key(staff_client, brochure):
    guarantee = register_guarantee(
        contractor=brochure.contractor,
        orderer=brochure.orderer,
        branch=brochure.tokyo,
        concluded_on=dt.date(2026, 11, 1),
    )
    response = staff_client.post(
        reverse("admin:guarantees_guarantee_changelist"),
        {"action": "issue_certificates", "_selected_action": [guarantee.pk]},
        follow=True,
    )
    assert "証書を発行しました" in response.content.decode()
    assert guarantee.certificates.count() == 1
    assert guarantee.auth_keys.filter(revoked_at__isnull=True).count() == 1


def test_the_reissue_action_replaces_the_key(staff_client):
    guarantee = Guarantee.objects.get(number=ADVANCE_NUMBER)
    staff_client.post(
        reverse("admin:guarantees_guarantee_changelist"),
        {"action": "reissue_keys", "_selected_action": [guarantee.pk]},
    )
    assert guarantee.auth_keys.count() == 2
    assert guarantee.auth_keys.filter(revoked_at__isnull=True).count() == 1


def test_the_change_page_issues_a_changed_version_for_a_new_guarantee_amount(staff_client, brochure):
    guarantee = issue_guarantee(
        contractor=brochure.contractor, orderer=brochure.orderer, branch=brochure.tokyo
    )
    response = staff_client.post(
        reverse("admin:guarantees_guarantee_amend", args=[guarantee.pk]),
        {"guarantee_amount": "３０，０００，０００円", "reason": "減額"},
        follow=True,
    )
    assert "第2版(変更)の証書を発行しました" in response.content.decode()
    assert guarantee.certificates.get(version=2).guarantee_amount == 30_000_000


def test_the_change_page_explains_why_no_certificate_is_issued(staff_client, brochure):
    guarantee = issue_guarantee(
        contractor=brochure.contractor, orderer=brochure.orderer, branch=brochure.tokyo
    )
    response = staff_client.post(
        reverse("admin:guarantees_guarantee_amend", args=[guarantee.pk]),
        {"construction_end_date": "2027-06-30", "reason": "工期延長"},
        follow=True,
    )
    assert "変更の保証証書は発行しません" in response.content.decode()


def test_the_change_page_shows_a_rule_violation_next_to_the_field(staff_client, brochure):
    guarantee = issue_guarantee(
        contractor=brochure.contractor, orderer=brochure.orderer, branch=brochure.tokyo
    )
    response = staff_client.post(
        reverse("admin:guarantees_guarantee_amend", args=[guarantee.pk]),
        {"guarantee_amount": "99000000", "reason": "増額"},
    )
    assert response.status_code == 200
    assert "10分の4以内" in response.content.decode()
    assert guarantee.certificates.count() == 1


def test_cancelling_needs_a_reason_and_records_it(staff_client):
    guarantee = Guarantee.objects.get(number=CONTRACT_NUMBER)
    url = reverse("admin:guarantees_guarantee_cancel", args=[guarantee.pk])
    response = staff_client.post(url, {"reason": "", "on": "2026-11-20"})
    assert response.status_code == 200
    assert "この項目は必須です" in response.content.decode()
    staff_client.post(url, {"reason": "工事の中止", "on": "2026-11-20"})
    guarantee.refresh_from_db()
    assert guarantee.status == Guarantee.Status.CANCELLED
    assert guarantee.status_reason == "工事の中止"


def test_the_audit_trail_is_read_only(staff_client):
    event = AuditEvent.objects.earliest("id")
    assert staff_client.get(reverse("admin:guarantees_auditevent_changelist")).status_code == 200
    assert (
        staff_client.post(reverse("admin:guarantees_auditevent_delete", args=[event.pk])).status_code == 403
    )


def test_a_registered_guarantees_page_is_read_only_without_save_and_shows_amounts_in_yen(staff_client):
    guarantee = Guarantee.objects.get(number="1070000473")
    page = staff_client.get(
        reverse("admin:guarantees_guarantee_change", args=[guarantee.pk])
    ).content.decode()
    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert "2,172,720,000円" in page
    assert "616,296,000円" in page
    assert "145,670,000円" in page
    assert "2172720000" not in page
    # the actions stay where they were
    assert reverse("admin:guarantees_guarantee_amend", args=[guarantee.pk]) in page
