"""The registration certificate as a PDF (reportlab, built-in CJK font, QR code to the verification page).

The font is reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1): Chinese renders in every PDF reader without
a font file being shipped. The QR code (reportlab's own ``QrCodeWidget``) holds the absolute address of the public
verification page, so anyone can check that the number is valid, lapsed or revoked.
"""

import io

from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from techsme.evaluation.models import Registration
from techsme.refdata import region_name

FONT = "STSong-Light"
LATIN = "Helvetica"
ACCENT = HexColor("#8a1c1c")
NOTE_ZH = "本证明依据《科技型中小企业评价办法》出具。登记状态以评价服务平台公开信息为准，扫描二维码可核验。"
NOTE_EN = ("Issued under the Measures for the Evaluation of Technology-based SMEs. The status shown on the platform "
           "prevails; scan the QR code to verify.")


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def certificate_pdf(registration: Registration, verify_url: str) -> bytes:
    """A one-page A4 landscape certificate in Chinese and English."""
    _register_font()
    enterprise = registration.enterprise
    issued = timezone.localtime(registration.issued_at).date()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"科技型中小企业入库登记证明 {registration.number}")
    pdf.setAuthor("Tech-SME Service Platform")
    pdf.setSubject(registration.number)

    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    pdf.setFillColor(ACCENT)
    pdf.setFont(FONT, 28)
    pdf.drawCentredString(width / 2, height - 42 * mm, "科技型中小企业入库登记证明")
    pdf.setFont(LATIN, 14)
    pdf.drawCentredString(width / 2, height - 52 * mm, "Certificate of Registration as a Technology-based SME")

    pdf.setFillColor(HexColor("#000000"))
    rows = [
        ("企业名称", "Enterprise", enterprise.name),
        ("统一社会信用代码", "USCC", enterprise.uscc),
        ("登记编号", "Registration number", registration.number),
        ("评价年度", "Evaluation year", str(registration.year)),
        ("所在地区", "Region", f"{region_name(registration.region6) or ''} ({registration.region6})"),
        ("发证日期", "Issued on", issued.isoformat()),
    ]
    y = height - 75 * mm
    for label_zh, label_en, value in rows:
        pdf.setFont(FONT, 13)
        pdf.drawString(32 * mm, y, label_zh)
        pdf.setFont(LATIN, 9)
        pdf.drawString(32 * mm, y - 5 * mm, label_en)
        pdf.setFont(FONT, 14)
        pdf.drawString(85 * mm, y - 1 * mm, value)
        y -= 15 * mm

    pdf.setFont(FONT, 10)
    pdf.drawString(32 * mm, 32 * mm, NOTE_ZH)
    pdf.setFont(LATIN, 8)
    pdf.drawString(32 * mm, 27 * mm, NOTE_EN)

    size = 45 * mm
    widget = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, width - 32 * mm - size, 40 * mm)
    pdf.setFont(LATIN, 7)
    pdf.drawRightString(width - 32 * mm, 37 * mm, verify_url[:90])

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
