"""The technology-contract registration certificate (技术合同登记证明) as a one-page A4 PDF in Chinese and English,
stating the contract amount and the technology-transaction amount the registrar determined, the category, the tax
reliefs the category supports with their legal basis, and a QR code to the public check of the number."""

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from techsme.refdata import region_name
from techsme.transfer import rules
from techsme.transfer.models import TechContract

FONT = "STSong-Light"
LATIN = "Helvetica"
ACCENT = HexColor("#1c4f8a")


def _yuan(amount: object) -> str:
    return f"¥{amount:,.2f}"


def certificate_pdf(contract: TechContract, verify_url: str) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    category = rules.categories()[contract.category]
    subtype = category.subtypes[contract.subtype]
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"技术合同登记证明 {contract.registration_number}")
    pdf.setAuthor("Tech-SME Service Platform")
    pdf.setSubject(contract.registration_number or "")
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(2)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setFillColor(ACCENT)
    pdf.setFont(FONT, 22)
    pdf.drawCentredString(width / 2, height - 35 * mm, "技术合同认定登记证明")
    pdf.setFont(LATIN, 12)
    pdf.drawCentredString(width / 2, height - 43 * mm, "Certificate of Technology-Contract Registration")
    pdf.setFillColor(HexColor("#000000"))
    rows = [
        ("登记编号", "Registration number", contract.registration_number or ""),
        ("合同名称", "Contract", contract.title),
        ("卖方（登记方）", "Seller (applicant)", contract.seller.name),
        ("买方", "Buyer", f"{contract.buyer_name} ({contract.buyer_country})"),
        ("合同类别", "Category", f"{category.zh}·{subtype.zh} / {category.en}: {subtype.en}"),
        ("合同成交额", "Contract amount", _yuan(contract.contract_amount)),
        ("技术交易额", "Technology-transaction amount", _yuan(contract.tech_amount)),
        ("签订日期", "Signed on", contract.signed_on.isoformat()),
        ("登记日期", "Registered on", contract.registered_on.isoformat() if contract.registered_on else ""),
        ("登记地区", "Region", f"{region_name(contract.region_code) or ''} ({contract.region_code})"),
    ]
    y = height - 62 * mm
    for label_zh, label_en, value in rows:
        pdf.setFont(FONT, 11)
        pdf.drawString(22 * mm, y, label_zh)
        pdf.setFont(LATIN, 8)
        pdf.drawString(22 * mm, y - 4 * mm, label_en)
        pdf.setFont(FONT, 11)
        pdf.drawString(72 * mm, y - 1 * mm, value[:60])
        y -= 13 * mm
    pdf.setFont(FONT, 9)
    y -= 2 * mm
    pdf.drawString(22 * mm, y, "可支持的税收优惠 Tax reliefs this category supports:")
    for code in category.tax:
        relief = rules.tax_reliefs()[code]
        y -= 6 * mm
        pdf.drawString(26 * mm, y, f"· {relief['zh']} — {relief['basis_zh']}"[:90])
    source = rules.source()
    pdf.setFont(FONT, 8)
    pdf.drawString(22 * mm, 30 * mm, f"依据 {source['document_zh']}"[:95])
    pdf.setFont(LATIN, 7)
    pdf.drawString(22 * mm, 25 * mm, "Whether a tax relief applies is decided by the tax authority.")
    size = 35 * mm
    widget = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, width - 22 * mm - size, 35 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
