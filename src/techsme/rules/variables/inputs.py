"""Input facts of an enterprise-year (facts.md), plus the optional extra facts this engine understands."""

from __future__ import annotations

from techsme.rules.engine import input_fact

# identity
input_fact("uscc", "Unified social credit code", "统一社会信用代码", "code", kind="text")
input_fact("name", "Enterprise name", "企业名称", "text", kind="text")
input_fact("tax_year", "Tax year", "纳税年度", "year")
input_fact("region_code", "Region code", "行政区划代码", "code", kind="text")
input_fact("industry_code", "Industry code", "国民经济行业代码", "code", kind="text")
input_fact("founded_on", "Date of incorporation", "成立日期", "date", kind="date")

# size and finances
input_fact("employees", "Employees", "职工总数", "person")
input_fact("tech_staff", "Technology staff", "科技人员数", "person")
input_fact("revenue", "Sales revenue", "销售收入", "currency-CNY")
input_fact("total_cost_expense", "Total costs and expenses", "成本费用支出总额", "currency-CNY")
input_fact("total_assets", "Total assets", "资产总额", "currency-CNY")
input_fact("rd_expense", "R&D expense", "研发费用总额", "currency-CNY")
input_fact("avg_headcount", "Average headcount (quarterly)", "从业人数季度平均值", "person")
input_fact("avg_total_assets", "Average total assets (quarterly)", "资产总额季度平均值", "currency-CNY")
input_fact("taxable_income_before_incentives", "Taxable income before incentives", "优惠前应纳税所得额", "currency-CNY")

# R&D super-deduction detail
input_fact("rd_core_expense", "R&D expense, first five categories", "前五类研发费用", "currency-CNY", default=0.0)
input_fact("rd_other_expense", "Other related R&D expenses", "其他相关费用", "currency-CNY", default=0.0)
input_fact("rd_commissioned_domestic", "Commissioned R&D in China", "委托境内研发费用", "currency-CNY", default=0.0)
input_fact("rd_commissioned_foreign", "Commissioned R&D abroad", "委托境外研发费用", "currency-CNY", default=0.0)
input_fact(
    "rd_intangible_amortization", "Amortisation of R&D intangibles",
    "研发形成无形资产摊销额", "currency-CNY", default=0.0,
)
input_fact("excluded_industry_revenue_share", "Revenue share of excluded industries", "不适用行业收入占比", "/1")
input_fact(
    "ic_or_machine_tool", "IC or industrial machine-tool enterprise",
    "集成电路或工业母机企业", "bool", kind="bool", default=0.0,
)
input_fact(
    "rd_other_expense_capped_by_project",
    "Other expenses after the per-project cap (tax years before 2021)",
    "按项目限额后的其他相关费用（2021年以前）",
    "currency-CNY",
)
input_fact(
    "rd_q4_2022_expense", "Qualifying R&D spent 2022-10-01 – 2022-12-31",
    "2022年第四季度研发费用", "currency-CNY",
)
input_fact(
    "operating_months_q4_2022", "Operating months from 2022-10-01",
    "2022年10月起经营月份数", "month", default=3.0,
)
input_fact("operating_months_2022", "Operating months in 2022", "2022年度经营月份数", "month", default=12.0)

# intellectual property and qualifications
input_fact("ip_class1", "Class I IP items", "Ⅰ类知识产权数", "item")
input_fact("ip_class2", "Class II IP items", "Ⅱ类知识产权数", "item")
input_fact(
    "hnte_certificate_valid", "Valid HNTE certificate",
    "有效期内高新技术企业资格", "bool", kind="bool", default=0.0,
)
input_fact(
    "national_award_top3_5y", "National S&T award (top 3, last 5 years)",
    "近五年国家级科技奖励前三名", "bool", kind="bool", default=0.0,
)
input_fact(
    "provincial_rd_institution", "Provincial-level R&D institution",
    "省部级以上研发机构", "bool", kind="bool", default=0.0,
)
input_fact("led_standard_5y", "Led a standard (last 5 years)", "近五年主导制定标准", "bool", kind="bool", default=0.0)
input_fact(
    "tech_sme_registered", "Tech-SME registration number held",
    "已取得科技型中小企业入库登记编号", "bool", kind="bool",
)

# compliance
for name, en, zh in [
    ("restricted_industry", "Prohibited, restricted or eliminated industry", "属于限制、禁止或淘汰类行业"),
    ("major_accident", "Major accident or serious violation", "发生重大安全、质量事故或严重环境违法等"),
    ("serious_dishonesty", "Serious dishonesty listing", "列入严重失信主体名单"),
    ("abnormal_operation_listed", "Abnormal-operation listing", "列入经营异常名录"),
]:
    input_fact(name, en, zh, "bool", kind="bool", default=0.0)
input_fact("audited_books", "Taxed on audited books", "查账征收", "bool", kind="bool", default=1.0)
input_fact("resident", "Resident enterprise", "居民企业", "bool", kind="bool", default=1.0)

# other incentives
input_fact("tech_transfer_income", "Technology-transfer income", "技术转让所得", "currency-CNY", default=0.0)
input_fact(
    "tech_transfer_nonexclusive_income", "Income from non-exclusive licences of 5 years or more",
    "五年以上非独占许可使用权转让所得", "currency-CNY", default=0.0,
)
input_fact("vat_small_scale", "Small-scale VAT taxpayer", "增值税小规模纳税人", "bool", kind="bool", default=0.0)

# HNTE pre-check (optional; absent means unknown unless noted)
input_fact(
    "hnte_key_field", "Core technology in the key supported fields",
    "核心技术属于国家重点支持的高新技术领域", "bool", kind="bool",
)
input_fact("hnte_tech_staff_share", "Tech-staff share (183-day rule)", "科技人员占比（累计183天）", "/1")
input_fact("rd_expense_3y", "R&D expense, last 3 years", "近三年研发费用总额", "currency-CNY")
input_fact("revenue_3y", "Sales revenue, last 3 years", "近三年销售收入总额", "currency-CNY")
input_fact("rd_in_china_share", "Share of R&D spent in China", "境内研发费用占比", "/1")
input_fact("high_tech_revenue_share", "High-tech revenue share last year", "近一年高新技术产品（服务）收入占比", "/1")
input_fact("hnte_ip_advancement", "Expert points: advancement of technology (0–8)", "专家评分：技术先进程度", "points")
input_fact("hnte_ip_core_role", "Expert points: core role of IP (0–8)", "专家评分：核心支持作用", "points")
input_fact("hnte_ip_acquisition", "Expert points: how IP was acquired (0–6)", "专家评分：获得方式", "points")
input_fact("hnte_rd_management", "Expert points: R&D management (0–20)", "专家评分：研究开发组织管理水平", "points")
input_fact(
    "hnte_conversions_avg_3y", "Average conversions of results per year (3 years)",
    "近三年年均科技成果转化数", "item",
)
for i in (1, 2, 3):
    input_fact(f"net_assets_y{i}", f"Net assets, year {i} of 3", f"第{i}年净资产", "currency-CNY")
for i in (1, 2):
    input_fact(f"revenue_y{i}", f"Sales revenue, year {i} of 3", f"第{i}年销售收入", "currency-CNY")
