/* 12345 hotline agent console (docs/agent-console.md).
 *
 * Plain DOM, no libraries, no inline script or style (runs under the service's CSP). Everything
 * goes through the JSON API under /agent/api/; state-changing calls send the session's CSRF
 * token in X-CSRF-Token. The inbox is live over server-sent events (/agent/api/events): no polling.
 * Keys: "/" search, arrows move, Enter opens, Esc goes back, "c" copies the ready answer.
 */
(function () {
  "use strict";

  const T = {
    zh: {
      skip: "跳到搜索", title: "12345 坐席工作台", lang: "English", logout: "退出", insights: "服务洞察", lookup: "查询服务",
      searchLabel: "搜索服务（按 / 聚焦）", searchPlaceholder: "搜索服务，按 / 聚焦", callerLang: "来电语言",
      keys: "/ 搜索 · ↑↓ 选择 · Enter 打开 · Esc 返回 · C 复制答复", results: "搜索结果", back: "← 返回结果 (Esc)",
      answer: "可直接朗读的答复", copy: "复制答复 (C)", copied: "答复已复制", district: "来电人所在区", anyDistrict: "不限",
      centres: "办理地点", eligibility: "资格检查", sendLink: "发送预填申请链接", phone: "来电人手机号",
      consent: "来电人已同意共享其回答", sendSms: "短信发送", sendChat: "发到对话", inbox: "待处理工单", take: "接管",
      resolve: "结束服务", closePanel: "收起", reply: "回复来电人", send: "发送", conversation: "对话",
      documents: "所需材料", cost: "费用", free: "免费", yuan: "元", time: "办理时限", days: "个工作日", sameDay: "当场办结",
      legal: "法律依据", authority: "主管部门", online: "网上办理", hours: "办公时间", tel: "电话", none: "没有找到相关服务", noTickets: "暂无待处理工单",
      queue: "排队第 {n} 位", takenBy: "{a} 已接管", mine: "由您处理", citizen: "来电人", bot: "智能客服", agent: "坐席",
      newTicket: "新工单 {n}", newMessage: "工单 {n} 有新消息", taken: "已接管工单 {n}，机器人已暂停", resolved: "工单 {n} 已结束，机器人已恢复",
      sent: "已发送", linkSent: "链接已发送至 {to}", next: "下一题", yes: "是", no: "否",
      verdict: { eligible: "符合条件", ineligible: "不符合条件", unknown: "尚需更多信息" }, wouldQualify: "以下情况可符合：",
      error: "出错了：", channels: { socketio: "网页", rest: "REST", telegram: "Telegram", wechat: "微信", wecom: "企业微信" },
      languages: { zh: "中文", en: "英文" },
      best: "智能客服会直接给出这一项",
      subject: "为谁检查", subjectHint: "来电人替家人咨询时选择此人；问题会按此人措辞，回答只属于此人。", forWhom: "代{who}咨询",
      groups: { parent: "父母", child: "子女", spouse: "配偶", other: "其他" },
      relations: {
        self: "来电人本人", mother: "母亲", father: "父亲", parent: "父亲或母亲", son: "儿子", daughter: "女儿", child: "孩子",
        wife: "妻子", husband: "丈夫", spouse: "配偶", grandmother: "奶奶或外婆", grandfather: "爷爷或外公", grandparent: "祖父母",
        grandchild: "孙辈", brother: "兄弟", sister: "姐妹", relative: "其他家人", friend: "朋友",
      },
    },
    en: {
      skip: "Skip to search", title: "12345 Agent console", lang: "中文", logout: "Sign out", insights: "Insights", lookup: "Look up a service",
      searchLabel: "Search services (press / to focus)", searchPlaceholder: "Search services, press / to focus", callerLang: "Caller's language",
      keys: "/ search · ↑↓ move · Enter open · Esc back · C copy the answer", results: "Search results", back: "← Back to results (Esc)",
      answer: "Answer to read out", copy: "Copy the answer (C)", copied: "Answer copied", district: "Caller's district", anyDistrict: "Any",
      centres: "Where to apply", eligibility: "Eligibility check", sendLink: "Send the pre-filled application link", phone: "Caller's mobile",
      consent: "The caller agreed to share their answers", sendSms: "Send by SMS", sendChat: "Send into the chat", inbox: "Handoff inbox",
      take: "Take", resolve: "Resolve", closePanel: "Close", reply: "Reply to the citizen", send: "Send", conversation: "Conversation",
      documents: "Documents", cost: "Cost", free: "Free", yuan: "yuan", time: "Processing time", days: "working days", sameDay: "Same day",
      legal: "Legal basis", authority: "Authority", online: "Apply online", hours: "Hours", tel: "Phone", none: "No matching service", noTickets: "No tickets waiting",
      queue: "#{n} in queue", takenBy: "taken by {a}", mine: "yours", citizen: "Citizen", bot: "Assistant", agent: "Agent",
      newTicket: "New ticket {n}", newMessage: "New message on {n}", taken: "Took {n}; the bot is paused", resolved: "{n} resolved; the bot is back",
      sent: "Sent", linkSent: "Link sent to {to}", next: "Next", yes: "Yes", no: "No",
      verdict: { eligible: "Eligible", ineligible: "Not eligible", unknown: "More information needed" }, wouldQualify: "Would qualify if:",
      error: "Error: ", channels: { socketio: "web", rest: "REST", telegram: "Telegram", wechat: "WeChat", wecom: "WeCom" },
      languages: { zh: "Chinese", en: "English" },
      best: "The assistant would answer with this one",
      subject: "Who the check is for", subjectHint: "When the caller asks for a family member, choose them: the questions are worded for them and the answers are theirs.",
      forWhom: "for their {who}",
      groups: { parent: "Parent", child: "Child", spouse: "Spouse", other: "Other" },
      relations: {
        self: "The caller", mother: "Mother", father: "Father", parent: "Parent", son: "Son", daughter: "Daughter", child: "Child",
        wife: "Wife", husband: "Husband", spouse: "Spouse", grandmother: "Grandmother", grandfather: "Grandfather", grandparent: "Grandparent",
        grandchild: "Grandchild", brother: "Brother", sister: "Sister", relative: "Other family member", friend: "Friend",
      },
    },
  };
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  const stored = (key) => {
    try {
      return localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  };
  const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? "" : vars[k]));

  const state = {
    ui: stored("ac:lang") === "en" ? "en" : "zh",
    csrf: "", agent: "", role: "",
    searchAbort: null, searchTimer: 0, results: [], best: null, offered: [], service: null,
    answers: {}, subject: "self", tickets: new Map(), ticket: null, unread: new Set(),
  };
  // Who the caller asks for (the catalogue's relations, eligibility/subjects.py), grouped as an agent hears them.
  const RELATION_GROUPS = [
    [null, ["self"]],
    ["parent", ["mother", "father", "parent"]],
    ["child", ["son", "daughter", "child"]],
    ["spouse", ["wife", "husband", "spouse"]],
    ["other", ["grandmother", "grandfather", "grandparent", "grandchild", "brother", "sister", "relative", "friend"]],
  ];
  const t = () => T[state.ui];

  function announce(text) {
    const status = $("ac-status");
    status.textContent = "";
    window.setTimeout(() => (status.textContent = text), 30);
  }

  async function api(method, path, body, signal) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin", signal });
    if (response.status === 401) {
      location.reload();
      throw new Error("signed out");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || response.statusText);
    return data;
  }

  function fail(error) {
    if (error && error.name === "AbortError") return;
    announce(t().error + (error && error.message ? error.message : error));
  }

  /* ---------- language of the console ---------- */
  function applyLanguage() {
    document.documentElement.lang = state.ui === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-t]").forEach((node) => (node.textContent = t()[node.getAttribute("data-t")]));
    document.querySelectorAll("[data-tp]").forEach((node) => node.setAttribute("placeholder", t()[node.getAttribute("data-tp")]));
    document.querySelectorAll("[data-ta]").forEach((node) => node.setAttribute("aria-label", t()[node.getAttribute("data-ta")]));
    $("ac-lang").setAttribute("lang", state.ui === "zh" ? "en" : "zh");
    renderSubjects();
    renderTickets();
    if (state.ticket) renderTicket(state.ticket);
  }

  /* ---------- search ---------- */
  function scheduleSearch() {
    window.clearTimeout(state.searchTimer);
    state.searchTimer = window.setTimeout(runSearch, 200);
  }

  async function runSearch() {
    const q = $("ac-search").value.trim();
    if (state.searchAbort) state.searchAbort.abort(); // a newer keystroke wins
    if (!q) {
      state.results = [];
      renderResults();
      return;
    }
    const controller = new AbortController();
    state.searchAbort = controller;
    try {
      const data = await api("GET", "/agent/api/search?" + new URLSearchParams({ q, lang: "auto" }), undefined, controller.signal);
      if (controller.signal.aborted) return;
      state.results = data.results.length ? data.results : data.suggestions || [];
      state.best = data.best || null; // the assistant's own decision (the same policy as the bot's search turn)
      state.offered = data.offered || [];
      renderResults();
      showResults();
    } catch (error) {
      fail(error);
    }
  }

  function renderResults() {
    const list = $("ac-results");
    list.textContent = "";
    if (!state.results.length && $("ac-search").value.trim()) {
      list.appendChild(el("li", "ac-empty", t().none));
      return;
    }
    state.results.forEach((hit, i) => {
      const li = el("li");
      const button = el("button", "ac-result");
      button.type = "button";
      button.dataset.index = String(i);
      button.appendChild(el("span", "ac-result-title", hit.title));
      if (hit.id === state.best) button.appendChild(el("span", "ac-result-best", t().best));
      else if (state.offered.length && !state.offered.includes(hit.id)) button.classList.add("ac-result-weak");
      button.appendChild(el("span", "ac-result-summary", hit.summary));
      button.addEventListener("click", () => openService(hit.id, i));
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function resultButtons() {
    return Array.from(document.querySelectorAll("#ac-results .ac-result"));
  }

  function showResults() {
    $("ac-service").hidden = true;
    $("ac-results").hidden = false;
  }

  /* ---------- one service ---------- */
  async function openService(id, index) {
    state.lastIndex = index;
    state.answers = {};
    const params = new URLSearchParams({ lang: $("ac-caller-lang").value });
    const district = state.service && state.service.id === id ? $("ac-district").value : "";
    if (district) params.set("district", district);
    try {
      const service = await api("GET", "/agent/api/services/" + encodeURIComponent(id) + "?" + params);
      state.service = service;
      renderService(service);
      $("ac-results").hidden = true;
      $("ac-service").hidden = false;
      $("ac-service").focus();
      if (service.has_eligibility) assess();
      else $("ac-elig").hidden = true;
    } catch (error) {
      fail(error);
    }
  }

  function fact(list, term, value) {
    if (value === null || value === undefined || value === "") return;
    list.appendChild(el("dt", null, term));
    const dd = el("dd");
    if (Array.isArray(value)) {
      const ul = el("ul");
      value.forEach((v) => ul.appendChild(el("li", null, v)));
      dd.appendChild(ul);
    } else if (value instanceof Node) {
      dd.appendChild(value);
    } else {
      dd.textContent = value;
    }
    list.appendChild(dd);
  }

  function renderService(s) {
    $("ac-service-title").textContent = s.title;
    $("ac-service-summary").textContent = s.summary;
    $("ac-answer").textContent = s.answer;
    const select = $("ac-district");
    select.textContent = "";
    select.appendChild(new Option(t().anyDistrict, ""));
    s.districts.forEach((d) => select.appendChild(new Option(d.name, d.id, false, s.district && s.district.id === d.id)));
    const facts = $("ac-facts");
    facts.textContent = "";
    fact(facts, t().documents, s.documents);
    fact(facts, t().cost, s.cost.free || !s.cost.amount_cny ? t().free : s.cost.amount_cny + " " + t().yuan + (s.cost.note ? " (" + s.cost.note + ")" : ""));
    fact(facts, t().time, s.processing_days ? s.processing_days + " " + t().days : t().sameDay);
    fact(facts, t().authority, s.competent_authority);
    fact(facts, t().legal, s.legal_basis);
    if (s.online_url) {
      const a = el("a", null, s.online_url);
      a.href = s.online_url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      fact(facts, t().online, a);
    }
    const centres = $("ac-centres");
    centres.textContent = "";
    s.centres.slice(0, 6).forEach((c) => {
      const li = el("li");
      li.appendChild(el("strong", null, c.name + " · " + c.district.name));
      li.appendChild(el("span", null, c.address));
      li.appendChild(el("span", null, t().hours + ": " + c.hours));
      li.appendChild(el("span", null, t().tel + ": " + c.phone));
      centres.appendChild(li);
    });
    renderLinkButtons();
  }

  async function copyAnswer() {
    if (!state.service || $("ac-service").hidden) return;
    const text = state.service.answer;
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const area = el("textarea", "ac-sr");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    $("ac-copy").textContent = t().copied + " ✓";
    window.setTimeout(() => ($("ac-copy").textContent = t().copy), 2000);
    announce(t().copied);
  }

  /* ---------- eligibility for the caller, or for whom they ask ---------- */
  function subjectOf() {
    return state.subject === "self" ? null : state.subject;
  }

  function relationLabel(relation) {
    return t().relations[relation] || relation;
  }

  function renderSubjects() {
    const select = $("ac-subject");
    select.textContent = "";
    RELATION_GROUPS.forEach(([group, relations]) => {
      const parent = group ? el("optgroup") : select;
      if (group) parent.label = t().groups[group];
      relations.forEach((r) => parent.appendChild(new Option(relationLabel(r), r, false, r === state.subject)));
      if (group) select.appendChild(parent);
    });
  }

  function chooseSubject(relation) {
    const known = RELATION_GROUPS.some(([, relations]) => relations.includes(relation));
    const next = known ? relation : "self";
    if (next === state.subject) return false;
    state.subject = next;
    state.answers = {}; // the answers belong to the person the check is for
    $("ac-subject").value = next;
    return true;
  }

  async function assess() {
    try {
      const result = await api("POST", "/agent/api/services/" + encodeURIComponent(state.service.id) + "/eligibility", {
        answers: state.answers,
        lang: $("ac-caller-lang").value,
        subject: subjectOf(),
      });
      renderEligibility(result);
    } catch (error) {
      fail(error);
    }
  }

  function renderEligibility(result) {
    $("ac-elig").hidden = false;
    const form = $("ac-elig-form");
    form.textContent = "";
    const q = result.next_question;
    if (q) {
      const id = "ac-q-" + q.id;
      const label = el("label", null, q.text);
      label.htmlFor = id;
      form.appendChild(label);
      let input;
      if (q.type === "boolean" || q.type === "choice") {
        input = el("select");
        const options = q.type === "boolean" ? [{ value: "true", label: t().yes }, { value: "false", label: t().no }] : q.options;
        options.forEach((o) => input.appendChild(new Option(o.label, o.value)));
      } else {
        input = el("input");
        input.type = q.type === "date" ? "date" : "number";
        input.required = true;
      }
      input.id = id;
      form.appendChild(input);
      if (q.why) form.appendChild(el("p", "ac-hint", q.why));
      const next = el("button", null, t().next);
      next.type = "submit";
      form.appendChild(next);
      form.onsubmit = (event) => {
        event.preventDefault();
        const raw = input.value;
        state.answers[q.id] = q.type === "boolean" ? raw === "true" : q.type === "number" ? Number(raw) : raw;
        assess();
      };
    }
    $("ac-verdict").textContent = t().verdict[result.status] || result.status;
    $("ac-verdict").className = "ac-verdict ac-" + result.status;
    const reasons = $("ac-reasons");
    reasons.textContent = "";
    result.reasons.forEach((r) => reasons.appendChild(el("li", r.met === false ? "ac-unmet" : r.met ? "ac-met" : "", (r.met ? "✓ " : r.met === false ? "✗ " : "? ") + r.text)));
    if (result.would_qualify_if && result.would_qualify_if.length) {
      const li = el("li", null, t().wouldQualify + " " + result.would_qualify_if.join("; "));
      reasons.appendChild(li);
    }
  }

  /* ---------- sending the link ---------- */
  function myTicket() {
    return state.ticket && state.ticket.status === "open" && state.ticket.agent === state.agent && state.ticket.conversation_id ? state.ticket : null;
  }

  function renderLinkButtons() {
    let chat = $("ac-send-chat");
    if (!chat) {
      chat = el("button", null, t().sendChat);
      chat.type = "button";
      chat.id = "ac-send-chat";
      chat.addEventListener("click", () => sendLink({ ticket: myTicket() && myTicket().number }));
      $("ac-link-form").appendChild(chat);
    }
    chat.textContent = t().sendChat;
    chat.hidden = !myTicket();
  }

  async function sendLink(target) {
    if (!state.service) return;
    const body = {
      service_id: state.service.id, answers: state.answers, lang: $("ac-caller-lang").value, consent: $("ac-consent").checked, subject: subjectOf(), ...target,
    };
    try {
      const result = await api("POST", "/agent/api/send-link", body);
      $("ac-link-result").textContent = fill(t().linkSent, { to: result.to });
    } catch (error) {
      $("ac-link-result").textContent = t().error + error.message;
    }
  }

  /* ---------- the inbox ---------- */
  function ticketLine(ticket) {
    const parts = [t().channels[ticket.channel] || ticket.channel, t().languages[ticket.language] || ticket.language];
    if (ticket.subject && ticket.subject !== "self") parts.push(fill(t().forWhom, { who: relationLabel(ticket.subject).toLowerCase() }));
    if (ticket.agent) parts.push(ticket.agent === state.agent ? t().mine : fill(t().takenBy, { a: ticket.agent }));
    else parts.push(fill(t().queue, { n: ticket.position }));
    return parts.join(" · ");
  }

  function renderTickets() {
    const list = $("ac-tickets");
    list.textContent = "";
    const items = Array.from(state.tickets.values()).sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    $("ac-count").textContent = String(items.length);
    if (!items.length) list.appendChild(el("li", "ac-empty", t().noTickets));
    items.forEach((ticket) => {
      const li = el("li");
      const button = el("button", "ac-ticket-item" + (state.unread.has(ticket.number) ? " ac-unread" : ""));
      button.type = "button";
      button.dataset.number = ticket.number;
      button.appendChild(el("span", "ac-ticket-number", ticket.number));
      button.appendChild(el("span", "ac-ticket-line", ticketLine(ticket)));
      button.appendChild(el("span", "ac-ticket-summary", ticket.summary));
      button.addEventListener("click", () => openTicket(ticket.number));
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  async function openTicket(number) {
    try {
      const ticket = await api("GET", "/agent/api/tickets/" + encodeURIComponent(number));
      state.unread.delete(number);
      state.ticket = ticket;
      renderTicket(ticket);
      renderTickets();
      $("ac-ticket").hidden = false;
      $("ac-ticket").focus();
      if (ticket.language) $("ac-caller-lang").value = ticket.language;
      // The check is for whom the citizen asked the bot about; the agent can change it.
      if (chooseSubject(ticket.subject || "self") && state.service && !$("ac-service").hidden && state.service.has_eligibility) assess();
    } catch (error) {
      fail(error);
    }
  }

  function line(who, text) {
    const li = el("li", "ac-line ac-" + who);
    li.appendChild(el("span", "ac-speaker", (t()[who] || who) + ": "));
    li.appendChild(el("span", null, text));
    return li;
  }

  function addLine(who, text) {
    const conversation = $("ac-conversation");
    conversation.appendChild(line(who, text));
    conversation.scrollTop = conversation.scrollHeight; // the newest message in view
  }

  function renderTicket(ticket) {
    $("ac-ticket-title").textContent = ticket.number + (ticket.service_title ? " · " + ticket.service_title : "");
    $("ac-ticket-meta").textContent = ticketLine(ticket);
    $("ac-ticket-summary").textContent = ticket.summary;
    const conversation = $("ac-conversation");
    conversation.textContent = "";
    (ticket.transcript || []).forEach((entry) => conversation.appendChild(line(entry.who === "user" ? "citizen" : "bot", entry.text)));
    (ticket.messages || []).forEach((m) => conversation.appendChild(line(m.who || "citizen", m.text)));
    conversation.scrollTop = conversation.scrollHeight;
    const mine = ticket.status === "open" && ticket.agent === state.agent;
    $("ac-take").hidden = ticket.status !== "open" || mine;
    $("ac-resolve").hidden = !mine;
    $("ac-reply-form").hidden = !mine || !ticket.conversation_id;
    renderLinkButtons();
  }

  async function take() {
    const ticket = state.ticket;
    try {
      const item = await api("POST", "/agent/api/tickets/" + encodeURIComponent(ticket.number) + "/take");
      Object.assign(ticket, item);
      state.tickets.set(ticket.number, item);
      renderTicket(ticket);
      renderTickets();
      announce(fill(t().taken, { n: ticket.number }));
      $("ac-reply").focus();
    } catch (error) {
      fail(error);
    }
  }

  async function reply(event) {
    event.preventDefault();
    const text = $("ac-reply").value.trim();
    if (!text || !state.ticket) return;
    try {
      await api("POST", "/agent/api/tickets/" + encodeURIComponent(state.ticket.number) + "/reply", { text });
      state.ticket.messages = (state.ticket.messages || []).concat([{ who: "agent", text }]);
      addLine("agent", text);
      $("ac-reply").value = "";
      announce(t().sent);
    } catch (error) {
      fail(error);
    }
  }

  async function resolve() {
    const ticket = state.ticket;
    try {
      await api("POST", "/agent/api/tickets/" + encodeURIComponent(ticket.number) + "/resolve");
      state.tickets.delete(ticket.number);
      closeTicket();
      announce(fill(t().resolved, { n: ticket.number }));
    } catch (error) {
      fail(error);
    }
  }

  function closeTicket() {
    state.ticket = null;
    $("ac-ticket").hidden = true;
    renderTickets();
    renderLinkButtons();
  }

  function listen() {
    const source = new EventSource("/agent/api/events");
    source.addEventListener("snapshot", (e) => {
      state.tickets = new Map(JSON.parse(e.data).items.map((item) => [item.number, item]));
      renderTickets();
    });
    source.addEventListener("ticket", (e) => {
      const item = JSON.parse(e.data);
      const known = state.tickets.has(item.number);
      if (item.status === "open") state.tickets.set(item.number, item);
      else state.tickets.delete(item.number);
      if (!known && item.status === "open") announce(fill(t().newTicket, { n: item.number }));
      if (state.ticket && state.ticket.number === item.number && item.status === "open") {
        Object.assign(state.ticket, item);
        renderTicket(state.ticket);
      }
      renderTickets();
    });
    source.addEventListener("message", (e) => {
      const m = JSON.parse(e.data);
      if (state.ticket && state.ticket.number === m.number) {
        state.ticket.messages = (state.ticket.messages || []).concat([{ who: "citizen", text: m.text }]);
        addLine("citizen", m.text);
      } else {
        state.unread.add(m.number);
        renderTickets();
      }
      announce(fill(t().newMessage, { n: m.number }));
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) window.setTimeout(listen, 3000); // the browser retries while CONNECTING itself
    });
  }

  /* ---------- keyboard ---------- */
  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
  }

  function moveIn(buttons, current, delta) {
    if (!buttons.length) return;
    const i = buttons.indexOf(current);
    const next = i < 0 ? (delta > 0 ? 0 : buttons.length - 1) : Math.max(0, Math.min(buttons.length - 1, i + delta));
    buttons[next].focus();
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/" && !typing(target)) {
      event.preventDefault();
      $("ac-search").focus();
      $("ac-search").select();
    } else if (event.key === "Escape") {
      if (!$("ac-service").hidden && !$("ac-ticket").contains(target)) {
        event.preventDefault();
        showResults();
        const buttons = resultButtons();
        (buttons[state.lastIndex] || $("ac-search")).focus();
      } else if (!$("ac-ticket").hidden && $("ac-ticket").contains(target)) {
        event.preventDefault();
        closeTicket();
        const item = document.querySelector(".ac-ticket-item");
        (item || $("ac-search")).focus();
      } else if (target === $("ac-search")) {
        $("ac-search").value = "";
        state.results = [];
        renderResults();
      }
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && (target === $("ac-search") || (target.classList && target.classList.contains("ac-result")))) {
      event.preventDefault();
      moveIn(resultButtons(), target, event.key === "ArrowDown" ? 1 : -1);
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && target.classList && target.classList.contains("ac-ticket-item")) {
      event.preventDefault();
      moveIn(Array.from(document.querySelectorAll(".ac-ticket-item")), target, event.key === "ArrowDown" ? 1 : -1);
    } else if ((event.key === "c" || event.key === "C") && !typing(target)) {
      event.preventDefault();
      copyAnswer();
    }
  });

  /* ---------- start ---------- */
  $("ac-search").addEventListener("input", scheduleSearch);
  $("ac-back").addEventListener("click", () => {
    showResults();
    (resultButtons()[state.lastIndex] || $("ac-search")).focus();
  });
  $("ac-copy").addEventListener("click", copyAnswer);
  $("ac-district").addEventListener("change", () => state.service && openService(state.service.id, state.lastIndex));
  $("ac-subject").addEventListener("change", () => {
    if (chooseSubject($("ac-subject").value) && state.service && state.service.has_eligibility) assess();
  });
  $("ac-caller-lang").addEventListener("change", () => state.service && !$("ac-service").hidden && openService(state.service.id, state.lastIndex));
  $("ac-link-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendLink({ phone: $("ac-phone").value });
  });
  $("ac-take").addEventListener("click", take);
  $("ac-resolve").addEventListener("click", resolve);
  $("ac-ticket-close").addEventListener("click", closeTicket);
  $("ac-reply-form").addEventListener("submit", reply);
  $("ac-lang").addEventListener("click", () => {
    state.ui = state.ui === "zh" ? "en" : "zh";
    try {
      localStorage.setItem("ac:lang", state.ui);
    } catch (e) {
      /* private mode: the choice lasts for this page only */
    }
    applyLanguage();
  });
  $("ac-logout").addEventListener("click", async () => {
    try {
      await api("POST", "/agent/logout");
    } finally {
      location.reload();
    }
  });

  api("GET", "/agent/api/session")
    .then((session) => {
      state.csrf = session.csrf_token;
      state.agent = session.agent;
      state.role = session.role;
      $("ac-who").textContent = session.agent + " (" + session.role + ")";
      $("ac-insights").hidden = session.role !== "supervisor";
      applyLanguage();
      listen();
      document.body.dataset.ready = "true";
    })
    .catch(fail);
})();
