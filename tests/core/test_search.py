"""The search mechanism: jieba tokens, the FTS5 / tsvector index, AND-ed query words, two-character words."""

from decimal import Decimal

import pytest

from techsme.core import search


@pytest.fixture
def make_instrument(make_org):
    from techsme.instruments.models import Instrument

    owner = make_org("provider", "440305")

    def make(name_zh: str, **extra):
        return Instrument.objects.create(owner=owner, name_zh=name_zh, category_code="0101", region_code="440305",
                                         purchase_value=Decimal("1000000.00"), **extra)

    return make


def test_tokens_hold_two_character_words() -> None:
    assert {"液相", "色谱", "质谱", "联用"} <= set(search.tokens("液相色谱质谱联用仪").split())
    assert {"扫描", "电镜"} <= set(search.tokens("场发射扫描电镜").split())
    assert {"scanning", "electron"} <= set(search.tokens("Scanning Electron Microscope, SEM-7").split())


def test_query_words_are_anded_and_may_match_finer_pieces() -> None:
    groups = search.query_groups("色谱仪 质谱")
    assert groups == [[["色谱仪"], ["色谱", "仪"]], [["质谱"]]]
    assert search.fts5_query(groups) == '(("色谱仪") OR ("色谱" AND "仪")) AND (("质谱"))'
    assert search.tsquery(groups) == "(('色谱仪') | ('色谱' & '仪')) & (('质谱'))"
    assert search.query_groups("  ,,; ") == []


def test_query_syntax_is_neutralised() -> None:
    # Quotes, operators and parentheses are not tokens, so a query cannot break the MATCH / tsquery expression.
    groups = search.query_groups('质谱" OR NEAR(x) \' & | !')
    assert all(t.isalnum() for g in groups for alt in g for t in alt)


@pytest.mark.django_db
def test_search_finds_rows_on_this_database(make_instrument) -> None:
    from techsme.instruments.models import Instrument

    lcms = make_instrument("液相色谱质谱联用仪", name_en="Liquid chromatography–mass spectrometer")
    sem = make_instrument("场发射扫描电镜", name_en="Field-emission scanning electron microscope")
    tem = make_instrument("透射电子显微镜", name_en="Transmission electron microscope")
    gc = make_instrument("气相色谱仪", name_en="Gas chromatograph")
    qs = Instrument.objects.all()
    assert set(search.search(qs, "质谱")) == {lcms}
    assert set(search.search(qs, "电镜")) == {sem}
    assert set(search.search(qs, "色谱")) == {lcms, gc}
    assert set(search.search(qs, "色谱仪")) == {lcms, gc}
    assert set(search.search(qs, "电子显微镜")) == {tem}
    assert set(search.search(qs, "electron microscope")) == {sem, tem}
    assert set(search.search(qs, "micro")) == {sem, tem}  # Latin words match as prefixes
    assert set(search.search(qs, "质谱 电镜")) == set()  # words are AND-ed
    assert set(search.search(qs, "")) == {lcms, sem, tem, gc}
    # The index follows updates and deletes.
    sem.name_zh, sem.name_en = "激光共聚焦显微镜", "Confocal microscope"
    sem.save()
    assert set(search.search(qs, "电镜")) == set()
    assert set(search.search(qs, "聚焦")) == {sem}
    gc.delete()
    assert set(search.search(Instrument.objects.all(), "色谱")) == {lcms}
    sem.purchase_value = Decimal("1.00")
    sem.save(update_fields=["purchase_value"])
    assert set(search.search(qs, "聚焦")) == {sem}


@pytest.mark.django_db
def test_rebuild_recomputes_tokens(make_instrument) -> None:
    from techsme.instruments.models import Instrument

    sem = make_instrument("场发射扫描电镜")
    Instrument.objects.filter(pk=sem.pk).update(search_tokens="")
    assert not search.search(Instrument.objects.all(), "电镜").exists()
    search.rebuild(Instrument)
    assert list(search.search(Instrument.objects.all(), "电镜")) == [sem]
