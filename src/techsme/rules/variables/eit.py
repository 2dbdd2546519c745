"""Enterprise income tax: standard, HNTE and small low-profit regimes, technology-transfer exemption, savings."""

from __future__ import annotations

import numpy as np

from techsme.rules.engine import Simulation, variable
from techsme.rules.three_valued import all_of, best_option, coalesce, flag, negate

REGIMES = ("standard", "hnte", "small_low_profit")


@variable(
    "eit_tech_transfer_exempt", label_en="Exempt technology-transfer income", label_zh="免税的技术转让所得",
    unit="currency-CNY", parameters=["eit.tech_transfer.exempt_amount"],
    rule_en="Technology-transfer income up to {eit.tech_transfer.exempt_amount} yuan is exempt.",
    rule_zh="技术转让所得不超过{eit.tech_transfer.exempt_amount}元的部分免征企业所得税。",
)
def eit_tech_transfer_exempt(s: Simulation) -> np.ndarray:
    limit = s.param("eit.tech_transfer.exempt_amount", default=0.0)
    return np.clip(s("tech_transfer_income"), 0.0, limit)


@variable(
    "eit_tech_transfer_half_rate_income", label_en="Technology-transfer income at half rate",
    label_zh="减半征收的技术转让所得", unit="currency-CNY",
    rule_en="Technology-transfer income above the exempt amount (taxed at half the rate).",
    rule_zh="技术转让所得超过免税额的部分（减半征收）。",
)
def eit_tech_transfer_half_rate_income(s: Simulation) -> np.ndarray:
    return np.clip(s("tech_transfer_income") - s("eit_tech_transfer_exempt"), 0.0, None)


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
    unit="currency-CNY", parameters=["eit.tech_transfer.rate_share_above"],
    rule_en="Taxable income − R&D extra deduction − exempt technology-transfer income − half of the technology-"
    "transfer income above the exemption (the half-rate part), not below 0.",
    rule_zh="应纳税所得额减加计扣除额、免税技术转让所得及减半征收部分的一半（不低于0）。",
)
def eit_taxable_income(s: Simulation) -> np.ndarray:
    half_share = s.param("eit.tech_transfer.rate_share_above", default=1.0)
    reduced = (
        s("taxable_income_before_incentives") - s("rd_extra_deduction") - s("eit_tech_transfer_exempt")
        - s("eit_tech_transfer_half_rate_income") * (1.0 - half_share)
    )
    return np.clip(reduced, 0.0, None)


@variable(
    "eit_tax_standard", label_en="EIT at the standard rate", label_zh="按法定税率计算的应纳税额",
    unit="currency-CNY", parameters=["eit.rate.standard"],
    rule_en="Taxable income after incentives × {eit.rate.standard}.",
    rule_zh="优惠后应纳税所得额×{eit.rate.standard}。",
)
def eit_tax_standard(s: Simulation) -> np.ndarray:
    return s("eit_taxable_income") * s.param("eit.rate.standard")


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
    rule_en="Taxable income after incentives × {eit.rate.hnte}.", rule_zh="优惠后应纳税所得额×{eit.rate.hnte}。",
)
def eit_tax_hnte(s: Simulation) -> np.ndarray:
    return s("eit_taxable_income") * s.param("eit.rate.hnte")


@variable(
    "eit_small_low_profit_eligible", label_en="Small low-profit enterprise", label_zh="符合小型微利企业条件",
    unit="bool", kind="bool",
    parameters=[
        "eit.small_low_profit.income_limit", "eit.small_low_profit.headcount_limit",
        "eit.small_low_profit.assets_limit",
    ],
    rule_en="Not a restricted industry; taxable income ≤ {eit.small_low_profit.income_limit}; average headcount ≤ "
    "{eit.small_low_profit.headcount_limit}; average total assets ≤ {eit.small_low_profit.assets_limit}.",
    rule_zh="从事国家非限制和禁止行业，年应纳税所得额不超过{eit.small_low_profit.income_limit}元、从业人数不超过"
    "{eit.small_low_profit.headcount_limit}人、资产总额不超过{eit.small_low_profit.assets_limit}元。",
)
def eit_small_low_profit_eligible(s: Simulation) -> np.ndarray:
    income = s("eit_taxable_income")
    headcount = coalesce(s("avg_headcount"), s("employees"))
    assets = coalesce(s("avg_total_assets"), s("total_assets"))
    limits = [s.param(f"eit.small_low_profit.{n}_limit") for n in ("income", "headcount", "assets")]
    in_force = ~np.isnan(limits[0])
    test = all_of(
        negate(s("restricted_industry")),
        flag(income <= limits[0], income),
        flag(headcount <= limits[1], headcount),
        flag(assets <= limits[2], assets),
    )
    return np.where(in_force, test, 0.0)


@variable(
    "eit_tax_small_low_profit", label_en="EIT as a small low-profit enterprise",
    label_zh="按小型微利企业计算的应纳税额",
    unit="currency-CNY", parameters=["eit.small_low_profit.effective_rate"],
    rule_en="Each slice of taxable income × its effective rate (share of income taxed × 20%).",
    rule_zh="各段应纳税所得额×对应的实际税负率（减按比例计入×20%）。",
)
def eit_tax_small_low_profit(s: Simulation) -> np.ndarray:
    return s.scale("eit.small_low_profit.effective_rate", s("eit_taxable_income"))


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
    rule_en="Standard rate × the further fall in taxable income due to the technology-transfer exemption.",
    rule_zh="法定税率×技术转让所得优惠进一步减少的应纳税所得额。",
)
def eit_saving_tech_transfer(s: Simulation) -> np.ndarray:
    return (s("eit_taxable_after_rd") - s("eit_taxable_income")) * s.param("eit.rate.standard")


@variable(
    "eit_saving_regime", label_en="Saving from the HNTE or small low-profit regime",
    label_zh="低税率或小型微利优惠节税额",
    unit="currency-CNY",
    rule_en="Tax at the standard rate on taxable income after incentives − EIT payable.",
    rule_zh="优惠后应纳税所得额按法定税率计算的税额减应纳税额。",
)
def eit_saving_regime(s: Simulation) -> np.ndarray:
    return s("eit_tax_standard") - s("eit_payable")
