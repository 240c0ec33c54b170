/* The insights page: figures from /agent/api/insights/* drawn as inline SVG (no library, no CDN).
   Every chart has a text equivalent (aria-label, a table or a list) for screen readers. */
(function () {
  "use strict";

  const TEXT = {
    zh: {
      skip: "跳到内容", title: "服务洞察", period: "时间范围", d1: "最近 1 天", d7: "最近 7 天", d30: "最近 30 天", d90: "最近 90 天",
      lang: "English", console: "返回坐席工作台", kpis: "关键指标", daily: "每日比率", asTable: "以表格查看",
      byChannel: "按渠道", byLang: "按语言", unmet: "未满足的需求", csv: "下载 CSV", topServices: "热门服务", topEvents: "热门人生事件",
      unmetHint: "没有找到服务的问题，按意思归成主题。可标记为“已加入目录”或“不属于服务范围”。",
      sessions: "会话", containment: "自助解决率", handoff: "转人工率", noMatch: "未找到服务", abandonment: "放弃率",
      feedbackRate: "评价率", csat: "满意度 (CSAT)", firstReply: "首次人工回复（中位）", ratings: "条评价", tickets: "张工单", messages: "条消息", up: "有用", down: "没用",
      date: "日期", none: "暂无数据", loading: "正在加载…", loaded: "已更新", error: "出错了：",
      topic: "主题", count: "次数", trend: "趋势", examples: "例子", status: "状态", actions: "操作",
      trends: { new: "新出现", up: "上升", down: "下降", steady: "持平" },
      statuses: { open: "待处理", added: "已加入目录", out_of_scope: "不属于服务范围" },
      markAdded: "标记为已加入目录", markOut: "标记为不属于服务范围", reopen: "重新打开", marked: "已标记：",
      seconds: "秒", channels: { rest: "REST", socketio: "网页", wechat: "微信", wecom: "企业微信", telegram: "Telegram", unknown: "未知" },
      languages: { zh: "中文", en: "英文", unknown: "未知" }, previous: "上一周期",
    },
    en: {
      skip: "Skip to content", title: "Insights", period: "Period", d1: "Last day", d7: "Last 7 days", d30: "Last 30 days", d90: "Last 90 days",
      lang: "中文", console: "Back to the agent console", kpis: "Key figures", daily: "Rates per day", asTable: "Show as a table",
      byChannel: "By channel", byLang: "By language", unmet: "Unmet needs", csv: "Download CSV", topServices: "Top services", topEvents: "Top life events",
      unmetHint: "Questions that found no service, grouped by meaning. Mark a topic as added to the catalogue or out of scope.",
      sessions: "Sessions", containment: "Containment", handoff: "Handoff rate", noMatch: "Nothing matched", abandonment: "Abandonment",
      feedbackRate: "Feedback rate", csat: "CSAT", firstReply: "First human reply (median)", ratings: "ratings", tickets: "tickets", messages: "messages", up: "useful", down: "not useful",
      date: "Date", none: "No data yet", loading: "Loading…", loaded: "Updated", error: "Something went wrong: ",
      topic: "Topic", count: "Count", trend: "Trend", examples: "Examples", status: "Status", actions: "Actions",
      trends: { new: "new", up: "rising", down: "falling", steady: "steady" },
      statuses: { open: "open", added: "added to catalogue", out_of_scope: "out of scope" },
      markAdded: "Mark as added to catalogue", markOut: "Mark as out of scope", reopen: "Reopen", marked: "Marked: ",
      seconds: "s", channels: { rest: "REST", socketio: "Web widget", wechat: "WeChat", wecom: "WeCom", telegram: "Telegram", unknown: "unknown" },
      languages: { zh: "Chinese", en: "English", unknown: "unknown" }, previous: "previous period",
    },
  };
  const SERIES = [
    { key: "containment_rate", label: "containment", color: "#0b4f9c", dash: "" },
    { key: "handoff_rate", label: "handoff", color: "#a11a1a", dash: "6 4" },
    { key: "no_match_rate", label: "noMatch", color: "#8a5a00", dash: "2 3" },
    { key: "abandonment_rate", label: "abandonment", color: "#0a6b2e", dash: "10 3 2 3" },
  ];
  const SVG = "http://www.w3.org/2000/svg";
  const state = { ui: localStorage.getItem("in:lang") === "en" ? "en" : "zh", csrf: "", summary: null, topics: [] };
  const $ = (id) => document.getElementById(id);
  const t = () => TEXT[state.ui];

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const pct = (x) => (x === null || x === undefined ? "—" : `${Math.round(x * 1000) / 10}%`);
  const announce = (message) => { $("in-status").textContent = message; };

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") { headers["X-CSRF-Token"] = state.csrf; headers["Content-Type"] = "application/json"; }
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    if (response.status === 401) { location.href = "/agent"; throw new Error("signed out"); }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || response.statusText);
    return data;
  }

  /* ---------- key figures ---------- */
  function kpis(s) {
    const list = $("in-kpis");
    list.replaceChildren();
    const reply = s.human_reply.median_seconds;
    const items = [
      [t().sessions, String(s.sessions), `${s.user_messages} ${t().messages}`],
      [t().containment, pct(s.containment_rate), `${s.contained} / ${s.sessions}`],
      [t().handoff, pct(s.handoff_rate), `${s.handed_off} / ${s.sessions}`],
      [t().noMatch, pct(s.no_match_rate), `${s.no_match_sessions} / ${s.sessions}`],
      [t().abandonment, pct(s.abandonment_rate), `${s.abandoned} / ${s.sessions}`],
      [t().feedbackRate, pct(s.feedback.rate), `${s.feedback.ratings} ${t().ratings}`],
      [t().csat, pct(s.feedback.csat), `${t().up} ${s.feedback.up} · ${t().down} ${s.feedback.down}`],
      [t().firstReply, reply === null ? "—" : `${reply} ${t().seconds}`, `${s.human_reply.answered} / ${s.human_reply.tickets} ${t().tickets}`],
    ];
    for (const [name, value, note] of items) {
      const li = el("li");
      li.append(el("span", { class: "in-kpi-name" }, name), el("span", { class: "in-kpi-value" }, value), el("span", { class: "in-kpi-note" }, note));
      list.append(li);
    }
  }

  /* ---------- rates per day: a line chart ---------- */
  function dailyChart(days) {
    const box = $("in-daily-chart");
    const W = 900, H = 260, L = 44, R = 12, T = 12, B = 36;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "in-daily-title" });
    chart.append(svg("title", { id: "in-daily-title" }, `${t().daily}: ${SERIES.map((s) => t()[s.label]).join(", ")}`));
    const x = (i) => L + (days.length <= 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (days.length - 1));
    const y = (v) => T + (1 - v) * (H - T - B);
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      chart.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#e4e7ec" }));
      chart.append(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, `${v * 100}%`));
    }
    const step = Math.max(1, Math.ceil(days.length / 10));
    days.forEach((d, i) => { if (i % step === 0) chart.append(svg("text", { x: x(i), y: H - 12, "text-anchor": "middle" }, d.date.slice(5))); });
    for (const series of SERIES) {
      const points = days.map((d, i) => [i, d[series.key]]).filter(([, v]) => v !== null);
      if (points.length > 1) {
        chart.append(svg("polyline", { points: points.map(([i, v]) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: series.color, "stroke-width": 2.5, "stroke-dasharray": series.dash }));
      }
      for (const [i, v] of points) chart.append(svg("circle", { cx: x(i), cy: y(v), r: 3.5, fill: series.color }));
    }
    box.replaceChildren(chart);
    const legend = $("in-daily-legend");
    legend.replaceChildren(...SERIES.map((s) => {
      const li = el("li");
      const swatch = el("span", { class: "in-swatch", "aria-hidden": "true" });
      swatch.style.borderTopColor = s.color;
      swatch.style.borderTopStyle = s.dash ? "dashed" : "solid";
      li.append(swatch, document.createTextNode(t()[s.label]));
      return li;
    }));
    const table = el("table");
    const head = el("tr");
    [t().date, t().sessions, ...SERIES.map((s) => t()[s.label])].forEach((h, i) => head.append(el("th", { scope: "col", class: i ? "in-num" : "" }, h)));
    table.append(el("thead"), el("tbody"));
    table.tHead.append(head);
    for (const d of days) {
      const row = el("tr");
      row.append(el("th", { scope: "row" }, d.date), el("td", { class: "in-num" }, String(d.sessions)));
      SERIES.forEach((s) => row.append(el("td", { class: "in-num" }, pct(d[s.key]))));
      table.tBodies[0].append(row);
    }
    $("in-daily-table").replaceChildren(table);
  }

  /* ---------- per channel / language: grouped horizontal bars ---------- */
  function groupChart(box, groups, names, titleId, title) {
    const keys = Object.keys(groups);
    if (!keys.length) { box.replaceChildren(el("p", { class: "in-hint" }, t().none)); return; }
    const W = 460, row = 22, gap = 14, L = 110, top = 8, bar = W - L - 130;
    const H = top + keys.length * (SERIES.length * row + gap);
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": titleId });
    const summaryText = keys.map((k) => `${names[k] || k}: ${groups[k].sessions} ${t().sessions}, ` + SERIES.map((s) => `${t()[s.label]} ${pct(groups[k][s.key])}`).join(", ")).join("; ");
    chart.append(svg("title", { id: titleId }, `${title}. ${summaryText}`));
    keys.forEach((k, gi) => {
      const y0 = top + gi * (SERIES.length * row + gap);
      chart.append(svg("text", { x: 0, y: y0 + 14 }, `${names[k] || k}`));
      chart.append(svg("text", { x: 0, y: y0 + 30, fill: "#555" }, `${groups[k].sessions} ${t().sessions}`));
      SERIES.forEach((s, si) => {
        const v = groups[k][s.key] || 0;
        const y = y0 + si * row;
        chart.append(svg("rect", { x: L, y: y + 3, width: Math.max(1, v * bar), height: row - 8, fill: s.color }));
        chart.append(svg("text", { x: L + Math.max(1, v * bar) + 6, y: y + row - 8 }, `${t()[s.label]} ${pct(groups[k][s.key])}`));
      });
    });
    box.replaceChildren(chart);
  }

  /* ---------- unmet topics ---------- */
  function unmetChart(topics) {
    const box = $("in-unmet-chart");
    const shown = topics.slice(0, 12);
    if (!shown.length) { box.replaceChildren(el("p", { class: "in-hint" }, t().none)); return; }
    const W = 900, row = 26, L = 340, top = 4;
    const max = Math.max(...shown.map((x) => Math.max(x.count, x.previous)), 1);
    const chart = svg("svg", { viewBox: `0 0 ${W} ${top + shown.length * row}`, role: "img", "aria-labelledby": "in-unmet-title" });
    chart.append(svg("title", { id: "in-unmet-title" }, `${t().unmet}: ` + shown.map((x) => `${x.label} ${x.count}`).join("; ")));
    shown.forEach((x, i) => {
      const y = top + i * row;
      const label = x.label.length > 36 ? x.label.slice(0, 35) + "…" : x.label;
      chart.append(svg("text", { x: L - 8, y: y + 17, "text-anchor": "end" }, label));
      chart.append(svg("rect", { x: L, y: y + 5, width: Math.max(2, (x.count / max) * (W - L - 140)), height: 14, fill: x.status === "open" ? "#0b4f9c" : "#9aa4b2" }));
      chart.append(svg("line", { x1: L + (x.previous / max) * (W - L - 140), x2: L + (x.previous / max) * (W - L - 140), y1: y + 2, y2: y + 22, stroke: "#a11a1a", "stroke-width": 2 }));
      chart.append(svg("text", { x: L + (x.count / max) * (W - L - 140) + 8, y: y + 17 }, `${x.count} (${t().trends[x.trend] || x.trend})`));
    });
    box.replaceChildren(chart);
  }

  function unmetTable(topics) {
    const wrap = $("in-unmet");
    if (!topics.length) { wrap.replaceChildren(); return; }
    const table = el("table");
    const head = el("tr");
    [t().topic, t().count, t().trend, t().examples, t().status, t().actions].forEach((h, i) => head.append(el("th", { scope: "col", class: i === 1 ? "in-num" : "" }, h)));
    table.append(el("thead"), el("tbody"));
    table.tHead.append(head);
    for (const topic of topics) {
      const row = el("tr");
      const examples = el("ul", { class: "in-examples" });
      topic.examples.forEach((e) => examples.append(el("li", { lang: topic.lang === "zh" ? "zh-CN" : "en" }, e)));
      const exampleCell = el("td");
      exampleCell.append(examples);
      const actions = el("td");
      const group = el("div", { class: "in-actions" });
      const choices = topic.status === "open" ? [["added", t().markAdded], ["out_of_scope", t().markOut]] : [["open", t().reopen]];
      for (const [status, name] of choices) {
        const button = el("button", { type: "button", class: "in-quiet", "aria-label": `${name}: ${topic.label}` }, name);
        button.addEventListener("click", () => mark(topic, status));
        group.append(button);
      }
      actions.append(group);
      row.append(
        el("th", { scope: "row", lang: topic.lang === "zh" ? "zh-CN" : "en" }, topic.label),
        el("td", { class: "in-num" }, String(topic.count)),
        el("td", {}, `${t().trends[topic.trend] || topic.trend} (${t().previous}: ${topic.previous})`),
        exampleCell,
        el("td", { class: `in-status-${topic.status}` }, t().statuses[topic.status] || topic.status),
        actions,
      );
      table.tBodies[0].append(row);
    }
    wrap.replaceChildren(table);
  }

  async function mark(topic, status) {
    try {
      await api("POST", `/agent/api/insights/unmet/${encodeURIComponent(topic.key)}`, { status, label: topic.label });
      announce(t().marked + (t().statuses[status] || status));
      await loadUnmet();
    } catch (error) { announce(t().error + error.message); }
  }

  function top(listId, items) {
    const list = $(listId);
    list.replaceChildren();
    if (!items.length) { list.append(el("li", {}, t().none)); return; }
    for (const item of items) {
      const li = el("li", {}, item.title + " ");
      li.append(el("span", { class: "in-count" }, `(${item.count})`));
      list.append(li);
    }
  }

  function render() {
    const s = state.summary;
    if (!s) return;
    kpis(s);
    dailyChart(s.daily);
    groupChart($("in-channel-chart"), s.by_channel, t().channels, "in-channel-title", t().byChannel);
    groupChart($("in-lang-chart"), s.by_lang, t().languages, "in-lang-title", t().byLang);
    top("in-top-services", s.top_services);
    top("in-top-events", s.top_events);
    unmetChart(state.topics);
    unmetTable(state.topics);
  }

  const days = () => $("in-days").value;

  async function loadUnmet() {
    state.topics = (await api("GET", `/agent/api/insights/unmet?days=${days()}`)).topics;
    render();
  }

  async function load() {
    announce(t().loading);
    try {
      $("in-csv").href = `/agent/api/insights/unmet.csv?days=${days()}`;
      const [summary, unmet] = await Promise.all([api("GET", `/agent/api/insights/summary?days=${days()}`), api("GET", `/agent/api/insights/unmet?days=${days()}`)]);
      state.summary = summary;
      state.topics = unmet.topics;
      render();
      announce(t().loaded);
    } catch (error) { announce(t().error + error.message); }
  }

  function applyLanguage() {
    document.documentElement.lang = state.ui === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t()[node.dataset.t]; });
    $("in-lang").setAttribute("lang", state.ui === "zh" ? "en" : "zh");
    document.title = `${t().title} · ${state.ui === "zh" ? "Insights" : "服务洞察"}`;
    render();
  }

  $("in-lang").addEventListener("click", () => {
    state.ui = state.ui === "zh" ? "en" : "zh";
    localStorage.setItem("in:lang", state.ui);
    applyLanguage();
  });
  $("in-days").addEventListener("change", load);
  api("GET", "/agent/api/session").then((session) => { state.csrf = session.csrf_token; }).catch(() => {});
  applyLanguage();
  load();
})();
