"""The audit trail's actions of certificates (``guarantees.audit``)."""

from django.utils.translation import gettext_lazy as _

from guarantees.audit import register

CERTIFICATE_ISSUED = register("certificate.issued", _("証書の発行"))
CERTIFICATE_VERSION_ISSUED = register("certificate.version_issued", _("変更証書の発行"))
