"""The printed wording of certificates, by kind. Snapshotted into each version when it is issued."""

from dataclasses import dataclass

from guarantees.models import GuaranteeKind


@dataclass(frozen=True)
class CertificateWording:
    title: str
    statement: str
    terms_name: str


WORDING: dict[str, CertificateWording] = {
    GuaranteeKind.ADVANCE: CertificateWording(
        title="保証証書（前払金保証）",
        statement="当会社は、前払金保証約款に基づき上記のとおり前払金保証契約を締結し、その責に任じます。",
        terms_name="前払金保証約款",
    ),
    GuaranteeKind.INTERIM_ADVANCE: CertificateWording(
        title="保証証書（中間前払金保証）",
        statement="当会社は、前払金保証約款に基づき上記のとおり中間前払金保証契約を締結し、その責に任じます。",
        terms_name="前払金保証約款",
    ),
    GuaranteeKind.CONTRACT: CertificateWording(
        title="保証証書（契約保証）",
        statement="当会社は、前払金保証約款及び契約保証特約条項に基づき上記のとおり契約保証契約を締結し、その責に任じます。",
        terms_name="前払金保証約款及び契約保証特約条項",
    ),
}

#: (注)1–3 as the brochure prints them; note 2 reads as the evident meaning of the brochure's OCR.
NOTES: list[str] = [
    "保証金額の構成等の変更があった場合は(変更)と表示し、変更後の内容を記載します。",
    "保証期間については、工期の延長に伴い自動的に変更されますので、変更の保証証書は発行しません。",
    "請負金額のみの変更の保証証書は発行を致しません。",
]


def terms_line(kind: str, terms_url: str) -> str:
    return f"{WORDING[kind].terms_name}につきましては、{terms_url}をご覧ください。"
