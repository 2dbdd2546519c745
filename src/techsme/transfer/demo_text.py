"""Realistic text for demo outcomes and needs, and for the labelled matching set (``bench/bench_transfer_quality``).

Each topic holds the words a university would use to describe an outcome and — deliberately different — the words an
enterprise would use for its need (``锂离子电池`` against ``动力电池``/``锂电``), so that matching is tested on
vocabulary that does not simply repeat itself. Topics share generic words (检测, 控制, 智能, 系统) to make it hard.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    industry: str
    discipline: str
    objects: tuple[str, ...]
    methods: tuple[str, ...]
    effects: tuple[str, ...]
    en: str
    need_titles: tuple[str, ...]
    need_problems: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "battery",
        "C3841",
        "480",
        ("锂离子电池", "固态电解质", "硅碳负极", "高镍正极材料"),
        ("原位包覆", "干法电极", "硫化物固态电解质制备", "预锂化"),
        ("提高能量密度", "抑制热失控", "延长循环寿命"),
        "lithium-ion battery materials",
        ("动力电池能量密度提升", "锂电安全性改进", "电芯循环寿命不足"),
        (
            "我司生产动力电池模组，电芯热失控风险高，需要更安全的电解质方案",
            "锂电池在低温下容量衰减明显，寻求负极材料改性技术",
        ),
    ),
    Topic(
        "bms",
        "C3824",
        "470",
        ("电池管理系统", "荷电状态估计", "均衡电路"),
        ("卡尔曼滤波", "等效电路建模", "主动均衡"),
        ("提高SOC估算精度", "降低电池组不一致性"),
        "battery management systems",
        ("储能电站BMS升级", "电池组SOC估算不准"),
        ("储能电站电池组一致性差，BMS的荷电状态估算误差大", "需要主动均衡方案延长电池组寿命"),
    ),
    Topic(
        "vision",
        "C3499",
        "520",
        ("机器视觉检测系统", "表面缺陷检测", "工业相机标定"),
        ("深度学习分割", "小样本缺陷识别", "多光源成像"),
        ("替代人工目检", "提高漏检率指标", "适应高速产线"),
        "machine vision inspection",
        ("产线外观缺陷自动检测", "视觉检测替代人工质检"),
        ("手机外壳划痕和凹坑靠人工目检，效率低、漏检多", "希望引入工业视觉系统在线检测钢板表面缺陷"),
    ),
    Topic(
        "lidar",
        "C3976",
        "510",
        ("激光雷达", "点云感知", "固态扫描模组"),
        ("MEMS微振镜扫描", "飞行时间测距", "点云目标检测"),
        ("提升探测距离", "降低模组成本"),
        "automotive lidar",
        ("车载激光雷达国产化", "自动驾驶感知方案"),
        ("我们开发辅助驾驶域控制器，需要低成本的LiDAR及点云算法", "无人驾驶物流车在雨雾天气感知不稳定"),
    ),
    Topic(
        "gnss",
        "C3962",
        "510",
        ("高精度定位终端", "北斗定位模块", "组合导航算法"),
        ("RTK差分", "惯性导航融合", "多频多模接收"),
        ("实现厘米级定位", "隧道内连续定位"),
        "high-precision positioning",
        ("车载终端高精度定位", "北斗导航模块集成"),
        ("车辆在城市峡谷中GNSS信号遮挡，定位漂移严重", "需要惯导与卫星定位融合方案"),
    ),
    Topic(
        "robot",
        "C3491",
        "460",
        ("协作机器人", "机械臂关节模组", "力控打磨系统"),
        ("柔顺力控", "视觉引导抓取", "轨迹规划"),
        ("提高装配精度", "实现人机协作安全"),
        "collaborative robots",
        ("工业机器人打磨工作站", "机械臂上下料改造"),
        ("铸件打磨依赖人工，粉尘大，希望采用带力控的机械臂", "需要视觉引导的工业机器人完成无序抓取"),
    ),
    Topic(
        "cnc",
        "C3421",
        "460",
        ("五轴数控机床", "数控系统", "主轴热误差补偿"),
        ("热变形建模", "误差在线补偿", "插补算法"),
        ("提高加工精度", "缩短调试时间"),
        "CNC machining",
        ("CNC加工精度提升", "数控机床热误差"),
        ("精密零件数控加工时主轴发热导致尺寸超差", "希望升级数控系统的插补与补偿功能"),
    ),
    Topic(
        "am",
        "C3493",
        "430",
        ("金属3D打印", "激光选区熔化", "打印粉末"),
        ("增材制造工艺优化", "熔池监测", "拓扑优化设计"),
        ("减少孔隙缺陷", "缩短模具开发周期"),
        "metal additive manufacturing",
        ("模具随形冷却水路打印", "增材制造零件致密度"),
        ("注塑模具冷却不均，想用3D打印制作随形水路", "金属打印件内部孔隙多，力学性能不达标"),
    ),
    Topic(
        "chip",
        "C3973",
        "510",
        ("集成电路设计", "低功耗芯片", "射频前端芯片"),
        ("亚阈值电路设计", "SoC集成", "先进封装"),
        ("降低功耗", "提高集成度"),
        "integrated circuits",
        ("物联网终端低功耗芯片", "国产射频芯片替代"),
        ("我们的可穿戴产品续航短，需要超低功耗的主控IC", "射频前端依赖进口，寻求国产芯片方案"),
    ),
    Topic(
        "power",
        "C3972",
        "470",
        ("碳化硅功率器件", "IGBT模块", "氮化镓器件"),
        ("沟槽栅工艺", "双面散热封装", "驱动保护电路"),
        ("降低开关损耗", "提高功率密度"),
        "power semiconductors",
        ("SiC器件在车载电源中的应用", "功率模块散热改进"),
        ("车载充电机效率不够，考虑采用SiC功率半导体", "逆变器IGBT模块温升过高"),
    ),
    Topic(
        "iot",
        "I6531",
        "520",
        ("物联网平台", "边缘计算网关", "设备远程运维"),
        ("轻量化协议栈", "边缘智能推理", "设备数字画像"),
        ("降低运维成本", "实现设备预测性维护"),
        "industrial IoT",
        ("工厂设备联网与远程运维", "边缘网关数据采集"),
        ("工厂几百台设备数据无法采集，需要IoT网关和平台", "希望通过边缘计算在现场完成数据分析"),
    ),
    Topic(
        "security",
        "I6513",
        "520",
        ("网络安全防护系统", "数据安全网关", "入侵检测"),
        ("流量异常检测", "零信任访问控制", "威胁情报分析"),
        ("阻断网络攻击", "保护敏感数据"),
        "cyber security",
        ("工控系统信息安全加固", "数据防泄漏方案"),
        ("生产网络遭受勒索病毒攻击，需要工控安全防护", "客户数据安全合规压力大，寻求数据安全产品"),
    ),
    Topic(
        "nlp",
        "I6513",
        "520",
        ("自然语言处理引擎", "智能客服系统", "知识图谱"),
        ("预训练语言模型微调", "意图识别", "实体抽取"),
        ("提高问答准确率", "降低客服人力"),
        "natural language processing",
        ("客服机器人语义理解", "合同文本智能审查"),
        ("客服每天上万条咨询，现有机器人答非所问，需要NLP技术", "法务审查合同耗时，希望用文本挖掘自动识别风险条款"),
    ),
    Topic(
        "speech",
        "I6513",
        "520",
        ("语音识别引擎", "方言语音转写", "远场拾音阵列"),
        ("端到端声学模型", "麦克风阵列波束形成", "语音增强降噪"),
        ("提高噪声环境识别率", "支持粤语四川话"),
        "speech recognition",
        ("会议语音转写系统", "车载语音交互降噪"),
        ("车内噪声大，语音助手识别率低", "需要支持方言的ASR用于客服质检"),
    ),
    Topic(
        "antibody",
        "C2761",
        "350",
        ("单克隆抗体", "双特异性抗体", "抗体偶联药物"),
        ("杂交瘤筛选", "人源化改造", "细胞株构建"),
        ("提高亲和力", "降低免疫原性"),
        "therapeutic antibodies",
        ("抗体药物早期研发合作", "ADC药物偶联工艺"),
        ("我司有肿瘤靶点，希望合作开发抗体药物", "抗体偶联药物的连接子稳定性差"),
    ),
    Topic(
        "ivd",
        "C3581",
        "320",
        ("体外诊断试剂", "化学发光检测", "核酸快速检测"),
        ("微流控芯片", "等温扩增", "磁微粒分离"),
        ("缩短检测时间", "提高灵敏度"),
        "in-vitro diagnostics",
        ("POCT快速检测产品", "诊断试剂盒灵敏度"),
        ("基层医院需要半小时出结果的检测试剂盒", "现有化学发光试剂灵敏度不够，寻求IVD新方法"),
    ),
    Topic(
        "device",
        "C3581",
        "320",
        ("医疗器械", "可穿戴心电监测", "手术导航系统"),
        ("柔性电极", "心律失常识别算法", "光学定位跟踪"),
        ("实现长期监护", "提高手术精度"),
        "medical devices",
        ("居家心电监护设备", "骨科手术导航"),
        ("老年人慢病管理需要可穿戴的心电医疗设备", "骨科手术依赖经验，想引进导航定位技术"),
    ),
    Topic(
        "tcm",
        "C2740",
        "360",
        ("中药提取物", "经典名方制剂", "中药质量标志物"),
        ("超临界萃取", "指纹图谱质量控制", "药效物质基础研究"),
        ("提高有效成分含量", "建立质量标准"),
        "traditional Chinese medicine",
        ("中成药质量标准提升", "中药材提取工艺改进"),
        ("中药饮片批次间差异大，需要质量控制方法", "现有提取工艺得率低、能耗高"),
    ),
    Topic(
        "graphene",
        "C2661",
        "430",
        ("石墨烯导热膜", "石墨烯浆料", "二维材料薄膜"),
        ("化学气相沉积", "液相剥离", "高温石墨化"),
        ("提高导热系数", "降低制备成本"),
        "graphene materials",
        ("手机散热材料升级", "导电浆料国产化"),
        ("5G手机发热严重，希望采用高导热的石墨烯散热膜", "锂电导电剂成本高，寻求新型导电浆料"),
    ),
    Topic(
        "composite",
        "C3099",
        "430",
        ("碳纤维复合材料", "热塑性复合材料构件", "纤维增强预浸料"),
        ("模压成型", "自动铺丝", "树脂传递模塑"),
        ("减轻结构重量", "提高抗冲击性能"),
        "carbon-fibre composites",
        ("汽车轻量化零部件", "无人机机身复合材料"),
        ("新能源车电池包壳体太重，希望用碳纤维替代钢材", "无人机机臂强度不足"),
    ),
    Topic(
        "water",
        "N7721",
        "610",
        ("污水处理工艺", "膜生物反应器", "高盐废水零排放"),
        ("厌氧氨氧化", "膜分离", "高级氧化"),
        ("降低运行能耗", "稳定达标排放"),
        "wastewater treatment",
        ("工业园区废水处理升级", "印染废水脱色"),
        ("电镀园区废水含重金属，现有水处理工艺不能稳定达标", "印染废水色度高、COD高"),
    ),
    Topic(
        "air",
        "N7722",
        "610",
        ("VOCs治理装置", "脱硝催化剂", "除尘设备"),
        ("蓄热式催化燃烧", "低温SCR", "吸附浓缩"),
        ("降低排放浓度", "减少运行成本"),
        "air pollution control",
        ("喷涂车间废气治理", "锅炉脱硝改造"),
        ("喷涂车间有机废气排放超标，需要VOCs治理方案", "燃气锅炉氮氧化物排放要降到30毫克以下"),
    ),
    Topic(
        "agri",
        "A0190",
        "210",
        ("智慧农业系统", "作物生长监测", "水肥一体化"),
        ("多光谱遥感", "土壤墒情传感", "生长模型"),
        ("节水节肥", "提高产量"),
        "smart agriculture",
        ("果园精准灌溉", "大棚环境智能控制"),
        ("柑橘园灌溉施肥全凭经验，想用精准农业技术", "温室大棚温湿度控制不稳定"),
    ),
    Topic(
        "drone",
        "C3749",
        "590",
        ("工业无人机", "无人机巡检系统", "长航时飞控"),
        ("自主避障", "航迹规划", "图像拼接"),
        ("替代人工巡检", "延长续航"),
        "drones",
        ("电力线路无人机巡检", "UAV测绘"),
        ("输电线路巡检靠人工爬塔，危险且慢，考虑无人机", "需要长航时无人飞行器做国土测绘"),
    ),
    Topic(
        "twin",
        "I6519",
        "460",
        ("数字孪生平台", "虚拟调试系统", "产线仿真"),
        ("多物理场建模", "实时数据驱动", "离散事件仿真"),
        ("缩短产线调试周期", "优化产能"),
        "digital twins",
        ("工厂数字孪生建设", "产线虚拟调试"),
        ("新产线调试周期长，希望先做虚拟仿真", "想建设车间级数字孪生，实时展示设备状态"),
    ),
)

UNI_TEMPLATES = (
    "一种基于{method}的{obj}",
    "{obj}的{method}技术",
    "面向{effect}的{obj}关键技术",
    "{method}{obj}及其制备方法",
)
SUMMARY_TEMPLATES = (
    "本成果针对{obj}领域的难题，采用{method}方法，{effect}。已申请发明专利，完成实验室验证，可许可或转让。",
    "团队长期从事{obj}研究，提出{method}与{method2}相结合的方案，可{effect}，并{effect2}。适合规模化应用。",
    "{obj}是行业关键环节。本项目通过{method}实现{effect}，在合作企业完成中试，技术成熟度较高。",
)


def outcome_text(topic: Topic, rng: random.Random) -> tuple[str, str, str]:
    """(Chinese title, Chinese summary, keywords) of one outcome of ``topic``."""
    obj, method, method2 = rng.choice(topic.objects), rng.choice(topic.methods), rng.choice(topic.methods)
    effect, effect2 = rng.choice(topic.effects), rng.choice(topic.effects)
    title = rng.choice(UNI_TEMPLATES).format(method=method, obj=obj, effect=effect)
    summary = rng.choice(SUMMARY_TEMPLATES).format(
        obj=obj, method=method, method2=method2, effect=effect, effect2=effect2
    )
    return title, summary, f"{obj} {method}"


def need_text(topic: Topic, rng: random.Random) -> tuple[str, str]:
    """(title, public summary) of one need of ``topic`` — in the enterprise's words, not the university's."""
    return rng.choice(topic.need_titles), rng.choice(topic.need_problems)
