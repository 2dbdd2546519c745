"""First-level disciplines of GB/T 13745-2009 (学科分类与代码) that outcomes are filed under."""

from django.utils.translation import get_language

DISCIPLINES: dict[str, tuple[str, str]] = {
    "110": ("数学", "Mathematics"),
    "120": ("信息科学与系统科学", "Information and systems science"),
    "130": ("力学", "Mechanics"),
    "140": ("物理学", "Physics"),
    "150": ("化学", "Chemistry"),
    "170": ("地球科学", "Earth sciences"),
    "180": ("生物学", "Biology"),
    "210": ("农学", "Agronomy"),
    "310": ("基础医学", "Basic medicine"),
    "320": ("临床医学", "Clinical medicine"),
    "350": ("药学", "Pharmacy"),
    "360": ("中医学与中药学", "Traditional Chinese medicine and pharmacy"),
    "413": ("信息与系统科学相关工程与技术", "Engineering related to information and systems science"),
    "416": ("自然科学相关工程与技术", "Engineering related to natural sciences"),
    "430": ("材料科学", "Materials science"),
    "460": ("机械工程", "Mechanical engineering"),
    "470": ("动力与电气工程", "Power and electrical engineering"),
    "480": ("能源科学技术", "Energy science and technology"),
    "510": ("电子与通信技术", "Electronics and communication technology"),
    "520": ("计算机科学技术", "Computer science and technology"),
    "530": ("化学工程", "Chemical engineering"),
    "550": ("食品科学技术", "Food science and technology"),
    "560": ("土木建筑工程", "Civil engineering and architecture"),
    "580": ("交通运输工程", "Transport engineering"),
    "590": ("航空、航天科学技术", "Aeronautics and astronautics"),
    "610": ("环境科学技术及资源科学技术", "Environmental and resource science and technology"),
    "620": ("安全科学技术", "Safety science and technology"),
    "630": ("管理学", "Management science"),
}


def label(code: str) -> str:
    names = DISCIPLINES.get(code)
    if not names:
        return ""
    return names[0] if (get_language() or "zh-hans").startswith("zh") else names[1]


def choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(code, f"{code} {label(code)}") for code in DISCIPLINES]
