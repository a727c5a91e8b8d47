"""An advance's paperwork as signed PDFs: the 前払金使途内訳明細書 and the 前払金払出依頼書.

Rendered on demand through the one PDF pipeline (``certificates.pdf.render_pdf``: WeasyPrint with the
shipped font, then the guarantor's signature), never stored: they follow the paperwork as it changes
(a plan is amended), and neither holds a secret.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from certificates.pdf import render_pdf

from .models import AdvanceUsePlan, WithdrawalRequest


def use_plan_context(plan: AdvanceUsePlan) -> dict[str, Any]:
    guarantee = plan.guarantee
    rows = list(plan.rows.all())
    known = [row.total_required for row in rows if row.total_required is not None]
    return {
        "plan": plan,
        "guarantee": guarantee,
        "contractor_name": guarantee.contractor.display_name if guarantee.contractor_id else "",
        "rows": rows,
        "total_required": sum(known),
        "some_required_undecided": len(known) < len(rows),
        "advance_total": sum(row.advance_use for row in rows),
        "updated_on": timezone.localdate(plan.updated_at),
        "printed_on": timezone.localdate(),
        "document_title": f"前払金使途内訳明細書 {guarantee.number} 第{plan.revision}版",
    }


def use_plan_pdf(*, plan: AdvanceUsePlan) -> bytes:
    return render_pdf("pdf/use_plan.html", use_plan_context(plan), reason="前払金使途内訳明細書")


def withdrawal_context(request: WithdrawalRequest) -> dict[str, Any]:
    guarantee = request.guarantee
    return {
        "request": request,
        "guarantee": guarantee,
        "contractor_name": guarantee.contractor.display_name if guarantee.contractor_id else "",
        "bank": guarantee.bank,
        "lines": list(request.lines.all()),
        "withdrawn_before": guarantee.guarantee_amount - request.balance_after - request.total,
        "created_on": timezone.localdate(request.created_at),
        "printed_on": timezone.localdate(),
        "document_title": f"前払金払出依頼書 {guarantee.number} 第{request.sequence}回",
    }


def withdrawal_request_pdf(*, request: WithdrawalRequest) -> bytes:
    return render_pdf("pdf/withdrawal_request.html", withdrawal_context(request), reason="前払金払出依頼書")
