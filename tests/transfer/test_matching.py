"""The explained score: synonyms, stop words, each part moves the total the way its reason says."""

from decimal import Decimal

from techsme.transfer.matching import (
    GOOD_MATCH,
    MIN_TEXT,
    WEIGHTS,
    Side,
    expansions,
    idf,
    rank,
    score_pair,
    terms,
)


def test_synonyms_add_the_canonical_term_on_both_sides():
    assert "锂离子电池" in expansions("我们的动力电池模组")
    assert "锂离子电池" in expansions("锂电负极材料")
    assert "人工智能" in expansions("an AI model") and "人工智能" not in expansions("maintain the line")
    assert "锂离子" in terms("动力电池热失控")  # the canonical term, as jieba cuts it, joins the terms


def test_stop_words_and_single_characters_are_not_terms():
    found = terms("一种基于深度学习的技术方法")
    assert "一种" not in found and "技术" not in found and "方法" not in found and "的" not in found
    assert {"深度", "学习"} <= found


def _side(text, **extra):
    return Side(terms(text), **extra)


def _idfs(*sides):
    vocabulary = set().union(*(s.terms for s in sides))
    return {t: idf(1, 100) for t in vocabulary}


def test_each_part_moves_the_total_and_is_reported():
    need = _side("提高锂电池安全性的固态电解质", industry="C3841", region="440306", trl=5, price=Decimal("1000000"))
    close = _side("硫化物固态电解质用于锂离子电池", industry="C3841", region="440305", trl=6,
                  price=Decimal("800000"))
    idfs = _idfs(need, close)
    best, reasons = score_pair(need, close, idfs, 10)
    assert reasons["field_level"] == "class" and reasons["region_level"] == "city"
    assert reasons["parts"]["trl"] == 1.0 and reasons["parts"]["price"] == 1.0
    assert {"固态", "电解质"} <= {t for t, _w in reasons["terms"]}
    assert abs(sum(WEIGHTS[k] * v for k, v in reasons["parts"].items()) - best) < 1e-3  # parts rounded to 4 places
    for change, part in (({"trl": 2}, "trl"), ({"price": Decimal("5000000")}, "price"),
                         ({"industry": "I6513"}, "field"), ({"region": "510107"}, "region")):
        worse, why = score_pair(need, Side(close.terms, **{"industry": "C3841", "region": "440305", "trl": 6,
                                                           "price": Decimal("800000"), **change}), idfs, 10)
        assert worse < best and why["parts"][part] < reasons["parts"][part], part


def test_unknowns_are_neutral_not_zero():
    need = _side("固态电解质", industry="C3841")
    outcome = _side("固态电解质", industry="C3841", trl=4, price=None, negotiable=True)
    _total, reasons = score_pair(need, outcome, _idfs(need, outcome), 5)
    assert reasons["parts"]["trl"] == 0.5 and reasons["parts"]["price"] == 0.5


def test_no_shared_text_means_no_match_whatever_the_rest():
    need = _side("污水处理膜生物反应器", industry="N7721", region="440305", trl=5)
    other = _side("协作机器人力控打磨", industry="N7721", region="440305", trl=9)
    total, reasons = score_pair(need, other, _idfs(need, other), 5)
    assert reasons["parts"]["text"] < MIN_TEXT and total == 0


def test_rank_orders_by_score_and_drops_zeroes():
    need = _side("车载激光雷达点云感知", industry="C3976")
    sides = {1: _side("激光雷达点云目标检测", industry="C3976"), 2: _side("激光雷达", industry="C3841"),
             3: _side("中药提取物质量控制", industry="C2740")}
    ranked = rank(need, sides.items(), _idfs(need, *sides.values()), 5)
    assert [key for key, _s, _r in ranked] == [1, 2]
    assert ranked[0][1] >= GOOD_MATCH


def test_idf_never_goes_negative():
    assert idf(5, 3) > 0  # the index counts unpublished rows too
    assert idf(1, 1000) > idf(100, 1000) > 0
