"""How to claim each incentive: steps, forms and deadlines, in English and Chinese, with citations.

Written as data (not translated strings) because each text is a small piece of legal guidance that must be
reviewed as a whole in both languages. ``cautious: True`` marks a step whose detail (a form number, a date, a
procedure) was written from the working summary and general practice and should be checked against the current
rules of the local tax bureau before it is relied on; pages show such steps with a "to be verified" note.
"""

from __future__ import annotations

from typing import Any, TypedDict


class Step(TypedDict, total=False):
    en: str
    zh: str
    cautious: bool


class Claim(TypedDict):
    steps: list[Step]
    deadline: dict[str, str]
    citations: list[dict[str, str]]


CLAIMS: dict[str, Claim] = {
    "techsme": {
        "steps": [
            {"en": "Check the conditions and your score on this page; fill in the enterprise information, the "
                   "previous year's figures and the IP list truthfully.",
             "zh": "在本页核对条件和评分；如实填写企业信息、上一年度财务数据和知识产权清单。"},
            {"en": "Submit the self-evaluation on the tech-SME service platform; the provincial S&T agency checks "
                   "it, publishes the list for public comment and registers the enterprise with a registration "
                   "number.",
             "zh": "在科技型中小企业服务平台提交自评信息；省级科技管理部门组织审核、公示，并为企业赋予入库登记编号。"},
            {"en": "After registration, update the information every year (by 31 March under the 2022 guideline) "
                   "and report major changes; a lapsed or revoked registration loses the related incentives.",
             "zh": "入库后每年更新信息（按2022年工作指引为3月31日前），发生重大变化应及时报告；"
                   "登记编号失效或被撤销的，不再享受相关优惠。",
             "cautious": True},
        ],
        "deadline": {"en": "Evaluation is open all year; the annual update deadline is 31 March (to be verified "
                           "locally).",
                     "zh": "评价工作常年开展；年度信息更新截止日为3月31日（请向当地科技部门核实）。"},
        "citations": [
            {"document": "国科发政〔2017〕115号 科技型中小企业评价办法", "article": "第六条、第八条"},
            {"document": "国科火字〔2022〕67号 科技型中小企业评价服务工作指引", "article": "（全文）"},
        ],
    },
    "rd_super_deduction": {
        "steps": [
            {"en": "Keep an R&D auxiliary account (研发支出辅助账) per project, separating the eligible expense "
                   "categories, and keep the project documents.",
             "zh": "按研发项目设置研发支出辅助账，准确归集可加计扣除的各类费用，留存项目资料。"},
            {"en": "Claim the extra deduction in the annual EIT filing (年度汇算清缴, by 31 May of the following "
                   "year): self-assess, declare it on the R&D super-deduction schedule (A107012) and keep the "
                   "documents for inspection.",
             "zh": "在企业所得税年度汇算清缴（次年5月31日前）时享受：自行判别、申报享受，填报《研发费用加计扣除优惠"
                   "明细表》（A107012），相关资料留存备查。",
             "cautious": True},
            {"en": "From 2021 you may also choose to claim it for the first three quarters in the October "
                   "prepayment (later rules also allow the July prepayment); the rest is claimed in the annual "
                   "filing.",
             "zh": "自2021年起，也可在10月份预缴申报时自主选择就前三季度研发费用享受（此后规定也允许在7月份预缴时"
                   "享受）；其余部分在年度汇算清缴时享受。",
             "cautious": True},
            {"en": "The 100% rate for tech-SMEs in 2022 needed a tech-SME registration number valid for that year "
                   "(obtained by the end of the annual filing period); from 2023 the 100% rate applies to all "
                   "eligible enterprises.",
             "zh": "2022年科技型中小企业适用100%加计扣除比例，须取得当年有效的入库登记编号（在汇算清缴期结束前取得）；"
                   "2023年起符合条件的企业均适用100%。"},
        ],
        "deadline": {"en": "Annual EIT filing: by 31 May of the year after the tax year.",
                     "zh": "企业所得税年度汇算清缴：纳税年度次年5月31日前。"},
        "citations": [
            {"document": "财税〔2015〕119号", "article": "第一条、第二条"},
            {"document": "国家税务总局公告2015年第97号", "article": "第一条、第四条"},
            {"document": "财政部 税务总局公告2021年第13号", "article": "第一条"},
            {"document": "国家税务总局公告2021年第28号", "article": "第一条、第二条"},
            {"document": "财政部 税务总局 科技部公告2022年第16号", "article": "第一条"},
            {"document": "财政部 税务总局公告2023年第7号", "article": "第一条"},
            {"document": "中华人民共和国企业所得税法", "article": "第五十四条"},
        ],
    },
    "small_low_profit": {
        "steps": [
            {"en": "No application or record filing: the relief is applied when you file (prepayments and the "
                   "annual filing) from the headcount, total assets and taxable income you declare.",
             "zh": "无需申请或备案：预缴申报和年度汇算清缴时，根据申报的从业人数、资产总额和应纳税所得额自动判断"
                   "并享受。"},
            {"en": "Headcount and total assets are the averages of the quarterly values; the final judgement is "
                   "made in the annual filing.",
             "zh": "从业人数和资产总额按季度平均值计算；最终以年度汇算清缴结果为准。"},
        ],
        "deadline": {"en": "Each prepayment and the annual EIT filing (by 31 May of the following year).",
                     "zh": "每次预缴申报及企业所得税年度汇算清缴（次年5月31日前）。"},
        "citations": [
            {"document": "财税〔2019〕13号", "article": "第二条"},
            {"document": "财政部 税务总局公告2023年第12号", "article": "第三条"},
            {"document": "中华人民共和国企业所得税法", "article": "第二十八条第一款"},
        ],
    },
    "hnte": {
        "steps": [
            {"en": "Apply for recognition as a high and new technology enterprise (HNTE) to the provincial "
                   "recognition agency through the HNTE recognition website; recognition takes place in batches "
                   "announced each year.",
             "zh": "通过高新技术企业认定管理工作网向省级认定机构申请高新技术企业认定；认定按每年公布的批次进行。"},
            {"en": "With a valid certificate (3 years), apply the 15% rate yourself in prepayments and the annual "
                   "filing and keep the documents for inspection.",
             "zh": "取得有效期内的证书（3年）后，在预缴和年度汇算清缴时自行适用15%税率，相关资料留存备查。"},
        ],
        "deadline": {"en": "Application batches are set by the provincial recognition agency each year.",
                     "zh": "申报批次和时间由省级认定机构每年公布。"},
        "citations": [
            {"document": "国科发火〔2016〕32号 高新技术企业认定管理办法", "article": "第九条、第十一条"},
            {"document": "国科发火〔2016〕195号 高新技术企业认定管理工作指引", "article": "（全文）"},
            {"document": "中华人民共和国企业所得税法", "article": "第二十八条第二款"},
        ],
    },
    "tech_transfer": {
        "steps": [
            {"en": "Register the technology contract with a technology-contract registration agency.",
             "zh": "技术合同到技术合同登记机构认定登记。"},
            {"en": "Declare the income in the annual EIT filing: up to 5 million yuan of technology-transfer income "
                   "a year is exempt and the part above is taxed at half; keep the contract and the calculation.",
             "zh": "在企业所得税年度汇算清缴时申报：一个纳税年度内技术转让所得不超过500万元的部分免征，"
                   "超过部分减半征收；留存合同和计算资料备查。",
             "cautious": True},
        ],
        "deadline": {"en": "Annual EIT filing: by 31 May of the following year.",
                     "zh": "企业所得税年度汇算清缴：次年5月31日前。"},
        "citations": [
            {"document": "中华人民共和国企业所得税法", "article": "第二十七条（四）"},
            {"document": "中华人民共和国企业所得税法实施条例", "article": "第九十条"},
        ],
    },
    "six_taxes_two_fees": {
        "steps": [
            {"en": "Small-scale VAT taxpayers and small low-profit enterprises pay half of the resource tax, urban "
                   "maintenance and construction tax, property tax, urban land-use tax, stamp duty (except on "
                   "securities transactions), farmland occupation tax, education surcharge and local education "
                   "surcharge; the reduction is taken when each of these is declared.",
             "zh": "增值税小规模纳税人、小型微利企业减半征收资源税、城市维护建设税、房产税、城镇土地使用税、印花税"
                   "（不含证券交易印花税）、耕地占用税和教育费附加、地方教育附加，在申报各税费时享受。"},
            {"en": "Whether the enterprise is small low-profit for this purpose follows its annual EIT filing.",
             "zh": "是否属于小型微利企业，以企业所得税年度汇算清缴结果为准。",
             "cautious": True},
        ],
        "deadline": {"en": "With each declaration of the taxes and fees concerned.",
                     "zh": "随各相关税费申报期限。"},
        "citations": [{"document": "财政部 税务总局公告2023年第12号", "article": "第二条"}],
    },
    "vat_tech_contract": {
        "steps": [
            {"en": "Income from technology transfer, development and the related consulting and services is exempt "
                   "from VAT; register the contract and keep it with the registration proof for the tax bureau.",
             "zh": "提供技术转让、技术开发和与之相关的技术咨询、技术服务取得的收入免征增值税；合同须经认定登记，"
                   "并留存合同及登记证明备查。",
             "cautious": True},
        ],
        "deadline": {"en": "With the VAT declaration of the period.", "zh": "随当期增值税申报。"},
        "citations": [{"document": "财税〔2016〕36号 附件3 营业税改征增值税试点过渡政策的规定",
                       "article": "第一条（二十六）"}],
    },
    "vc_deduction": {
        "steps": [
            {"en": "For investors: 70% of a cash equity investment in a start-up technology enterprise held for at "
                   "least 2 years may be deducted from taxable income; it is claimed by the investor, not by the "
                   "enterprise receiving the investment.",
             "zh": "对投资者：以货币形式直接投资于初创科技型企业满2年的，可按投资额的70%抵扣应纳税所得额；"
                   "由投资方享受，而非被投资企业。"},
        ],
        "deadline": {"en": "The investor's annual filing.", "zh": "投资方年度申报时。"},
        "citations": [{"document": "财税〔2018〕55号", "article": "第一条、第二条"}],
    },
}


def claim_for(key: str, lang: str) -> dict[str, Any]:
    """The claim guidance of one incentive in ``lang`` ("en" or "zh")."""
    claim = CLAIMS[key]
    return {
        "steps": [{"text": step[lang], "cautious": step.get("cautious", False)} for step in claim["steps"]],  # type: ignore[literal-required]
        "deadline": claim["deadline"][lang],
        "citations": claim["citations"],
    }
