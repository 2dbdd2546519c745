"""The import page shows the importer's report and offers its errors as CSV; export links keep the filters."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techsme.core.identifiers import make_uscc

pytestmark = pytest.mark.django_db

HEADER = "uscc,name,tax_year,region_code,industry_code,founded_on,employees,tech_staff,revenue\n"


def _upload(content: str, name: str = "registry.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


def test_good_file_is_imported_and_counts_shown(client, two_regions):
    client.force_login(two_regions["sz"]["admin"])
    uscc = make_uscc("440305", 987654)
    body = HEADER + f"{uscc},导入测试科技有限公司,2024,440305,I6513,2018-06-01,50,10,1000000\n"
    response = client.post("/registry/import/", {"file": _upload(body)}, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200, text
    assert "Import complete" in text and "Enterprises created: 1" in text
    from techsme.registry.models import Enterprise

    assert Enterprise.objects.filter(uscc=uscc).exists()


def test_bad_file_imports_nothing_and_offers_error_csv(client, two_regions):
    client.force_login(two_regions["sz"]["admin"])
    uscc = make_uscc("440305", 987655)
    body = HEADER + f"{uscc},坏数据科技有限公司,2024,440305,I6513,2018-06-01,10,25,1000000\n"
    response = client.post("/registry/import/", {"file": _upload(body)}, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was imported." in text and "tech_staff" in text
    from techsme.registry.models import Enterprise

    assert not Enterprise.objects.filter(uscc=uscc).exists()
    csv_response = client.get("/registry/import/errors.csv")
    assert csv_response.status_code == 200
    assert b"tech_staff" in csv_response.content and csv_response["Content-Type"].startswith("text/csv")


def test_error_csv_is_not_there_without_an_import(client, two_regions):
    client.force_login(two_regions["sz"]["admin"])
    assert client.get("/registry/import/errors.csv").status_code == 404


def test_export_links_keep_filters_and_export_respects_scope(client, two_regions):
    client.force_login(two_regions["sz"]["reviewer"])
    page = client.get("/agency/?q=测试&size=21-100").content.decode()
    assert "/registry/export.csv?q=" in page and "size=21-100" in page
    response = client.get("/registry/export.csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    assert two_regions["sz"]["enterprise"].uscc in text
    assert two_regions["gz"]["enterprise"].uscc not in text
    assert client.get("/registry/export.xlsx").status_code == 200
    assert client.get("/registry/export.pdf").status_code == 404


def test_enterprise_user_cannot_export(client, two_regions):
    client.force_login(two_regions["sz"]["ent_admin"])
    assert client.get("/registry/export.csv").status_code == 403
