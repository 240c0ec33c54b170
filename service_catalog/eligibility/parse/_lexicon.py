"""Words the situation reader (:mod:`.situation`) uses: places, everyday forms of the questions'
words, words too common to share a topic, and words that only answer (pure: no I/O).

General language, not one question's situation words: they are meant to hold for questions and
people the project never saw. A catalogue's own questions add their words at run time.
"""

from __future__ import annotations

import re

__all__ = [
    "ELSEWHERE_EN",
    "ELSEWHERE_ZH",
    "EN_ANSWER_WORDS",
    "EN_FORMS",
    "EN_STOP",
    "HERE_EN",
    "HERE_ZH",
    "ZH_ANSWER_WORDS",
    "ZH_FORMS",
    "ZH_GENERIC",
    "ZH_STOP",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# This city and its districts; other provinces, cities and countries.
HERE_ZH = r"上海|本市|本地|沪|浦东|黄浦|卢湾|徐汇|长宁|静安|闸北|普陀|虹口|杨浦|闵行|宝山|嘉定|金山|松江|青浦|奉贤|崇明|南汇"
HERE_EN = r"shanghai|pudong|huangpu|xuhui|changning|jing'?an|putuo|hongkou|yangpu|minhang|baoshan|jiading|jinshan|songjiang|qingpu|fengxian|chongming"
ELSEWHERE_ZH = (
    "北京|天津|重庆|河北|山西|内蒙|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|广西|海南|四川|贵州|云南|西藏|陕西|甘肃|"
    "青海|宁夏|新疆|香港|澳门|台湾|东北|苏州|杭州|南京|无锡|宁波|温州|合肥|广州|深圳|武汉|成都|西安|南通|常州|嘉兴|昆山|徐州|盐城|扬州|"
    "老家|外地|外省|外国|国外|境外|海外|美国|英国|加拿大|澳洲|澳大利亚|日本|韩国|德国|法国|新加坡"
)
ELSEWHERE_EN = (
    "beijing|tianjin|chongqing|hebei|shanxi|liaoning|jilin|heilongjiang|jiangsu|zhejiang|anhui|fujian|jiangxi|shandong|henan|hubei|hunan|"
    "guangdong|guangxi|hainan|sichuan|guizhou|yunnan|tibet|shaanxi|gansu|qinghai|ningxia|xinjiang|hong kong|macau|macao|taiwan|suzhou|"
    "hangzhou|nanjing|wuxi|ningbo|guangzhou|shenzhen|wuhan|chengdu|xi'an|hometown|home town|back home|my village|another city|"
    "another province|other province|out of town|abroad|overseas|canada|america|the us|the usa|the uk|england|australia|japan|korea|"
    "germany|france|singapore"
)

# Everyday forms of the words questions use, both ways: an answer says 社保 for 社会保险, 驾照 for
# 驾驶证, "license" for "licence". General language, not one question's situation.
ZH_FORMS: tuple[tuple[str, ...], ...] = (
    ("社会保险", "社保", "五险"),
    ("医疗保险", "医保", "医疗险"),
    ("驾驶证", "驾照", "驾驶执照", "本本"),
    ("户籍", "户口"),
    ("营业执照", "执照", "营业证"),
    ("残疾人证", "残疾证", "残联"),
    ("养老金", "退休金", "退休工资"),
    ("犬", "狗", "狗狗"),
    ("疫苗", "针", "防疫"),
    ("小客车", "汽车", "轿车", "私家车", "车"),
    ("住房", "房子", "房产", "买房", "买了房"),
    ("住所", "房子", "租房", "住的地方"),
    ("生育", "生孩子", "生了", "生娃", "生宝宝", "坐月子", "出生"),
    ("怀孕", "怀了", "有了身孕", "孕"),
    ("子女", "孩子", "儿子", "女儿", "小孩"),
    ("配偶", "老公", "老婆", "爱人", "丈夫", "妻子"),
    ("父母", "爸", "妈", "父亲", "母亲"),
    ("去世", "走了", "过世", "没了", "死"),
    ("退役军人", "当兵", "退伍", "部队", "参军", "转业"),
    ("聘用", "offer", "录用", "入职", "工作"),
    ("工资", "薪水", "收入", "工资条"),
    ("医院", "医院", "妇幼", "产院", "卫生院"),
    ("员工", "职工", "工人"),
    ("噪声", "噪音", "吵"),
    ("裁员", "裁", "辞退"),
    ("存款", "积蓄", "钱"),
    ("电梯", "楼梯"),
    ("律师", "律师费"),
    ("伤", "受伤", "工伤", "摔", "砸", "扭", "闪了"),
    ("评估", "评定", "评级"),
    ("认定", "认定书", "批下来"),
    ("失业", "没工作", "下岗"),
    ("登记", "备案"),
    ("低保", "低保户", "困难户"),
    ("缴纳", "交", "缴", "扣"),
)
EN_FORMS: tuple[tuple[str, ...], ...] = (
    ("licence", "license", "licensed", "licenced"),
    ("hukou", "household registration", "registered"),
    ("dog", "puppy", "pup"),
    ("vaccination", "vaccine", "vaccinated", "jab", "shot", "shots"),
    ("insurance", "insured", "coverage", "covered", "contribution", "contributions"),
    ("employer", "company", "boss", "work", "job"),
    ("pay", "paid", "payslip", "deducted", "deduct", "contribute"),
    ("home", "flat", "apartment", "house", "property", "place"),
    ("baby", "child", "kid", "son", "daughter", "born", "birth", "pregnant", "newborn"),
    ("veteran", "army", "military", "served", "service", "soldier", "navy"),
    ("savings", "money", "saved", "bank"),
    ("lift", "elevator", "stairs"),
    ("injured", "injury", "hurt", "accident"),
    ("assessment", "assessed", "rated", "level"),
    ("recognised", "recognized", "recognition", "approved"),
    ("income", "salary", "wages", "earned", "earnings"),
    ("lawyer", "attorney", "legal"),
    ("car", "vehicle", "plate"),
    ("died", "passed away", "death", "dead", "deceased"),
)
ZH_STOP = re.compile(r"[您你我他她它的是否吗了呢吧啊呀或及和与等为被已其该这那之以]")
ZH_GENERIC = _words(
    "本市 上海 目前 已经 办理 通过 部门 以上 以内 一年 人员 单位 贵单 有效 拥有 持有 参加 取得 获得 如未 进行 相关 情况 是否 "
    "生产 经营 业务 按时 依法 规定 标准 当地 本人 中国 公民 项目 本次 中有 有人 一方 员工 一直 好几 几年 年了 现在 还在 一下 "
    "时候 家里 这个 那个 就是 一个 个月 上个 去年 今年 前年 时间"
)
EN_STOP = _words(
    "a an the and or of in on at to for from by with your you yours do does did have has had is are was were be been being "
    "any some this that these those it its there here such as more than other others own within over under past year years "
    "city shanghai currently already still ever least one who whose their them they we our us he she his her my i me "
    "example s new into also not no can could would will may might just been get got way time back now last went go day days "
    "like well really thing things lot bit so very too then when what which where how why never nobody none nothing neither nor without"
)

ZH_ANSWER_WORDS = re.compile(r"[是对有嗯恩好行已在要的了呀啊呢吧哦喔噢嘛啦咯没不否无未非过我您你他她它们还都也就经确实当然肯定真]|可以|没错")
EN_ANSWER_WORDS = _words(
    "yes yeah yep yup yea ya sure correct right true ok okay indeed of course absolutely definitely certainly no nope nah not "
    "never i we he she it they do does did don't doesn't didn't have has had haven't hasn't am is are was were i'm isn't "
    "aren't wasn't we're he's she's it's that's really actually already yet still got one any"
)
