"""Enterprise income tax: standard, HNTE and small low-profit regimes, technology-transfer exemption, savings."""

from __future__ import annotations

import numpy as np

from techsme.rules.engine import Simulation, variable
from techsme.rules.three_valued import all_of, best_option, choose, coalesce, flag, negate
from techsme.rules.variables.industry import industry_section_in

REGIMES = ("standard", "hnte", "small_low_profit")


@variable(
    "eit_tech_transfer_qualifying_income", label_en="Qualifying technology-transfer income",
    label_zh="符合条件的技术转让所得", unit="currency-CNY", parameters=["eit.tech_transfer.nonexclusive_licence"],
    rule_en="Income from transfers of ownership and exclusive licences, plus income from non-exclusive licences of "
    "five years or more while they qualify (from 2015-10-01).",
    rule_zh="技术所有权和独占许可转让所得，加上五年以上非独占许可使用权转让所得（2015年10月1日起适用）。",
)
def eit_tech_transfer_qualifying_income(s: Simulation) -> np.ndarray:
    licences = s("tech_transfer_nonexclusive_income") * s.param("eit.tech_transfer.nonexclusive_licence", default=0.0)
    return s("tech_transfer_income") + licences


@variable(
    "eit_tech_transfer_exempt", label_en="Exempt technology-transfer income", label_zh="免税的技术转让所得",
    unit="currency-CNY", parameters=["eit.tech_transfer.exempt_amount"],
    rule_en="Technology-transfer income up to {eit.tech_transfer.exempt_amount} yuan is exempt.",
    rule_zh="技术转让所得不超过{eit.tech_transfer.exempt_amount}元的部分免征企业所得税。",
)
def eit_tech_transfer_exempt(s: Simulation) -> np.ndarray:
    limit = s.param("eit.tech_transfer.exempt_amount", default=0.0)
    return np.clip(s("eit_tech_transfer_qualifying_income"), 0.0, limit)


@variable(
    "eit_tech_transfer_half_rate_income", label_en="Technology-transfer income at half rate",
    label_zh="减半征收的技术转让所得", unit="currency-CNY",
    rule_en="Technology-transfer income above the exempt amount (taxed at half the statutory rate).",
    rule_zh="技术转让所得超过免税额的部分（按法定税率减半征收）。",
)
def eit_tech_transfer_half_rate_income(s: Simulation) -> np.ndarray:
    return np.clip(s("eit_tech_transfer_qualifying_income") - s("eit_tech_transfer_exempt"), 0.0, None)


@variable(
    "eit_taxable_after_rd", label_en="Taxable income after the super-deduction", label_zh="加计扣除后应纳税所得额",
    unit="currency-CNY",
    rule_en="Taxable income before incentives − R&D extra deduction (not below 0).",
    rule_zh="优惠前应纳税所得额减研发费用加计扣除额（不低于0）。",
)
def eit_taxable_after_rd(s: Simulation) -> np.ndarray:
    return np.clip(s("taxable_income_before_incentives") - s("rd_extra_deduction"), 0.0, None)


@variable(
    "eit_taxable_income", label_en="Taxable income after incentives", label_zh="优惠后应纳税所得额",
    unit="currency-CNY",
    rule_en="Taxable income − R&D extra deduction − exempt technology-transfer income, not below 0 (it still "
    "contains the technology-transfer income taxed at half the statutory rate).",
    rule_zh="应纳税所得额减加计扣除额和免税技术转让所得（不低于0；含减半征收的技术转让所得）。",
)
def eit_taxable_income(s: Simulation) -> np.ndarray:
    reduced = s("taxable_income_before_incentives") - s("rd_extra_deduction") - s("eit_tech_transfer_exempt")
    return np.clip(reduced, 0.0, None)


@variable(
    "eit_tech_transfer_half_rate_taxed", label_en="Technology-transfer income taxed at half rate",
    label_zh="按减半税率计税的技术转让所得", unit="currency-CNY",
    rule_en="The half-rate technology-transfer income, at most the taxable income after incentives.",
    rule_zh="减半征收的技术转让所得，不超过优惠后应纳税所得额。",
)
def eit_tech_transfer_half_rate_taxed(s: Simulation) -> np.ndarray:
    return np.minimum(s("eit_tech_transfer_half_rate_income"), s("eit_taxable_income"))


@variable(
    "eit_taxable_ordinary", label_en="Taxable income at the regime rate", label_zh="按适用税率计税的应纳税所得额",
    unit="currency-CNY",
    rule_en="Taxable income after incentives − technology-transfer income taxed at half rate.",
    rule_zh="优惠后应纳税所得额减按减半税率计税的技术转让所得。",
)
def eit_taxable_ordinary(s: Simulation) -> np.ndarray:
    return s("eit_taxable_income") - s("eit_tech_transfer_half_rate_taxed")


@variable(
    "eit_tax_tech_transfer", label_en="EIT on technology-transfer income above the exemption",
    label_zh="减半征收的技术转让所得应纳税额", unit="currency-CNY",
    parameters=["eit.rate.standard", "eit.tech_transfer.rate_share_above"], citation="国税函〔2010〕157号 第一条（三）",
    rule_en="Half-rate technology-transfer income × {eit.rate.standard} × {eit.tech_transfer.rate_share_above} "
    "(half the statutory rate, whatever the enterprise's own rate).",
    rule_zh="减半征收的技术转让所得×{eit.rate.standard}×{eit.tech_transfer.rate_share_above}（按法定税率减半，不论企业适用税率）。",
)
def eit_tax_tech_transfer(s: Simulation) -> np.ndarray:
    share = s.param("eit.tech_transfer.rate_share_above", default=1.0)
    return s("eit_tech_transfer_half_rate_taxed") * s.param("eit.rate.standard") * share


@variable(
    "eit_tax_standard", label_en="EIT at the standard rate", label_zh="按法定税率计算的应纳税额",
    unit="currency-CNY", parameters=["eit.rate.standard"],
    rule_en="Taxable income at the regime rate × {eit.rate.standard} + EIT on half-rate technology-transfer income.",
    rule_zh="按适用税率计税的应纳税所得额×{eit.rate.standard}＋减半征收的技术转让所得应纳税额。",
)
def eit_tax_standard(s: Simulation) -> np.ndarray:
    return s("eit_taxable_ordinary") * s.param("eit.rate.standard") + s("eit_tax_tech_transfer")


@variable(
    "eit_hnte_rate_applies", label_en="HNTE rate applies", label_zh="适用高新技术企业税率", unit="bool", kind="bool",
    rule_en="A valid HNTE certificate, and the HNTE pre-check does not show a failed condition.",
    rule_zh="持有有效期内高新技术企业证书，且高新技术企业预检未发现不符合的条件。",
)
def eit_hnte_rate_applies(s: Simulation) -> np.ndarray:
    return ((s("hnte_certificate_valid") == 1.0) & (s("hnte_precheck") != 0.0)).astype(np.float64)


@variable(
    "eit_tax_hnte", label_en="EIT at the HNTE rate", label_zh="按高新技术企业税率计算的应纳税额",
    unit="currency-CNY", parameters=["eit.rate.hnte"],
    rule_en="Taxable income at the regime rate × {eit.rate.hnte} + EIT on half-rate technology-transfer income.",
    rule_zh="按适用税率计税的应纳税所得额×{eit.rate.hnte}＋减半征收的技术转让所得应纳税额。",
)
def eit_tax_hnte(s: Simulation) -> np.ndarray:
    return s("eit_taxable_ordinary") * s.param("eit.rate.hnte") + s("eit_tax_tech_transfer")


@variable(
    "is_industrial", label_en="Industrial enterprise", label_zh="工业企业", unit="bool", kind="bool",
    rule_en="The main business is mining, manufacturing or electricity, heat, gas and water (GB/T 4754 sections "
    "B, C, D).",
    rule_zh="主营业务属于采矿业、制造业或电力、热力、燃气及水生产和供应业（B、C、D门类）。",
)
def is_industrial(s: Simulation) -> np.ndarray:
    return industry_section_in(s, "BCD")


@variable(
    "eit_small_low_profit_eligible", label_en="Small low-profit enterprise", label_zh="符合小型微利企业条件",
    unit="bool", kind="bool",
    parameters=[
        "eit.small_low_profit.income_limit", "eit.small_low_profit.headcount_limit",
        "eit.small_low_profit.headcount_limit_industrial", "eit.small_low_profit.assets_limit",
        "eit.small_low_profit.assets_limit_industrial",
    ],
    rule_en="Not a restricted industry; taxable income ≤ {eit.small_low_profit.income_limit}; average headcount ≤ "
    "{eit.small_low_profit.headcount_limit} ({eit.small_low_profit.headcount_limit_industrial} for industrial "
    "enterprises); average total assets ≤ {eit.small_low_profit.assets_limit} "
    "({eit.small_low_profit.assets_limit_industrial} for industrial enterprises).",
    rule_zh="从事国家非限制和禁止行业，年应纳税所得额不超过{eit.small_low_profit.income_limit}元，从业人数不超过"
    "{eit.small_low_profit.headcount_limit}人（工业企业{eit.small_low_profit.headcount_limit_industrial}人），资产总额不超过"
    "{eit.small_low_profit.assets_limit}元（工业企业{eit.small_low_profit.assets_limit_industrial}元）。",
)
def eit_small_low_profit_eligible(s: Simulation) -> np.ndarray:
    income = s("eit_taxable_income")
    headcount = coalesce(s("avg_headcount"), s("employees"))
    assets = coalesce(s("avg_total_assets"), s("total_assets"))
    limit = "eit.small_low_profit."
    income_limit = s.param(limit + "income_limit")
    other_headcount, other_assets = s.param(limit + "headcount_limit"), s.param(limit + "assets_limit")
    industrial_headcount = s.param(limit + "headcount_limit_industrial")
    industrial_assets = s.param(limit + "assets_limit_industrial")
    if np.array_equal(other_headcount, industrial_headcount) and np.array_equal(other_assets, industrial_assets):
        headcount_limit, assets_limit = other_headcount, other_assets  # 2019–2027: one limit for all industries
    else:
        industrial = s("is_industrial")
        headcount_limit = choose(industrial, industrial_headcount, other_headcount)
        assets_limit = choose(industrial, industrial_assets, other_assets)
    test = all_of(
        negate(s("restricted_industry")),
        flag(income <= income_limit, income),
        flag(headcount <= headcount_limit, headcount, headcount_limit),
        flag(assets <= assets_limit, assets, assets_limit),
    )
    return np.where(np.isnan(income_limit), 0.0, test)


@variable(
    "eit_tax_small_low_profit", label_en="EIT as a small low-profit enterprise",
    label_zh="按小型微利企业计算的应纳税额",
    unit="currency-CNY",
    parameters=[
        "eit.small_low_profit.effective_rate", "eit.small_low_profit.rate",
        "eit.small_low_profit.halving_income_limit", "eit.small_low_profit.halving_taxable_share",
    ],
    rule_en="2019–2027: each slice of taxable income × its effective rate (share of income taxed × 20%). Other "
    "years: {eit.small_low_profit.rate} of the taxable income, of which only "
    "{eit.small_low_profit.halving_taxable_share} counts while a half-income scheme is in force and the income is "
    "at most {eit.small_low_profit.halving_income_limit}. Plus EIT on half-rate technology-transfer income.",
    rule_zh="2019—2027年：各段应纳税所得额×对应的实际税负率（减按比例计入×20%）。其他年度：按{eit.small_low_profit.rate}"
    "计税；减半政策有效且所得额不超过{eit.small_low_profit.halving_income_limit}元时，所得减按"
    "{eit.small_low_profit.halving_taxable_share}计入。另加减半征收的技术转让所得应纳税额。",
)
def eit_tax_small_low_profit(s: Simulation) -> np.ndarray:
    ordinary = s("eit_taxable_ordinary")
    banded = s.scale("eit.small_low_profit.effective_rate", ordinary)
    halving_limit = s.param("eit.small_low_profit.halving_income_limit")
    halved = (s("eit_taxable_income") <= halving_limit) & ~np.isnan(halving_limit)
    share = np.where(halved, s.param("eit.small_low_profit.halving_taxable_share", default=1.0), 1.0)
    by_rate = ordinary * share * s.param("eit.small_low_profit.rate")
    tax = np.where(np.isnan(banded) & ~np.isnan(ordinary), by_rate, banded)
    return tax + s("eit_tax_tech_transfer")


@variable(
    "eit_payable", label_en="EIT payable", label_zh="应纳企业所得税额", unit="currency-CNY",
    rule_en="The lowest tax among the regimes the enterprise qualifies for (standard, HNTE, small low-profit).",
    rule_zh="在企业可适用的税收待遇（法定税率、高新技术企业、小型微利企业）中取税额最低者。",
)
def eit_payable(s: Simulation) -> np.ndarray:
    return best_option(
        [
            (np.ones(s.n), s("eit_tax_standard")),
            (s("eit_hnte_rate_applies"), s("eit_tax_hnte")),
            (s("eit_small_low_profit_eligible"), s("eit_tax_small_low_profit")),
        ],
        highest=False,
    )


@variable(
    "eit_regime", label_en="EIT regime", label_zh="企业所得税适用待遇", unit="code", kind="text",
    rule_en="The regime giving the lowest tax; on a tie the standard regime, then HNTE.",
    rule_zh="税额最低的待遇；相同时依次取法定税率、高新技术企业。",
)
def eit_regime(s: Simulation) -> np.ndarray:
    payable = s("eit_payable")
    regime = np.full(s.n, "small_low_profit", dtype=object)
    hnte = (s("eit_hnte_rate_applies") == 1.0) & (s("eit_tax_hnte") == payable)
    regime[hnte] = "hnte"
    regime[s("eit_tax_standard") == payable] = "standard"
    regime[np.isnan(payable)] = None
    return regime


@variable(
    "eit_payable_without_incentives", label_en="EIT without incentives", label_zh="不享受优惠时的应纳税额",
    unit="currency-CNY", parameters=["eit.rate.standard"],
    rule_en="Taxable income before incentives (not below 0) × {eit.rate.standard}.",
    rule_zh="优惠前应纳税所得额（不低于0）×{eit.rate.standard}。",
)
def eit_payable_without_incentives(s: Simulation) -> np.ndarray:
    return np.clip(s("taxable_income_before_incentives"), 0.0, None) * s.param("eit.rate.standard")


@variable(
    "eit_saving", label_en="EIT saving", label_zh="企业所得税节税额", unit="currency-CNY",
    rule_en="EIT without incentives − EIT payable.", rule_zh="不享受优惠时的应纳税额减应纳税额。",
)
def eit_saving(s: Simulation) -> np.ndarray:
    return s("eit_payable_without_incentives") - s("eit_payable")


@variable(
    "eit_saving_rd_deduction", label_en="Saving from the R&D super-deduction", label_zh="研发费用加计扣除节税额",
    unit="currency-CNY", parameters=["eit.rate.standard"],
    rule_en="Standard rate × the fall in taxable income due to the super-deduction (attributed first).",
    rule_zh="法定税率×加计扣除减少的应纳税所得额（首先归属）。",
)
def eit_saving_rd_deduction(s: Simulation) -> np.ndarray:
    before = np.clip(s("taxable_income_before_incentives"), 0.0, None)
    return (before - s("eit_taxable_after_rd")) * s.param("eit.rate.standard")


@variable(
    "eit_saving_tech_transfer", label_en="Saving from the technology-transfer exemption",
    label_zh="技术转让所得优惠节税额",
    unit="currency-CNY", parameters=["eit.rate.standard"],
    rule_en="Standard rate × (taxable income after the super-deduction − taxable income at the regime rate) − EIT on "
    "half-rate technology-transfer income.",
    rule_zh="法定税率×（加计扣除后应纳税所得额−按适用税率计税的应纳税所得额）−减半征收的技术转让所得应纳税额。",
)
def eit_saving_tech_transfer(s: Simulation) -> np.ndarray:
    fall = s("eit_taxable_after_rd") - s("eit_taxable_ordinary")
    return fall * s.param("eit.rate.standard") - s("eit_tax_tech_transfer")


@variable(
    "eit_saving_regime", label_en="Saving from the HNTE or small low-profit regime",
    label_zh="低税率或小型微利优惠节税额",
    unit="currency-CNY",
    rule_en="Tax at the standard rate on taxable income after incentives − EIT payable.",
    rule_zh="优惠后应纳税所得额按法定税率计算的税额减应纳税额。",
)
def eit_saving_regime(s: Simulation) -> np.ndarray:
    return s("eit_tax_standard") - s("eit_payable")
