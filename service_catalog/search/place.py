"""Is a query about another place's services? (pure)

The portal handles the city's own services. "北京的公积金怎么提取", "how do I renew a UK
passport" or "广州的小学报名" name another jurisdiction as the owner of the matter, so
nothing here fits, however well the words match. Moving between places is in scope:
"户口从湖南迁到上海", "I moved from Beijing, how do I transfer my social insurance".
"""

from __future__ import annotations

import re

__all__ = ["other_place"]

_ZH_PLACES = [
    "北京",
    "天津",
    "重庆",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "武汉",
    "成都",
    "西安",
    "长沙",
    "郑州",
    "青岛",
    "厦门",
    "宁波",
    "合肥",
    "福州",
    "济南",
    "沈阳",
    "大连",
    "哈尔滨",
    "长春",
    "昆明",
    "贵阳",
    "南宁",
    "南昌",
    "太原",
    "石家庄",
    "兰州",
    "海口",
    "三亚",
    "无锡",
    "常州",
    "东莞",
    "佛山",
    "珠海",
    "温州",
    "香港",
    "澳门",
    "台湾",
    "台北",
    "江苏",
    "浙江",
    "安徽",
    "山东",
    "河南",
    "河北",
    "湖南",
    "湖北",
    "广东",
    "广西",
    "福建",
    "江西",
    "四川",
    "云南",
    "贵州",
    "陕西",
    "山西",
    "甘肃",
    "辽宁",
    "吉林",
    "黑龙江",
    "海南",
    "内蒙古",
    "新疆",
    "西藏",
    "宁夏",
    "青海",
    "美国",
    "英国",
    "日本",
    "韩国",
    "德国",
    "法国",
    "加拿大",
    "澳大利亚",
    "新加坡",
    "俄罗斯",
]
_EN_PLACES = (
    "beijing|tianjin|chongqing|guangzhou|shenzhen|hangzhou|nanjing|suzhou|wuhan|chengdu|xi'an|xian|changsha|zhengzhou|qingdao|xiamen|"
    "hong kong|macau|macao|taiwan|taipei|jiangsu|zhejiang|anhui|shandong|henan|hebei|hunan|hubei|guangdong|fujian|sichuan|yunnan|"
    "us|usa|u\\.s\\.|american|america|uk|u\\.k\\.|british|britain|england|london|canada|canadian|australia|australian|germany|german|"
    "france|french|japan|japanese|korea|korean|singapore|india|indian|california|texas|new york|florida"
)
_SHANGHAI = re.compile(
    r"上海|沪|本市|shanghai|huangpu|xuhui|changning|jing'?an|putuo|hongkou|yangpu|minhang|baoshan|jiading|pudong|jinshan|songjiang|qingpu|fengxian|chongming"
    r"|黄浦|徐汇|长宁|静安|普陀|虹口|杨浦|闵行|宝山|嘉定|浦东|金山|松江|青浦|奉贤|崇明",
    re.I,
)
# Moving here, or between here and elsewhere. "迁入"/"转入" alone are left out: "广州户口怎么迁入"
# is about moving into Guangzhou; "迁入上海" names the city and is caught by _SHANGHAI.
_MOVING = re.compile(
    r"迁(?!入)|转移|转到|转回|调到|搬到|搬来|来沪|到上海|老家|回来|异地|跨省|从.{1,6}(来|到|过来)|\bfrom\b|\bmov(e|ed|ing)\b|\btransfer|\brelocat|\bback home\b|\bcame\b",
    re.I,
)
_ZH_MATTERS = (
    "落户|户口|户籍|社保|公积金|医保|居住证|积分|驾照|驾驶证|车牌|牌照|小汽车|小客车|摇号|购房|买房|限购|人才|"
    "小学|中学|幼儿园|入学|学校|中考|高考|政策|身份证|护照|签证|绿卡|个税|税务|营业执照|公司注册|房产证|不动产|低保|养老金|退休"
)
_ZH_PLACE = "(" + "|".join(map(re.escape, _ZH_PLACES)) + ")"
# The place owns the matter: "北京的公积金", "深圳小汽车摇号", "广州那边的户口" (at most two
# characters between, never across punctuation).
_ZH_OWNER = re.compile(_ZH_PLACE + r"(?:市|省)?(?:的|那边的|那里的)?[^，。,.!?！？\s]{0,2}?(?:" + _ZH_MATTERS + ")")
_ZH_ANY_PLACE = re.compile(_ZH_PLACE)
_EN_MATTERS = (
    r"passport|driver'?s? licen[cs]e|driving licen[cs]e|visa|green card|citizenship|tax return|social security|social insurance|"
    r"state pension|pension|id card|hukou|household registration|residence permit|school|provident fund|housing fund|"
    r"(?:licen[cs]e )?plate lottery|licen[cs]e plates?|car plates?|medical insurance"
)
_EN_OWNER = re.compile(r"\b(" + _EN_PLACES + r")(?:'s)?\s+(?:[a-z]+\s+){0,2}?(?:" + _EN_MATTERS + r")", re.I)
_EN_MATTER_IN = re.compile(r"\b(?:" + _EN_MATTERS + r")\b.*?\b(?:in|of|for)\s+(" + _EN_PLACES + r")\b", re.I)


def other_place(query: str) -> str | None:
    """The other place a query is about, or None when it may well be the city's own matter."""
    if _SHANGHAI.search(query):
        return None
    places = list(dict.fromkeys(m.group(1) for m in _ZH_ANY_PLACE.finditer(query)))
    if len(places) >= 2:  # "北京的社保转到石家庄": between two other places
        return places[0]
    if _MOVING.search(query):
        return None
    for pattern in (_ZH_OWNER, _EN_OWNER, _EN_MATTER_IN):
        match = pattern.search(query)
        if match:
            return match.group(1)
    return None
