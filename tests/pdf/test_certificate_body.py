"""The certificate screen and the certificate PDF print one body (templates/certificates/
_certificate.html): every field of the brochure's certificate, with the same values, on both."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from certificates import pdf
from certificates.services import GuaranteeChanges, guarantee_change
from guarantees.wareki import to_wareki
from tests.factories import issue_guarantee
from tests.pdf.conftest import pdf_text

#: The rows of the brochure's 保証証書 (●保証内容表示画面), in its order.
BROCHURE_ROWS = [
    "保証契約番号",
    "保証契約者",
    "被保証者",
    "保証金額(総額)",
    "保証期間",
    "工期末日",
    "工事名",
    "請負金額(総額)",
    "請負金額(対象額)",
    "保証金納付機関",
]


class _CertificateScreen(HTMLParser):
    """The text of the screen's <article class="certificate">: its table rows and its lines."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside the article when > 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.lines: list[str] = [""]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article" and ("class", "certificate") in attrs:
            self.depth = 1
        elif self.depth:
            if tag == "article":
                self.depth += 1
            if tag == "tr":
                self.rows.append([])
            if tag in {"th", "td"}:
                self.cell = []
            if tag in {"p", "h2", "br", "li", "tr", "address"}:
                self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "article":
            self.depth -= 1
        if tag in {"th", "td"} and self.cell is not None:
            self.rows[-1].append(_spaces("".join(self.cell)))
            self.cell = None
            self.lines[-1] += " "

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.lines[-1] += data
            if self.cell is not None:
                self.cell.append(data)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _screen(client, user, guarantee, version: int) -> _CertificateScreen:
    response = client.get(reverse("certificates:version", args=[guarantee.number, version]))
    assert response.status_code == 200
    parser = _CertificateScreen()
    parser.feed(response.content.decode())
    assert parser.rows, "the screen shows no certificate body"
    return parser


def _pdf_rows(text: str) -> dict[str, str]:
    """``label value`` lines of the PDF whose label is one of the brochure's rows (the first line of
    each: the version line at the foot also starts with 保証契約番号)."""
    rows: dict[str, str] = {}
    for line in text.splitlines():
        for label in sorted(BROCHURE_ROWS, key=len, reverse=True):
            if line.startswith(label + " "):
                rows.setdefault(label, _spaces(line.removeprefix(label)))
                break
    return rows


@pytest.fixture
def changed(contractor_a, orderer):
    """A 前払金保証 with a bank whose second version is a (変更)."""
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer, key="K5VL4+5QG_KJ")
    outcome = guarantee_change(
        guarantee=guarantee,
        changes=GuaranteeChanges(guarantee_amount=30_000_000),
        changed_by=None,
        reason="減額",
    )
    assert outcome.certificate is not None
    return outcome.certificate


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_screen_and_the_pdf_print_the_same_fields_with_the_same_values(client, user_a, changed, language):
    # given the contractor's screen of the (変更) version and its PDF, both in the request's language
    client.force_login(user_a)
    with translation.override(language):
        screen = _screen(client, user_a, changed.guarantee, changed.version)
        text = pdf_text(pdf.certificate_pdf(certificate=changed))
    flat = _spaces(text)
    screen_lines = [_spaces(line) for line in screen.lines if _spaces(line)]
    # then: every brochure row, in its order, with the same value on both
    if language == "ja":
        assert [label for label, _value in screen.rows] == BROCHURE_ROWS
        assert dict(screen.rows) == _pdf_rows(text)
    else:  # the screen's labels are translated; the values are the same, the PDF stays Japanese
        assert [value for _label, value in screen.rows] == [_pdf_rows(text)[label] for label in BROCHURE_ROWS]
    assert list(_pdf_rows(text)) == BROCHURE_ROWS
    # the 和暦 date, the title with its (変更) mark, the statement, both address blocks, the notes and
    # the terms line, as lines of the screen and text of the PDF
    expected = [
        to_wareki(changed.certified_on),  # the certificate's date, 和暦 (令和 8年 1月20日)
        f"{changed.title}(変更)",
        changed.statement,
        changed.company_address,
        changed.company_name,
        changed.company_representative,
        f"取組場所 {changed.branch_name}" if language == "ja" else changed.branch_name,
        changed.branch_address,
        f"TEL: {changed.branch_tel}",
        f"FAX: {changed.branch_fax}",
        f"(注)1. {changed.notes[0]}",
        f"2. {changed.notes[1]}",
        f"3. {changed.notes[2]}",
        changed.terms_line,
    ]
    for line in expected:
        assert any(line.replace(" ", "") in shown.replace(" ", "") for shown in screen_lines), line
        assert line.replace(" ", "") in flat.replace(" ", ""), line
    assert len(changed.notes) == 3


def test_a_guarantee_without_a_bank_lacks_the_row_on_both(client, user_a, contractor_a, orderer):
    guarantee = issue_guarantee(contractor=contractor_a, orderer=orderer, kind="contract", bank=None)
    certificate = guarantee.certificates.get()
    client.force_login(user_a)
    screen = _screen(client, user_a, guarantee, 1)
    text = pdf_text(pdf.certificate_pdf(certificate=certificate))
    assert dict(screen.rows) == _pdf_rows(text)
    assert "保証金納付機関" not in dict(screen.rows)
    assert list(_pdf_rows(text)) == BROCHURE_ROWS[:-1]
    assert "(変更)" not in text.splitlines()[1]
