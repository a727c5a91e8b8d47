"""Certificates are immutable snapshots; changes follow the certificate's notes (注)1–3."""

import datetime as dt

import pytest
from django.db import transaction

from authkeys.models import AuthKey
from certificates.models import Certificate, CertificateImmutableError
from certificates.services import GuaranteeChanges, certificate_issue, guarantee_change
from guarantees.audit_actions import GUARANTEE_CHANGED, GUARANTEE_REGISTERED
from guarantees.errors import GuaranteeError
from guarantees.models import AuditEvent, Guarantee
from tests.factories import OrdererFactory, issue_guarantee, register_guarantee


def test_issuing_an_electronic_guarantee_snapshots_every_printed_field_and_issues_a_key(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    certificate = guarantee.certificates.get()
    assert certificate.version == 1
    assert not certificate.is_change
    assert certificate.is_electronic
    assert certificate.contract_number == guarantee.number
    assert certificate.title == "保証証書（前払金保証）"
    assert certificate.statement.startswith("当会社は、前払金保証約款に基づき")
    assert certificate.company_representative == "取締役社長 眞田 一"
    assert certificate.branch_fax == "0320-504133"
    assert len(certificate.notes) == 3
    assert AuthKey.objects.filter(guarantee=guarantee, revoked_at__isnull=True).count() == 1


def test_a_paper_guarantee_is_recorded_without_a_key(db):
    guarantee = issue_guarantee(orderer=OrdererFactory(e_guarantee_adopted_on=None))
    assert guarantee.certificates.get().medium == Guarantee.Medium.PAPER
    assert not AuthKey.objects.filter(guarantee=guarantee).exists()


def test_a_certificate_is_issued_once(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    with pytest.raises(GuaranteeError) as error:
        certificate_issue(guarantee=guarantee, issued_by=None)
    assert error.value.code == "already_issued"


def test_editing_master_data_later_never_rewrites_an_issued_certificate(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    guarantee.contractor.company_name = "株式会社新社名建設"
    guarantee.contractor.save()
    guarantee.branch.tel = "03-0000-0000"
    guarantee.branch.save()
    certificate = Certificate.objects.get(guarantee=guarantee)
    assert certificate.contractor_name.startswith("株式会社テスト建設")
    assert certificate.branch_tel == "03-6848-2671"


def test_an_issued_certificate_version_cannot_be_saved_again_or_deleted(orderer):
    certificate = issue_guarantee(orderer=orderer).certificates.get()
    certificate.guarantee_amount = 1
    with pytest.raises(CertificateImmutableError):
        certificate.save()
    with pytest.raises(CertificateImmutableError):
        certificate.delete()


def test_a_change_of_the_guarantee_amount_issues_a_changed_version_and_keeps_the_old_one(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    outcome = guarantee_change(
        guarantee=guarantee,
        changes=GuaranteeChanges(guarantee_amount=30_000_000, contract_amount_target=80_000_000),
        changed_by=None,
        reason="減額",
    )
    assert outcome.certificate is not None
    assert outcome.certificate.version == 2
    assert outcome.certificate.is_change
    assert outcome.certificate.guarantee_amount == 30_000_000
    assert Certificate.objects.get(guarantee=guarantee, version=1).guarantee_amount == 40_000_000


def test_an_extension_of_the_construction_period_moves_the_guarantee_period_without_a_new_version(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    extended_to = guarantee.construction_end_date + dt.timedelta(days=91)
    outcome = guarantee_change(
        guarantee=guarantee,
        changes=GuaranteeChanges(construction_end_date=extended_to),
        changed_by=None,
        reason="工期延長",
    )
    assert outcome.certificate is None
    assert "工期の延長に伴い" in outcome.reason_no_certificate
    guarantee.refresh_from_db()
    assert guarantee.guarantee_period_end == extended_to
    assert guarantee.certificates.count() == 1


def test_a_change_of_the_contract_amount_alone_issues_no_new_version(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    outcome = guarantee_change(
        guarantee=guarantee,
        changes=GuaranteeChanges(contract_amount_total=120_000_000, contract_amount_target=120_000_000),
        changed_by=None,
    )
    assert outcome.certificate is None
    assert "請負金額のみ" in outcome.reason_no_certificate


def test_a_shortened_guarantee_period_issues_a_changed_version(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    shortened_to = guarantee.guarantee_period_end - dt.timedelta(days=59)
    outcome = guarantee_change(
        guarantee=guarantee,
        changes=GuaranteeChanges(guarantee_period_end=shortened_to, construction_end_date=shortened_to),
        changed_by=None,
        reason="保証期限変更",
    )
    assert outcome.certificate is not None
    assert outcome.certificate.guarantee_period_end == shortened_to


def test_a_change_that_breaks_an_amount_rule_stores_nothing(orderer):
    guarantee = issue_guarantee(orderer=orderer)
    with pytest.raises(GuaranteeError):
        guarantee_change(
            guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=90_000_000), changed_by=None
        )
    guarantee.refresh_from_db()
    assert guarantee.guarantee_amount == 40_000_000
    assert not AuditEvent.objects.filter(action=GUARANTEE_CHANGED).exists()


def test_changes_of_a_paper_guarantee_stay_paper(db):
    guarantee = issue_guarantee(orderer=OrdererFactory(e_guarantee_adopted_on=None))
    outcome = guarantee_change(
        guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=None
    )
    assert outcome.certificate is not None
    assert outcome.certificate.medium == Guarantee.Medium.PAPER


def test_every_state_change_writes_its_audit_event(orderer, head_office):
    from authkeys.services import authkey_reissue
    from guarantees.services import guarantee_cancel

    guarantee = register_guarantee(orderer=orderer, registered_by=head_office)
    certificate_issue(guarantee=guarantee, issued_by=head_office)
    guarantee_change(
        guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=head_office
    )
    authkey_reissue(guarantee=guarantee, reissued_by=head_office)
    guarantee_cancel(guarantee=guarantee, cancelled_by=head_office, reason="工事の中止")
    actions = list(
        AuditEvent.objects.filter(guarantee=guarantee).order_by("id").values_list("action", "actor")
    )
    assert actions == [
        ("guarantee.registered", head_office.pk),
        ("authkey.issued", head_office.pk),
        ("certificate.issued", head_office.pk),
        ("guarantee.changed", head_office.pk),
        ("certificate.version_issued", head_office.pk),
        ("authkey.reissued", head_office.pk),
        ("guarantee.cancelled", head_office.pk),
    ]


def test_a_rolled_back_issuance_leaves_no_certificate_key_or_audit_row(orderer):
    guarantee = register_guarantee(orderer=orderer)

    def issue_then_fail() -> None:
        with transaction.atomic():
            certificate_issue(guarantee=guarantee, issued_by=None)
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        issue_then_fail()
    assert not Certificate.objects.exists()
    assert not AuthKey.objects.exists()
    assert not AuditEvent.objects.exclude(action=GUARANTEE_REGISTERED).exists()


def test_a_cancelled_guarantee_cannot_be_changed_or_cancelled_again(orderer):
    from guarantees.services import guarantee_cancel

    guarantee = issue_guarantee(orderer=orderer)
    guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="契約解除")
    with pytest.raises(GuaranteeError, match="解約"):
        guarantee_cancel(guarantee=guarantee, cancelled_by=None, reason="二重")
    with pytest.raises(GuaranteeError):
        guarantee_change(guarantee=guarantee, changes=GuaranteeChanges(guarantee_amount=1), changed_by=None)
