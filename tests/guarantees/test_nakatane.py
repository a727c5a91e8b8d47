"""The brochure's own orderer, 中種子町, and the rules its notes give (電子保証に関する注意事項).

- e-guarantees for construction and consulting contracts concluded from 令和6年2月 (2024-02-01);
- the 変更, 訂正 and 中間前払金保証 of guarantees made before stay on paper certificates;
- a paper construction contract may still have an e-guarantee;
- the key goes by e-mail to each 事業担当課.
"""

from __future__ import annotations

import datetime as dt

import pytest

from certificates.services import GuaranteeChanges, guarantee_change
from demo import brochure
from guarantees import rules
from guarantees.formatting import japan_today
from guarantees.models import Guarantee, GuaranteeKind, Orderer
from notifications.models import OutboxMessage
from notifications.submissions import key_submission_submit
from tests.factories import UserFactory, issue_guarantee, register_guarantee

pytestmark = pytest.mark.django_db

JANUARY = dt.date(2024, 1, 31)  # the last day before 令和6年2月
FEBRUARY = dt.date(2024, 2, 1)


@pytest.fixture
def nakatane() -> Orderer:
    brochure.seed_brochure()
    return Orderer.objects.get(title=brochure.NAKATANE_TITLE)


def _advance(nakatane: Orderer, concluded_on: dt.date, **extra: object) -> Guarantee:
    """An advance of 中種子町 concluded on ``concluded_on`` and still in force today."""
    in_force_until = japan_today() + dt.timedelta(days=180)
    return issue_guarantee(
        orderer=nakatane,
        concluded_on=concluded_on,
        guarantee_period_end=in_force_until,
        construction_end_date=in_force_until,
        **extra,
    )


def test_a_guarantee_concluded_in_january_2024_is_paper_and_from_february_electronic(nakatane):
    assert _advance(nakatane, JANUARY).medium == Guarantee.Medium.PAPER
    assert _advance(nakatane, FEBRUARY).medium == Guarantee.Medium.ELECTRONIC


def test_a_change_of_a_january_2024_guarantee_issues_a_paper_version(nakatane):
    # given a January 2024 advance, changed after 中種子町 took up e-guarantees
    january = _advance(nakatane, JANUARY)
    # when its amount is reduced
    outcome = guarantee_change(
        guarantee=january, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=None
    )
    # then the (変更) certificate is on paper, as the original
    assert outcome.certificate is not None
    assert outcome.certificate.is_change
    assert outcome.certificate.medium == Guarantee.Medium.PAPER
    assert not outcome.certificate.guarantee.auth_keys.exists()


def test_a_change_of_a_february_2024_guarantee_issues_an_electronic_version(nakatane):
    february = _advance(nakatane, FEBRUARY)
    outcome = guarantee_change(
        guarantee=february, changes=GuaranteeChanges(guarantee_amount=30_000_000), changed_by=None
    )
    assert outcome.certificate is not None
    assert outcome.certificate.medium == Guarantee.Medium.ELECTRONIC


def test_the_interim_advance_of_a_january_2024_advance_is_paper_even_when_concluded_later(nakatane):
    january = _advance(nakatane, JANUARY)
    interim = register_guarantee(
        kind=GuaranteeKind.INTERIM_ADVANCE,
        parent=january,
        contractor=january.contractor,
        orderer=nakatane,
        guarantee_amount=20_000_000,
        concluded_on=dt.date(2024, 9, 2),
        guarantee_period_end=january.guarantee_period_end,
        construction_end_date=january.construction_end_date,
    )
    assert interim.medium == Guarantee.Medium.PAPER


def test_the_interim_advance_of_a_february_2024_advance_is_electronic(nakatane):
    february = _advance(nakatane, FEBRUARY)
    interim = register_guarantee(
        kind=GuaranteeKind.INTERIM_ADVANCE,
        parent=february,
        contractor=february.contractor,
        orderer=nakatane,
        guarantee_amount=20_000_000,
        concluded_on=dt.date(2024, 9, 2),
        guarantee_period_end=february.guarantee_period_end,
        construction_end_date=february.construction_end_date,
    )
    assert interim.medium == Guarantee.Medium.ELECTRONIC


def test_the_contract_rider_of_a_january_2024_advance_stays_paper(nakatane):
    january = _advance(nakatane, JANUARY)
    rider = rules.medium_for(
        orderer=nakatane, kind=GuaranteeKind.CONTRACT, concluded_on=dt.date(2024, 3, 1), parent=january
    )
    assert rider == Guarantee.Medium.PAPER


def test_the_medium_asks_only_the_conclusion_date_so_a_paper_contract_may_use_an_e_guarantee(nakatane):
    # the portal takes no input on how the construction contract was signed (電子契約 or 紙): from
    # 令和6年2月 every kind of guarantee of 中種子町 is electronic, the day before every kind is paper
    for kind in GuaranteeKind.values:
        medium = rules.medium_for(orderer=nakatane, kind=kind, concluded_on=FEBRUARY)
        assert medium == Guarantee.Medium.ELECTRONIC
        assert rules.medium_for(orderer=nakatane, kind=kind, concluded_on=JANUARY) == Guarantee.Medium.PAPER


def test_the_key_goes_by_mail_to_the_department_in_charge_of_each_work(nakatane):
    # given two February 2024 works of 中種子町, one for 建設課 and one for 経済課
    departments = {d.name: d for d in nakatane.departments.all()}
    road = _advance(nakatane, FEBRUARY, orderer_department=departments["建設課"])
    farm = _advance(nakatane, FEBRUARY, contractor=road.contractor, orderer_department=departments["経済課"])
    user = UserFactory(contractor=road.contractor)
    # when the contractor submits each key
    for guarantee in (road, farm):
        key_submission_submit(guarantee=guarantee, submitted_by=user, department=guarantee.orderer_department)
    # then each key notice is addressed to its own department's mail address
    sent = set(OutboxMessage.objects.values_list("to", flat=True))
    assert sent == {departments["建設課"].email, departments["経済課"].email}
