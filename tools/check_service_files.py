"""Interim checker for catalogue data files while the real validator is built.

Usage: .venv/bin/python tools/check_service_files.py [FILES...]
"""
import glob
import sys

import yaml

from service_catalog.model import Event, Question, Service

DISTRICTS = "huangpu xuhui changning jingan putuo hongkou yangpu minhang baoshan jiading pudong jinshan songjiang qingpu fengxian chongming".split()
CENTRES = {f"{d}-citizen-centre" for d in DISTRICTS} | {
    "pudong-exit-entry-centre", "pudong-social-security-centre", "pudong-enterprise-service-centre",
    "xuhui-exit-entry-centre", "xuhui-social-security-centre",
    "huangpu-exit-entry-centre", "huangpu-social-security-centre", "huangpu-housing-fund-centre",
}
questions = {}
for f in glob.glob("service_catalog/data/questions/*.yaml"):
    for q in yaml.safe_load(open(f)):
        questions[q["id"]] = Question.model_validate(q)
events = {e["id"] for f in glob.glob("service_catalog/data/events/*.yaml") for e in yaml.safe_load(open(f))}


def refs(c, out):
    if isinstance(c, dict):
        if "q" in c:
            out.append(c)
        for k in ("all", "any"):
            for x in c.get(k, []):
                refs(x, out)
        if "not" in c:
            refs(c["not"], out)


files = sys.argv[1:] or sorted(glob.glob("service_catalog/data/services/*.yaml"))
bad = 0
for f in files:
    try:
        raw = yaml.safe_load(open(f))
        s = Service.model_validate(raw)
        problems = []
        if f.split("/")[-1] != s.id + ".yaml":
            problems.append("file name must be <id>.yaml")
        problems += [f"unknown event {e}" for e in s.events if e not in events]
        problems += [f"unknown centre {c}" for c in s.channels.centres if c not in CENTRES]
        if s.districts != "all":
            problems += [f"unknown district {d}" for d in s.districts if d not in DISTRICTS]
        conds = []
        refs(raw.get("eligibility"), conds)
        for c in conds:
            q = questions.get(c["q"])
            if q is None:
                problems.append(f"unknown question {c['q']}")
            elif q.type == "choice":
                vals = c["value"] if isinstance(c["value"], list) else [c["value"]]
                opts = {o.value for o in q.options}
                problems += [f"{c['q']}: {v!r} is not an option" for v in vals if v not in opts]
        if not open(f).readline().startswith("# Sample data"):
            problems.append("first line must be the sample-data comment")
        for p in problems:
            print(f"{f}: {p}")
            bad += 1
    except Exception as e:  # noqa: BLE001
        print(f"{f}: {e}")
        bad += 1
print(f"{len(files)} files, {bad} problems")
sys.exit(1 if bad else 0)
