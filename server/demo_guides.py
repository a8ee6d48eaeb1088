"""The demo hall's service guides (办事指南): what each service asks a citizen to bring.

Modelled on the published guides of Chinese service centres; the laws named are real, the
local details (promised limits, which materials are optional) are a typical hall's. Call
`apply_demo_guides` from `seed_demo` once the services exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from .domain.guide import parse_guide
from .storage.models import Service


def _m(name: str, form: str, copies: int = 1, required: bool = True, notes: str = "") -> dict[str, Any]:
    return {"name": name, "form": form, "copies": copies, "required": required, "notes": notes}


ORIG, COPY, BOTH, ELEC = "original", "copy", "original_and_copy", "electronic"

DEMO_GUIDES: dict[str, dict[str, Any]] = {
    "A": {  # 户籍办理
        "materials": [
            _m("居民户口簿", ORIG, notes="迁出、迁入、分户均需提供"),
            _m("居民身份证", BOTH, notes="申请人本人；代办另附代办人身份证"),
            _m("出生医学证明", BOTH, required=False, notes="办理新生儿出生登记时提供"),
            _m("准予迁入证明或户口迁移证", ORIG, required=False, notes="办理户口迁入时提供"),
            _m("结婚证", BOTH, required=False, notes="投靠配偶落户、新生儿随父或随母落户时提供"),
            _m("合法稳定住所证明", COPY, required=False, notes="不动产权证书或经备案的房屋租赁合同"),
            _m(
                "近期一寸白底免冠彩色照片",
                ORIG,
                copies=2,
                required=False,
                notes="同时申领居民身份证的，可现场免费采集",
            ),
        ],
        "steps": [
            "取号后到户籍窗口提交材料",
            "民警核对材料、核验身份信息",
            "材料齐全的当场受理；不齐全的出具一次性告知单",
            "审核通过后签发户口簿或迁移证明",
            "窗口领取，或选择邮寄送达",
        ],
        "legal_limit_days": 20,
        "promised_limit_days": 3,
        "warn_days": 1,
        "fees": "免费",
        "legal_basis": "《中华人民共和国户口登记条例》；《中华人民共和国居民身份证法》；《居住证暂行条例》",
        "keywords": [
            "户口",
            "户口本",
            "落户",
            "迁户口",
            "户口迁移",
            "出生登记",
            "上户口",
            "分户",
            "居住证",
            "身份证",
        ],
    },
    "H": {  # 出入境
        "materials": [
            _m("居民身份证", ORIG, notes="全国通办，非本地户籍凭身份证即可申请"),
            _m("中国公民出入境证件申请表", ORIG, notes="可现场填写，或在“移民局”App 预填"),
            _m("近期彩色证件照片", ELEC, required=False, notes="可在窗口现场免费采集，无需自带"),
            _m("原护照或通行证", ORIG, required=False, notes="换发、补发时提供"),
            _m(
                "监护人身份证及监护关系证明",
                BOTH,
                required=False,
                notes="未满 16 周岁申请人提供，须监护人陪同",
            ),
            _m("所在单位出具的意见", ORIG, required=False, notes="登记备案的国家工作人员提供"),
        ],
        "steps": [
            "取号后到出入境窗口",
            "现场采集照片和指纹，填写或确认申请表",
            "窗口审核材料并缴纳证件费",
            "选择领取方式：窗口领取或邮政速递",
            "凭受理回执领取证件",
        ],
        "legal_limit_days": 15,
        "promised_limit_days": 7,
        "warn_days": 2,
        "fees": "普通护照 120 元/本；往来港澳通行证 60 元/本；往来台湾通行证 60 元/本；签注每次 15 元",
        "legal_basis": "《中华人民共和国出境入境管理法》；《中华人民共和国护照法》；"
        "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》",
        "keywords": ["护照", "港澳通行证", "台湾通行证", "通行证", "签注", "出国", "港澳", "出境"],
    },
    "B": {  # 不动产登记
        "materials": [
            _m("不动产登记申请书", ORIG, notes="窗口领取或现场填写"),
            _m("申请人身份证明", BOTH, notes="个人提供居民身份证；单位提供营业执照及法定代表人身份证明"),
            _m("不动产权属证书", ORIG, notes="不动产权证书或原房屋所有权证、土地使用权证"),
            _m("不动产买卖合同", ORIG, copies=2, notes="经网签备案的存量房买卖合同"),
            _m("完税凭证", COPY, notes="契税、增值税、个人所得税完税或减免凭证"),
            _m("婚姻状况证明", BOTH, required=False, notes="结婚证、离婚证及离婚协议，或单身声明"),
            _m("授权委托书", ORIG, required=False, notes="委托他人代办时提供，须经公证"),
        ],
        "steps": [
            "买卖双方完成网签备案",
            "到税务窗口申报缴纳税费",
            "买卖双方共同到不动产登记窗口提交申请",
            "登记机构审核、登簿",
            "缴纳登记费后领取不动产权证书",
        ],
        "legal_limit_days": 30,
        "promised_limit_days": 5,
        "warn_days": 1,
        "fees": "住宅 80 元/件；非住宅 550 元/件；每增发一本证书加收工本费 10 元；小微企业免收",
        "legal_basis": "《中华人民共和国民法典》物权编；《不动产登记暂行条例》；"
        "《不动产登记暂行条例实施细则》",
        "keywords": [
            "房产证",
            "不动产权证",
            "过户",
            "二手房",
            "抵押登记",
            "房屋登记",
            "产权",
            "查档",
            "土地",
        ],
    },
    "C": {  # 社保医保
        "materials": [
            _m("居民身份证", BOTH, notes="代办另附代办人身份证"),
            _m("社会保险参保登记表", ORIG, notes="窗口现场填写"),
            _m("社会保障卡", ORIG, required=False, notes="已领卡的提供"),
            _m("居民户口簿", ORIG, required=False, notes="城乡居民参保、少儿参保时提供"),
            _m("劳动合同", COPY, required=False, notes="职工参保由用人单位提供"),
            _m("近期白底证件照", ELEC, required=False, notes="申领社会保障卡时提供，可现场拍摄"),
            _m("医疗费用票据及费用清单", ORIG, required=False, notes="异地就医手工报销时提供"),
        ],
        "steps": [
            "取号后到社保医保窗口",
            "提交材料，窗口核验身份和参保信息",
            "当场办理参保登记、关系转移或待遇申报",
            "申领社会保障卡的，制卡完成后短信通知领取",
        ],
        "legal_limit_days": 15,
        "promised_limit_days": 0,
        "warn_days": 0,
        "fees": "免费",
        "legal_basis": "《中华人民共和国社会保险法》；《社会保险经办条例》；《社会保险费征缴暂行条例》",
        "keywords": [
            "社保",
            "医保",
            "社保卡",
            "养老保险",
            "医疗保险",
            "失业保险",
            "生育保险",
            "异地就医",
            "参保",
            "退休",
        ],
    },
    "F": {  # 公积金
        "materials": [
            _m("居民身份证", BOTH),
            _m("住房公积金提取申请书", ORIG, notes="窗口现场填写"),
            _m("本人银行借记卡", ORIG, notes="本人名下一类账户，用于接收提取资金"),
            _m("购房合同或不动产权证书", BOTH, required=False, notes="购房提取时提供"),
            _m("房屋租赁合同及租金发票", ORIG, required=False, notes="租房提取时提供"),
            _m("结婚证", BOTH, required=False, notes="提取配偶账户余额时提供"),
            _m("解除劳动关系证明", ORIG, required=False, notes="离职销户提取时提供"),
        ],
        "steps": [
            "取号后到公积金窗口",
            "提交材料，窗口审核提取条件",
            "当场作出准予提取的决定",
            "资金在 3 个工作日内转入本人银行卡",
        ],
        "legal_limit_days": 3,
        "promised_limit_days": 1,
        "warn_days": 1,
        "fees": "免费",
        "legal_basis": "《住房公积金管理条例》；本市住房公积金提取管理办法",
        "keywords": ["公积金提取", "住房公积金", "公积金贷款", "租房提取", "缴存", "销户"],
    },
    "D": {  # 企业开办
        "materials": [
            _m("公司登记（备案）申请书", ORIG, notes="可在“一网通办”平台在线填报后打印"),
            _m("公司章程", ORIG, notes="全体股东签署"),
            _m("股东主体资格证明", COPY, notes="自然人股东提供身份证复印件；法人股东提供营业执照复印件"),
            _m("法定代表人、董事、监事、经理的任职文件及身份证明", COPY),
            _m("住所使用证明", COPY, notes="不动产权证书或房屋租赁合同"),
            _m("指定代表或委托代理人授权委托书", ORIG, required=False, notes="委托他人办理时提供"),
            _m("许可审批文件", BOTH, required=False, notes="经营范围涉及前置许可项目时提供"),
        ],
        "steps": [
            "企业名称自主申报",
            "设立登记：提交材料，领取营业执照",
            "同一窗口免费刻制首套公章",
            "申领发票及税控设备",
            "员工参保登记、预约银行开户",
        ],
        "legal_limit_days": 3,
        "promised_limit_days": 1,
        "warn_days": 1,
        "fees": "免费（营业执照、首套印章免费）",
        "legal_basis": "《中华人民共和国公司法》；《中华人民共和国市场主体登记管理条例》；"
        "《中华人民共和国市场主体登记管理条例实施细则》",
        "keywords": ["营业执照", "开公司", "注册公司", "个体户", "公章", "工商登记", "设立登记", "执照"],
    },
    "E": {  # 税务
        "materials": [
            _m("经办人居民身份证", ORIG),
            _m("营业执照", COPY, required=False, notes="单位纳税人提供"),
            _m("税务事项申请表", ORIG, required=False, notes="按办理事项现场填写"),
            _m("发票领用簿", ORIG, required=False, notes="领用发票时提供"),
            _m("财务会计报表", ELEC, required=False, notes="申报时通过电子税务局上传"),
            _m("授权委托书", ORIG, required=False, notes="委托他人办理时提供"),
        ],
        "steps": [
            "取号后到税务窗口",
            "说明办理事项，提交材料",
            "窗口审核，即时办结或出具受理文书",
            "多数事项也可在电子税务局自助办理",
        ],
        "legal_limit_days": None,
        "promised_limit_days": 0,
        "warn_days": 0,
        "fees": "免费",
        "legal_basis": "《中华人民共和国税收征收管理法》；《中华人民共和国税收征收管理法实施细则》；"
        "《中华人民共和国发票管理办法》",
        "keywords": ["发票", "报税", "个税", "纳税", "完税证明", "税务登记", "代开发票", "退税"],
    },
    "G": {  # 综合咨询
        "materials": [
            _m("居民身份证", ORIG, required=False, notes="咨询本人业务办理进度时携带"),
        ],
        "steps": [
            "取号后到综合咨询窗口说明需求",
            "工作人员一次性告知办理事项、所需材料和办理窗口",
            "需要补齐材料的，领取一次性告知单",
            "材料备齐后取相应业务的号码办理",
        ],
        "legal_limit_days": None,
        "promised_limit_days": 0,
        "warn_days": 0,
        "fees": "免费",
        "legal_basis": "《优化营商环境条例》；本中心《服务窗口管理制度》（首问负责制、一次告知制）",
        "keywords": ["咨询", "不知道", "帮助", "导办", "投诉", "建议", "预约", "问询"],
    },
}


def apply_demo_guides(session: Session, services_by_code: Mapping[str, Service]) -> None:
    """Give the demo hall's services their guides (validated, so the demo shows only valid data)."""
    for code, service in services_by_code.items():
        data = DEMO_GUIDES.get(code)
        if data is not None:
            service.guide = parse_guide(data).to_dict()
    session.flush()
