"""Supporting documents: PDF, PNG or JPEG recognised by their first bytes, at most 10 MB, on editable filings only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techsme.core.errors import Conflict, InvalidInput
from techsme.evaluation.models import MAX_DOCUMENT_BYTES
from techsme.evaluation.services import do_add_supporting_document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("audit.pdf", PDF, "application/pdf"),
    ("licence.png", PNG, "image/png"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32, "image/jpeg"),
])
def test_accepted_types(flow, name, data, content_type) -> None:
    filing = flow.draft("sz")
    document = do_add_supporting_document(actor=flow.owner(filing), filing=filing,
                                          upload=SimpleUploadedFile(name, data, content_type="text/plain"))
    assert document.content_type == content_type and document.size == len(data)
    assert document.file.read() == data


@pytest.mark.parametrize(("name", "data"), [
    ("report.pdf", b"MZ\x90\x00 not a pdf"),  # the name lies
    ("empty.pdf", b""),
    ("big.pdf", PDF + b"\0" * MAX_DOCUMENT_BYTES),
])
def test_refused_uploads(flow, name, data) -> None:
    filing = flow.draft("sz")
    with pytest.raises(InvalidInput):
        do_add_supporting_document(actor=flow.owner(filing), filing=filing,
                                   upload=SimpleUploadedFile(name, data, content_type="application/pdf"))
    assert not filing.documents.exists()


def test_no_uploads_after_submission(flow) -> None:
    filing = flow.submitted("sz")
    with pytest.raises(Conflict):
        do_add_supporting_document(actor=flow.owner(filing), filing=filing,
                                   upload=SimpleUploadedFile("late.pdf", PDF))
