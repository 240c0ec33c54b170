"""A synthetic catalogue for benchmarks only (never the demo data): realistic bilingual services,
deterministic by seed, at any size (2,600 and 50,000 in ``make bench``).

Each service combines an action, a subject and a target group from small bilingual
vocabularies, so titles, summaries, keywords and phrasings read like real entries.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["generate_catalogue", "synthetic_service"]

DISTRICTS = [
    "huangpu",
    "xuhui",
    "changning",
    "jingan",
    "putuo",
    "hongkou",
    "yangpu",
    "minhang",
    "baoshan",
    "jiading",
    "pudong",
    "jinshan",
    "songjiang",
    "qingpu",
    "fengxian",
    "chongming",
]

ACTIONS = [
    ("apply for", "申请", "申领"),
    ("renew", "续办", "换领"),
    ("register", "登记", "办理登记"),
    ("replace a lost", "补办", "补领"),
    ("change the details of", "变更", "信息变更"),
    ("cancel", "注销", "办理注销"),
    ("claim", "申领", "领取"),
    ("file", "备案", "办理备案"),
    ("check the status of", "查询", "进度查询"),
    ("get a certificate for", "开具证明", "出具证明"),
]
SUBJECTS = [
    ("residence record", "居住登记", "residence"),
    ("childcare allowance", "育儿津贴", "family"),
    ("school meal subsidy", "学生餐补贴", "education"),
    ("evening class place", "夜校课程名额", "education"),
    ("community care voucher", "社区照护券", "elderly"),
    ("heating subsidy", "取暖补贴", "social-assistance"),
    ("rental deposit loan", "租房押金贷款", "housing"),
    ("home repair grant", "房屋修缮补助", "housing"),
    ("bicycle parking permit", "非机动车停放许可", "transport"),
    ("taxi operating permit", "出租车营运许可", "transport"),
    ("market stall licence", "集市摊位许可", "licensing"),
    ("street food permit", "街头餐饮许可", "licensing"),
    ("export quality certificate", "出口质量证书", "trade"),
    ("workplace safety filing", "安全生产备案", "business-operate"),
    ("research equipment grant", "科研设备补助", "innovation"),
    ("green building rating", "绿色建筑评价", "construction"),
    ("water discharge permit", "排水许可", "environment"),
    ("music performance permit", "营业性演出许可", "culture"),
    ("sports coaching licence", "体育培训许可", "culture"),
    ("hearing aid subsidy", "助听器补贴", "disability"),
    ("dental care voucher", "口腔保健券", "health"),
    ("night-shift transport pass", "夜班交通卡", "employment"),
    ("apprentice wage top-up", "学徒工资补助", "employment"),
    ("veterans' travel pass", "退役军人出行卡", "veterans"),
    ("pet vaccination record", "宠物免疫记录", "daily-life"),
    ("tree felling permit", "树木砍伐许可", "environment"),
    ("festival venue booking", "节庆场地预约", "culture"),
    ("solar panel grant", "太阳能板补助", "environment"),
    ("flood insurance rebate", "防汛保险补贴", "housing"),
    ("translation certificate", "翻译件认证", "foreigners"),
]
GROUPS = [
    ("residents", "居民", "individual"),
    ("families with young children", "有婴幼儿的家庭", "individual"),
    ("older people", "老年人", "individual"),
    ("students", "学生", "individual"),
    ("jobseekers", "求职人员", "individual"),
    ("people with disabilities", "残疾人", "individual"),
    ("small businesses", "小微企业", "enterprise"),
    ("restaurants", "餐饮企业", "enterprise"),
    ("factories", "生产企业", "enterprise"),
    ("start-ups", "初创企业", "enterprise"),
    ("social organisations", "社会组织", "enterprise"),
    ("farm cooperatives", "农业合作社", "enterprise"),
]
SITUATIONS_EN = [
    "I need to {a} my {s}, what do I do",
    "how can {g} {a} a {s} in {d}",
    "we want to {a} our {s} before the deadline",
    "where do I go to {a} a {s}",
    "is it possible to {a} the {s} online",
]
SITUATIONS_ZH = [
    "我想{a2}{s}，该怎么办",
    "{d}的{g}怎么{a}{s}",
    "{s}要去哪里{a2}",
    "{s}网上能不能{a}",
    "请问{g}{a}{s}需要什么材料",
]


def synthetic_service(n: int, rng: random.Random) -> dict[str, Any]:
    action = rng.choice(ACTIONS)
    subject = rng.choice(SUBJECTS)
    group = rng.choice(GROUPS)
    district = rng.choice(DISTRICTS)
    sid = f"syn-{n:06d}-{subject[2]}"
    d_en, d_zh = district.capitalize(), district
    title_en = f"{action[0].capitalize()} {subject[0]} for {group[0]} ({d_en} scheme {n})"
    title_zh = f"{group[1]}{subject[1]}{action[1]}（{n}号）"
    fill_en = {"a": action[0], "s": subject[0], "g": group[0], "d": d_en}
    fill_zh = {"a": action[1], "a2": action[2], "s": subject[1], "g": group[1], "d": d_zh}
    days = rng.choice([0, 1, 3, 5, 10, 15, 20, 30])
    return {
        "id": sid,
        "sample_data": True,
        "audience": group[2],
        "theme": subject[2],
        "title": {"zh": title_zh, "en": title_en},
        "summary": {
            "zh": f"{group[1]}可按规定{action[1]}{subject[1]}，材料齐全的在{days}个工作日内办结。",
            "en": f"{group[0].capitalize()} can {action[0]} a {subject[0]}; complete applications are decided within {days} working days.",
        },
        "description": {
            "zh": f"本服务为合成基准数据。{group[1]}向主管部门提交申请，经审核后{action[1]}{subject[1]}。",
            "en": f"Synthetic benchmark entry. {group[0].capitalize()} apply to the competent department, which reviews the case and decides.",
        },
        "events": ["starting-a-company" if group[2] == "enterprise" else "moving-to-the-city"],
        "competent_authority": {"zh": f"{d_zh}区相关主管部门", "en": f"{d_en} district department"},
        "keywords": {"zh": [subject[1], action[1], group[1]], "en": [subject[0], action[0], group[0]]},
        "phrasings": {
            "zh": [t.format(**fill_zh) for t in rng.sample(SITUATIONS_ZH, 3)],
            "en": [t.format(**fill_en) for t in rng.sample(SITUATIONS_EN, 3)],
        },
        "documents": [{"zh": "申请人身份证明", "en": "Proof of identity"}],
        "cost": {"free": True},
        "processing_days": days,
        "legal_basis": {"zh": "合成数据，无法律依据", "en": "Synthetic data; no legal basis"},
        "channels": {"online_url": f"https://portal.example.gov.cn/apply/{sid}", "hotline": "12345"},
        "districts": [district] if rng.random() < 0.3 else "all",
        "last_reviewed": "2026-11-01",
    }


def generate_catalogue(out: Path, count: int, seed: int = 7, base: Path | None = None, progress: bool = False) -> Path:
    """Write ``count`` synthetic services into ``out/services`` with the base catalogue's shared files."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    rng = random.Random(seed)
    services = out / "services"
    if services.exists():
        shutil.rmtree(services)
    services.mkdir(parents=True)
    if base is not None:
        for name in ("questions", "events"):
            if (out / name).exists():
                shutil.rmtree(out / name)
            shutil.copytree(base / name, out / name)
        shutil.copy(base / "districts.yaml", out / "districts.yaml")
    header = "# Sample data: synthetic services generated for benchmarks; not real services.\n"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for n in range(count):
        data = synthetic_service(n, rng)
        (services / f"{data['id']}.yaml").write_text(header + yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
        if progress and (n + 1) % max(count // 20, 1) == 0:
            print(f"\r  generated {n + 1}/{count} services", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return out
