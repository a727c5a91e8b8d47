"""The verification's key lookup (raw SQL, built once) gives the same objects the ORM would."""

from __future__ import annotations

import pytest
from django.utils import timezone

from certificates.models import Certificate
from guarantees.models import Guarantee
from tests.factories import issue_guarantee
from tests.verification.helpers import KEY
from verification.selectors import key_candidates

pytestmark = pytest.mark.django_db


def test_the_lookup_gives_the_guarantee_and_its_versions_as_the_orm_reads_them(orderer):
    # given an electronic guarantee with its key and certificate
    guarantee = issue_guarantee(number="1070000473", key=KEY, orderer=orderer)
    # when the lookup reads it
    candidate = key_candidates(numbers=["1070000473", "1070009999"])["1070000473"]
    # then every field of the guarantee and of the certificate is what the ORM reads
    orm_guarantee = Guarantee.objects.get(pk=guarantee.pk)
    orm_certificate = Certificate.objects.get(guarantee=guarantee)
    [certificate] = candidate.versions
    for field in Guarantee._meta.concrete_fields:
        assert getattr(candidate.guarantee, field.attname) == getattr(orm_guarantee, field.attname), field
    for field in Certificate._meta.concrete_fields:
        assert getattr(certificate, field.attname) == getattr(orm_certificate, field.attname), field
    # with the types the ORM gives: JSON as its value, aware times
    assert isinstance(certificate.notes, list)
    assert timezone.is_aware(certificate.registered_at)
    assert certificate.guarantee is candidate.guarantee
