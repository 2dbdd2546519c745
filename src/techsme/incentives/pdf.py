"""A printable summary of an enterprise's incentives for one tax year (reportlab, built-in CID font STSong-Light).

The figures are those of the page (``consultation.consult``), in the active language.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from techsme.incentives.consultation import Incentive
from techsme.refdata import region_name

FONT = "STSong-Light"


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _yuan(value: Any) -> str:
    return "—" if value is None else f"¥{Decimal(str(value)):,.2f}"


def incentives_pdf(enterprise: Any, year: int, result: dict[str, Any], incentives: list[Incentive]) -> bytes:
    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.HexColor("#555555"))
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=17, spaceBefore=8, spaceAfter=2)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=_("Incentives summary"), author="techsme")
    story: list[Any] = [
        p(_("Incentives summary, tax year %(year)d") % {"year": year}, h1),
        p(f"{enterprise.name} · {enterprise.uscc} · {region_name(enterprise.region_code)}"),
        p(_("Prepared on %(date)s from the facts recorded on the platform. Estimates for guidance only; the tax "
            "authority's decision prevails.") % {"date": timezone.localdate().isoformat()}, small),
        Spacer(1, 4 * mm),
    ]
    rows = [[p(_("Incentive")), p(_("Status")), p(_("Estimated EIT saving"))]]
    for item in incentives:
        rows.append([p(item.title), p(item.status_label), p(_yuan(item.amount))])
    rows.append([p(_("Total EIT saving (all modelled incentives)")), p(""), p(_yuan(result.get("eit_saving")))])
    table = Table(rows, colWidths=[95 * mm, 35 * mm, 45 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    for item in incentives:
        story.append(p(f"{item.title} — {item.status_label}", h2))
        if item.note:
            story.append(p(item.note, small))
        for label, value in item.details:
            story.append(p(f"{label}: {value}"))
        for explained in item.explained:
            story.append(p(f"• {explained['label']}: {explained['value']} — {explained['rule']}"))
        if item.missing:
            story.append(p(_("Missing facts: %(facts)s") % {"facts": ", ".join(item.missing)}))
        for text in item.improvements:
            story.append(p(_("Near miss: %(text)s") % {"text": text}))
        for step in item.claim.get("steps", []):
            story.append(p(f"→ {step['text']}" + (f" ({_('to be verified')})" if step["cautious"] else "")))
        story.append(p(_("Deadline: %(text)s") % {"text": item.claim.get("deadline", "")}))
        basis = "; ".join(f"{c['document']} {c['article']}".strip() for c in item.legal_basis[:8])
        cited = "; ".join(f"{c['document']} {c['article']}".strip() for c in item.claim.get("citations", []))
        if basis or cited:
            story.append(p(_("Legal basis: %(text)s") % {"text": basis or cited}, small))
    doc.build(story)
    return buffer.getvalue()
