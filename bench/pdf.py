"""PDF benchmark: render times of a certificate and the download of a stored PDF.

    .venv/bin/python bench/pdf.py      (bench/run.sh runs it; about 30-60 s on 2 cores)

Measures, in one run on this machine:
- the first certificate render in a fresh process (Django set up, WeasyPrint imported), and warm
  renders (render + PAdES signature) in a process that has rendered before;
- 100 different certificates rendered by 1 and by 2 worker processes (warm workers);
- downloading a stored certificate PDF through Django (middleware, login, the stored-row lookup, the
  sha256 check) as a ratio to a bare Django view that returns a short HttpResponse, both through
  Django's test client in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from typing import Any

import common  # bench/common.py, beside this script

sys.path.insert(1, str(common.ROOT))

CERTIFICATES = 100
BUDGET_SECONDS = 75.0  # the whole script stays well under two minutes

_FIRST_RENDER = """
import time
start = time.perf_counter()
import sys
sys.path.insert(0, "bench")
import common
common.configure_environment()
import django
django.setup()
setup_done = time.perf_counter()
from certificates import pdf
from certificates.models import Certificate
certificate = Certificate.objects.order_by("pk").first()
imported = time.perf_counter()
pdf.certificate_pdf(certificate=certificate)
done = time.perf_counter()
print(f"{setup_done - start:.4f} {imported - setup_done:.4f} {done - imported:.4f}")
"""


def _worker_init() -> None:
    common.configure_environment()
    import django

    django.setup()
    from certificates import pdf
    from certificates.models import Certificate

    pdf.certificate_pdf(certificate=Certificate.objects.order_by("pk")[0])  # warm: fonts, key


def _render(certificate_id: int) -> int:
    from certificates import pdf
    from certificates.models import Certificate

    return len(pdf.certificate_pdf(certificate=Certificate.objects.get(pk=certificate_id)))


def _batches(ids: list[int]) -> tuple[float, float]:
    """Render ``ids`` one at a time (1 process busy), then spread over both workers (2 busy). One
    pool of two warm workers serves both, so the start-up of the workers is paid once."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(2, initializer=_worker_init) as pool:
        pool.map(_render, ids[:2], chunksize=1)  # both workers are warm before timing
        start = time.perf_counter()
        sizes = [pool.apply(_render, (certificate_id,)) for certificate_id in ids]
        one = time.perf_counter() - start
        start = time.perf_counter()
        sizes += pool.map(_render, ids, chunksize=2)
        two = time.perf_counter() - start
    assert all(size > 10_000 for size in sizes)
    return one, two


def main() -> None:
    budget = common.Budget(BUDGET_SECONDS)
    common.setup_django()
    from django.db import connection

    from guarantees import demo

    report = common.Report("pdf")
    demo.seed_brochure()
    demo.seed_generated(count=CERTIFICATES)
    from certificates.models import Certificate

    ids = list(Certificate.objects.order_by("pk").values_list("pk", flat=True)[:CERTIFICATES])
    connection.close()

    # First render in a fresh process.
    output = subprocess.run(
        [sys.executable, "-c", _FIRST_RENDER],
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONPATH": str(common.ROOT)},
    ).stdout.split()
    django_setup, first_import, first_render = (float(value) for value in output[-3:])
    report.add("Django set-up in a fresh process", django_setup * 1000, "ms", key="django_setup_ms")
    report.add("import of WeasyPrint and pyHanko", first_import * 1000, "ms", key="first_import_ms")
    report.add("first certificate render + signature", first_render * 1000, "ms", key="first_render_ms")

    # Warm renders in this process.
    from certificates import pdf

    certificate = Certificate.objects.get(pk=ids[0])
    pdf.certificate_pdf(certificate=certificate)
    warm = common.repeat(
        lambda: pdf.certificate_pdf(certificate=certificate), times=15, budget=budget, max_seconds=8
    )
    report.add(
        f"warm render + signature (median of {len(warm)})", common.median_ms(warm), "ms", key="warm_ms"
    )
    report.add("  p95", common.p95_ms(warm), "ms", key="warm_p95_ms")
    raw = pdf._renderer()
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("pdf/certificate.html", {"certificate": certificate})
    unsigned = common.repeat(
        lambda: HTML(string=html, base_url=raw.base_url, url_fetcher=raw.fetcher).write_pdf(
            stylesheets=[raw.certificate_stylesheet], font_config=raw.font_config
        ),
        times=8,
        budget=budget,
        max_seconds=4,
    )
    report.add("  of which WeasyPrint alone", common.median_ms(unsigned), "ms", key="weasyprint_ms")
    from certificates import signing

    unsigned_pdf = HTML(string=html, base_url=raw.base_url, url_fetcher=raw.fetcher).write_pdf(
        stylesheets=[raw.certificate_stylesheet], font_config=raw.font_config
    )
    signature = common.repeat(
        lambda: signing.sign_pdf(unsigned_pdf, reason="bench", location="日本"),
        times=15,
        budget=budget,
        max_seconds=3,
    )
    report.add("  of which the signature alone", common.median_ms(signature), "ms", key="signature_ms")
    # WeasyPrint's floor on this machine: one A4 page, the shipped font through the same
    # configuration, one short line of Japanese; no table, no signature.
    floor_html = "<p style=\"font-family: 'Portal Mincho'\">保証証書（前払金保証）</p>"
    floor = common.repeat(
        lambda: HTML(string=floor_html, base_url=raw.base_url, url_fetcher=raw.fetcher).write_pdf(
            stylesheets=[raw.certificate_stylesheet], font_config=raw.font_config
        ),
        times=15,
        budget=budget,
        max_seconds=3,
    )
    report.add("bare WeasyPrint A4 page, one line (floor)", common.median_ms(floor), "ms", key="floor_ms")
    size = len(pdf.certificate_pdf(certificate=certificate))
    report.add("certificate PDF size", size / 1024, "KiB", key="size_kib")

    # The baseline: ReportLab drawing the same page with the same font, in this process.
    font = str(common.ROOT / "static" / "fonts" / "ipaexm.ttf")
    _reportlab_page(certificate, font)
    baseline = common.repeat(
        lambda: _reportlab_page(certificate, font), times=15, budget=budget, max_seconds=4
    )
    report.add(
        "ReportLab drawing the same page (median)", common.median_ms(baseline), "ms", key="reportlab_ms"
    )
    report.add(
        "  certificate (render + signature) / ReportLab",
        common.median_ms(warm) / common.median_ms(baseline),
        "x",
        key="certificate_ratio",
    )
    report.add(
        "  bare WeasyPrint page / ReportLab",
        common.median_ms(floor) / common.median_ms(baseline),
        "x",
        key="floor_ratio",
    )
    notice_guarantee = certificate.guarantee
    notice = common.repeat(
        lambda: pdf.authkey_notice_pdf(guarantee=notice_guarantee, key=demo.ADVANCE_KEY),
        times=10,
        budget=budget,
        max_seconds=4,
    )
    report.add(
        "key notice on demand (render + signature, median)", common.median_ms(notice), "ms", key="notice_ms"
    )
    report.add(
        "  key notice / ReportLab",
        common.median_ms(notice) / common.median_ms(baseline),
        "x",
        key="notice_ratio",
    )

    # 100 certificates, 1 and 2 processes: fewer when the machine is so slow that 100 would not fit
    # the budget (both runs render the same certificates, so the ratio holds).
    connection.close()
    per_certificate = common.median_ms(warm) / 1000
    room = budget.left() - 20  # worker start-up, and the download part after this
    count = max(min(len(ids), int(room / (1.6 * per_certificate))), 10)
    batch = ids[:count]
    one, two = _batches(batch)
    report.add(f"{count} certificates, 1 process", one, "s", key="batch_1_s")
    report.add(f"{count} certificates, 2 processes", two, "s", key="batch_2_s")
    report.add("  speed-up with 2 processes", one / two, "x", key="batch_speedup")
    report.figures["batch_count"] = count

    _downloads(report, budget)
    report.finish()


def _reportlab_page(certificate: Any, font_path: str) -> bytes:
    """The baseline: ReportLab drawing the same certificate page (the same texts, the same shipped
    font, embedded and subset as ReportLab does) on one A4 page, unsigned."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from guarantees.formatting import yen
    from guarantees.wareki import to_wareki as wareki

    if "IPAexMincho" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("IPAexMincho", font_path))
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    c = certificate
    page.setFont("IPAexMincho", 10)
    page.drawRightString(width - 60, height - 60, wareki(c.certified_on))
    page.setFont("IPAexMincho", 20)
    page.drawCentredString(width / 2, height - 100, c.title)
    rows = [
        ("保証契約番号", c.contract_number),
        ("保証契約者", f"{c.contractor_name} 様"),
        ("被保証者", f"{c.orderer_title} 様"),
        ("保証金額(総額)", f"{yen(c.guarantee_amount)} 円"),
        ("保証期間", wareki(c.guarantee_period_end)),
        ("工期末日", wareki(c.construction_end_date)),
        ("工事名", c.work_name),
        ("請負金額(総額)", f"{yen(c.contract_amount_total)} 円"),
        ("請負金額(対象額)", f"{yen(c.contract_amount_target)} 円"),
        ("保証金納付機関", c.bank_name),
    ]
    y = height - 150
    page.setFont("IPAexMincho", 11)
    for label, value in rows:
        page.rect(60, y - 6, width - 120, 22)
        page.drawString(70, y, label)
        page.drawString(200, y, str(value))
        y -= 22
    y -= 20
    page.setFont("IPAexMincho", 10.5)
    page.drawString(60, y, c.statement)
    y -= 40
    for line in [c.company_address, c.company_name, c.company_representative]:
        page.drawString(60, y, line)
        y -= 15
    y -= 10
    for line in [
        f"取組場所 {c.branch_name}",
        c.branch_address,
        f"TEL: {c.branch_tel}",
        f"FAX: {c.branch_fax}",
    ]:
        page.drawString(320, y, line)
        y -= 15
    page.setFont("IPAexMincho", 8.5)
    y -= 10
    for number, note in enumerate(c.notes, start=1):
        page.drawString(60, y, f"{'(注)' if number == 1 else '　　'}{number}. {note}"[:80])
        y -= 12
    page.drawString(60, y - 10, c.terms_line)
    page.drawString(60, 50, f"保証契約番号 {c.contract_number} 第{c.version}版")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _downloads(report: common.Report, budget: common.Budget) -> None:
    """A stored PDF through Django vs a bare view, both with the same middleware and login."""
    from django.http import HttpRequest, HttpResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    from accounts.models import User
    from certificates import pdf
    from certificates.models import Certificate
    from guarantees import demo

    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse(b"ok")

    def bare_user(request: HttpRequest) -> HttpResponse:
        return HttpResponse(request.user.get_username().encode())  # loads the session and the user

    module = type(sys)("bench_pdf_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/bare", bare),
        path("bench/bare-user", bare_user),
        path("", include("config.urls")),
    ]
    sys.modules["bench_pdf_urls"] = module

    certificate = Certificate.objects.get(contract_number=demo.ADVANCE_NUMBER, version=1)
    pdf.certificate_document(certificate=certificate)
    url = f"/documents/certificates/{certificate.contract_number}/v1.pdf"
    with override_settings(ROOT_URLCONF="bench_pdf_urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(User.objects.get(username=demo.DEMO_LOGIN))
        assert client.get(url).status_code == 200
        assert client.get("/bench/bare").status_code == 200
        bare_samples = common.repeat(lambda: client.get("/bench/bare"), times=400, max_seconds=5)
        user_samples = common.repeat(lambda: client.get("/bench/bare-user"), times=400, max_seconds=5)
        pdf_samples = common.repeat(lambda: client.get(url), times=400, max_seconds=5)
    report.add("bare Django view (median)", common.median_ms(bare_samples), "ms", key="bare_view_ms")
    report.add(
        "stored certificate PDF download (median)", common.median_ms(pdf_samples), "ms", key="download_ms"
    )
    report.add(
        "bare view that loads the session user (median)",
        common.median_ms(user_samples),
        "ms",
        key="bare_user_ms",
    )
    ratio = common.median_ms(pdf_samples) / common.median_ms(bare_samples)
    report.add("  download / bare view", ratio, "x", key="download_ratio")
    ratio_user = common.median_ms(pdf_samples) / common.median_ms(user_samples)
    report.add("  download / bare view with the session user", ratio_user, "x", key="download_ratio_user")


if __name__ == "__main__":
    main()
