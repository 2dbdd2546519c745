"""The certificate is a real PDF that names the registration (text extracted with pypdf) and links to verification."""

import io

import pytest

from techsme.evaluation.pdf import certificate_pdf

pytestmark = pytest.mark.django_db


def test_certificate_is_a_pdf_with_number_uscc_chinese_text_and_qr_code(flow) -> None:
    pypdf = pytest.importorskip("pypdf")
    registration = flow.registered("sz")[0]
    url = f"https://techsme.example.cn/evaluation/verify/{registration.number}/"
    data = certificate_pdf(registration, url)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert registration.number in text
    assert registration.enterprise.uscc in text
    assert "Technology-based SME" in text
    assert "科技型中小企业" in text  # the CJK font maps back to Unicode
    assert url[:60] in text  # the printed address under the QR code
    fonts = {str(f["/BaseFont"]) for f in (reader.pages[0]["/Resources"]["/Font"].get_object()).values()
             if "/BaseFont" in f.get_object()}
    assert any("STSong" in f for f in fonts)
    assert reader.metadata.subject == registration.number
