"""Words the readers use: yes and no, places, everyday forms of the questions' words, words too
common to share a topic, and words that only answer (pure: no I/O).

General language, not one question's situation words: they are meant to hold for questions and
people the project never saw. A catalogue's own questions add their words at run time.
"""

from __future__ import annotations

import re

__all__ = [
    "ABLE_ZH",
    "AGREE_EN",
    "AGREE_ZH",
    "ASKS",
    "CONTENT_STOP_EN",
    "CONTENT_STOP_ZH",
    "ELSEWHERE_EN",
    "ELSEWHERE_ZH",
    "EN_ANSWER_WORDS",
    "EN_FORMS",
    "EN_STOP",
    "HAVE_NOT_ZH",
    "HAVE_ZH",
    "HERE_EN",
    "HERE_ZH",
    "KIN_EN",
    "KIN_ZH",
    "NO_ANSWER_EN",
    "NO_EN",
    "NO_ZH",
    "OK_EN",
    "OK_ZH",
    "SHORT_FORMS_ZH",
    "SURE_EN",
    "SURE_ZH",
    "UNIT_WORDS",
    "UNSURE",
    "WRONG_EN",
    "WRONG_ZH",
    "YES_EN",
    "YES_ZH",
    "ZH_ANSWER_WORDS",
    "ZH_FORMS",
    "ZH_GENERIC",
    "ZH_STOP",
    "alternation",
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

# What a sentence is about (``_text.content_words``, for corrections and words said before a
# check): function words and the words every question has (是否, 您的, "how many", "please").
CONTENT_STOP_EN = _words(
    "the a an and or for you your my me we our his her their they them she he it its i in on at of to is are was were be been "
    "do does did have has had how many much what which who when where there here this that any with without from as by not no "
    "yes please still ever city total roughly about right now currently"
)
CONTENT_STOP_ZH = _words("是否 您是 多少 是不 您的 您在 贵单 单位 今年 目前 现在 本市 约多 大约 多久")
UNIT_WORDS = _words("year years month months week weeks day days old 个月")
"""Units: words said past the check count them by the duration found, not as shared words."""
SHORT_FORMS_ZH = (("社保", "社会保险"), ("医保", "医疗保险"), ("驾照", "驾驶证"), ("户口", "户籍户口"), ("公积金", "住房公积金"), ("退休金", "养老金"))
"""Short forms people use, spelt as the bank writes them, for content words."""


# --- yes and no ------------------------------------------------------------------------------------
# One vocabulary, in classes, because the readers differ in which classes count and where:
# - an answer *leading* with a yes or no word (:mod:`.meaning`): YES, SURE, HAVE, AGREE (standing
#   alone: "right after the birth" leads with no yes) / NO, NO_ANSWER, HAVE_NOT;
# - *bare agreement* with "… — is that right?" (:mod:`.turn`): YES, AGREE, OK / NO, WRONG; not SURE,
#   HAVE, NO_ANSWER nor HAVE_NOT, which answer the question itself (有, 没有, "never", "absolutely"
#   to "read as no, right?" say what the answer is, not whether the reading is right);
# - the *surface* reading (:mod:`.yes_no`): all of them anywhere, when nothing better was found.
# OK ("ok", 好) opens a sentence without agreeing ("ok so I was fired"), so it never leads an answer.
YES_EN = ("yes", "yeah", "yep", "yup", "yea", "ya", "sure", "indeed")
SURE_EN = ("of course", "absolutely", "definitely", "certainly", "affirmative")
AGREE_EN = ("right", "correct", "true", "exactly")
OK_EN = ("ok", "okay")
NO_EN = ("no", "nope", "nah", "negative")
NO_ANSWER_EN = ("never", "not really")
WRONG_EN = ("wrong", "incorrect", "false")
YES_ZH = ("是", "是的", "是啊", "嗯+", "恩")
SURE_ZH = ("当然", "肯定", "确定")
AGREE_ZH = ("对", "对的", "对啊", "没错", "正确")
OK_ZH = ("好", "好的")
ABLE_ZH = ("行", "可以")
HAVE_ZH = ("有", "有的")
NO_ZH = ("不", "不是", "否")
WRONG_ZH = ("不对", "错了", "不正确")
HAVE_NOT_ZH = ("没", "没有", "没呢", "并没有")

# A sentence that asks or wishes for something ("how do I get a residence permit", 想申请公租房) states no
# fact: its situation words name the service wanted, not the person's situation. An age or a duration
# with its number still counts ("my dad is 70 and needs a care home").
ASKS = re.compile(
    r"\b(?:how|where|what|which|when|can|could|may|should|is there|are there|want|wants|need|needs|apply|applying|looking for|get)\b"
    r"|\bheard\b|怎么|怎样|如何|哪里|哪儿|哪能|什么|啥|吗|能不能|可以|想|要不要|申请|办理|去办|咋办|听说",
    re.I,
)
UNSURE = re.compile(
    r"not sure|don'?t know|do not know|dunno|no idea|unsure|not certain|maybe|perhaps|idk|can'?t remember"
    r"|不知道|不清楚|不确定|不记得|说不好|说不清|不好说|也许|可能吧|大概吧|^我?忘了[吧啊呀]?$|忘了是"
)
"""Not sure: no reading at all ("忘了" alone, not "忘了报年报", which says what happened)."""


def alternation(*words: tuple[str, ...]) -> str:
    """A regex alternation of word lists, longest first (so that 是的 is tried before 是); the
    entries are regex pieces ("嗯+")."""
    return "|".join(sorted({w for group in words for w in group}, key=len, reverse=True))


# --- whose situation -------------------------------------------------------------------------------
# People an answer may tell of besides the person asked about: family (in everyday and regional words:
# 老伴, 老头子, 媳妇, 伊 "he/she" in Shanghainese), friends, neighbours, colleagues. Not the landlord,
# the boss or the company: what they do is usually done for the person ("the landlord registered it").
KIN_ZH = (
    "老公", "老婆", "丈夫", "妻子", "爱人", "先生", "太太", "老伴", "老头子", "老头", "老太婆", "老太太", "媳妇", "对象",
    "男朋友", "女朋友", "爸", "妈", "父亲", "母亲", "儿子", "女儿", "孩子", "娃", "宝宝", "哥", "姐", "弟", "妹", "公公",
    "婆婆", "岳父", "岳母", "丈人", "丈母娘", "爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷", "孙子", "孙女", "外孙",
    "叔", "舅", "姑", "姨", "侄", "家里人", "亲戚", "朋友", "同事", "邻居", "室友", "伊",
)  # fmt: skip
KIN_EN = (
    "husband", "wife", "partner", "spouse", "mother", "mom", "mum", "father", "dad", "son", "daughter", "brother",
    "sister", "friend", "parents?", "kids?", "children", "neighbou?r", "colleague", "grandma", "grandpa", "grandmother",
    "grandfather", "grandson", "granddaughter", "grandchild", "uncle", "aunt", "cousin", "boyfriend", "girlfriend",
    "fianc[eé]e?", "roommate", "flatmate", "in-laws?",
)  # fmt: skip
