/* Citizen service assistant: the web chat widget (docs/widget.md).
 *
 * Embed: <script src="https://catalogue.example/widget.js" data-server="https://rasa.example" data-lang="auto"></script>
 * Talks to Rasa's socket.io channel with a minimal Engine.IO v4 / Socket.IO v5 client over one WebSocket.
 * Plain DOM, ES2017, no libraries. Every bot or user string goes through textContent, never HTML,
 * and no inline script or style is needed, so it runs under `script-src 'self'; style-src 'self'`.
 */
(function () {
  "use strict";
  if (window.__citizenServiceWidget) return;
  window.__citizenServiceWidget = true;

  const script = document.currentScript || document.querySelector('script[src$="widget.js"]');
  const scriptUrl = new URL((script && script.src) || "/widget.js", location.href);
  const server = ((script && script.getAttribute("data-server")) || scriptUrl.origin).trim().replace(/\/+$/, "");
  const langSetting = ((script && script.getAttribute("data-lang")) || "auto").trim().toLowerCase();
  const KEY = "csw:" + server + ":";
  const MAX_LOG = 100;
  const TYPING_MS = 15000;
  const CARD_WAIT_MS = 800; // how long a card-header text waits for its structured card
  const LAUNCHER_TEXT = "智能客服 · Ask";

  const T = {
    zh: {
      launcher: LAUNCHER_TEXT + "：打开一网通办智能客服",
      dialog: "一网通办智能客服",
      title: "一网通办智能客服",
      langButton: "中文 / EN：切换为英文界面 (Switch to English)",
      close: "关闭智能客服",
      log: "对话记录",
      input: "输入您的问题",
      placeholder: "请说说您要办理的事情…",
      send: "发送",
      welcome: "您好！我是一网通办智能客服。请说说您遇到的事情，例如“孩子刚出生怎么报户口”。",
      connecting: "正在连接智能客服…",
      offline: "连接已断开，正在重新连接…暂时无法发送消息。",
      typing: "客服正在输入",
      you: "您说：",
      bot: "客服说：",
      replies: "可选回复",
      newTab: "（在新标签页打开）",
      image: "图片",
      rate: "评价这个回答",
      rateUp: "有用：这个回答对我有帮助",
      rateDown: "没用：这个回答对我没有帮助",
      rated: "已评价，谢谢！",
      card: { documents: "所需材料", cost: "费用", time: "办理时限", where: "办理地点", online: "网上办理" },
      hours: "办公时间：",
      phone: "电话：",
    },
    en: {
      launcher: LAUNCHER_TEXT + ": open the one-stop service assistant",
      dialog: "One-stop service assistant",
      title: "One-stop Service Assistant",
      langButton: "中文 / EN: switch to Chinese (切换为中文)",
      close: "Close the assistant",
      log: "Conversation",
      input: "Your question",
      placeholder: "What do you need to do?",
      send: "Send",
      welcome: "Hello! Tell me what is going on, for example \u201cI lost my job last week\u201d, and I\u2019ll find the right public service.",
      connecting: "Connecting to the assistant…",
      offline: "You are offline. Reconnecting… Messages cannot be sent until then.",
      typing: "The assistant is typing",
      you: "You said: ",
      bot: "Assistant said: ",
      replies: "Suggested replies",
      newTab: " (opens in a new tab)",
      image: "Image",
      rate: "Rate this answer",
      rateUp: "Useful: this answer helped me",
      rateDown: "Not useful: this answer did not help me",
      rated: "Rated, thank you!",
      card: { documents: "Documents", cost: "Cost", time: "Processing time", where: "Where", online: "Apply online" },
      hours: "Hours: ",
      phone: "Phone: ",
    },
  };

  /* ---------- storage (may be unavailable: private mode, sandboxed frames) ---------- */
  const store = {
    get(k) {
      try {
        return JSON.parse(localStorage.getItem(KEY + k));
      } catch (e) {
        return null;
      }
    },
    set(k, v) {
      try {
        localStorage.setItem(KEY + k, JSON.stringify(v));
      } catch (e) {
        /* storage full or disabled: the widget still works, without memory */
      }
    },
    del(k) {
      try {
        localStorage.removeItem(KEY + k);
      } catch (e) {
        /* ignore */
      }
    },
  };

  function pickLang() {
    const saved = store.get("lang");
    if (saved === "zh" || saved === "en") return saved;
    if (langSetting === "zh" || langSetting === "en") return langSetting;
    return /^zh/i.test(document.documentElement.getAttribute("lang") || "") ? "zh" : "en";
  }

  let lang = pickLang();
  // The server issues the session id, signed and with an expiry: "<conversation>.<expiry>.<signature>".
  // It is renewed on every connection (same conversation, later expiry); only the server's word counts.
  let sessionId = typeof store.get("session") === "string" ? store.get("session") : null;
  let log = [];
  function conversationOf(id) {
    return id ? String(id).split(".")[0] : "";
  }
  if (sessionId) {
    const saved = store.get("log:" + conversationOf(sessionId));
    if (Array.isArray(saved)) log = saved.slice(-MAX_LOG);
  }

  /* ---------- small helpers ---------- */
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function str(v) {
    return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
  }
  function safeUrl(u) {
    try {
      const url = new URL(str(u));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }
  function safeImage(u) {
    return /^data:image\/(png|gif|jpeg|webp);base64,[a-z0-9+/=]+$/i.test(str(u)) ? str(u) : safeUrl(u);
  }
  function textLang(text) {
    return /[\u3400-\u9fff]/.test(text) ? "zh-CN" : "en";
  }
  function parseJSON(s) {
    try {
      return JSON.parse(s);
    } catch (e) {
      return undefined;
    }
  }
  function link(url, text, cls) {
    const a = el("a", cls, text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    const hint = a.appendChild(el("span", "csw-sr csw-newtab", T[lang].newTab));
    hint.lang = lang === "zh" ? "zh-CN" : "en";
    return a;
  }

  // Bot text with http(s) URLs turned into links; everything else stays text.
  const URL_RE = /https?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff5e]+/gi;
  function appendLinkified(parent, text) {
    let last = 0;
    text.replace(URL_RE, function (match, offset) {
      const trimmed = match.replace(/[.,;:!?)\]}*]+$/, "");
      const url = safeUrl(trimmed);
      if (!url) return match;
      if (offset > last) parent.appendChild(document.createTextNode(text.slice(last, offset)));
      parent.appendChild(link(url, trimmed, "csw-inline-link"));
      last = offset + trimmed.length;
      return match;
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /* ---------- DOM ---------- */
  const root = el("div", "csw-root");
  root.hidden = true; // shown once widget.css has loaded, so no unstyled flash

  const launcher = el("button", "csw-launcher");
  launcher.type = "button";
  launcher.id = "csw-launcher";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "csw-panel");
  launcher.appendChild(el("span", "csw-launcher-icon")).setAttribute("aria-hidden", "true");
  launcher.appendChild(el("span", "csw-launcher-text", LAUNCHER_TEXT));

  const panel = el("div", "csw-panel");
  panel.id = "csw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");

  const header = el("div", "csw-header");
  const title = el("h2", "csw-title");
  title.id = "csw-title";
  const langButton = el("button", "csw-lang");
  langButton.type = "button";
  const langZh = el("span", "csw-lang-zh", "中文");
  langZh.lang = "zh-CN";
  const langEn = el("span", "csw-lang-en", "EN");
  langEn.lang = "en";
  langButton.appendChild(langZh);
  langButton.appendChild(el("span", "csw-lang-sep", " / ")).setAttribute("aria-hidden", "true");
  langButton.appendChild(langEn);
  const closeButton = el("button", "csw-close");
  closeButton.type = "button";
  closeButton.appendChild(el("span", "csw-close-x", "\u00d7")).setAttribute("aria-hidden", "true");
  header.appendChild(title);
  header.appendChild(langButton);
  header.appendChild(closeButton);

  const status = el("div", "csw-status");
  status.setAttribute("role", "status");

  const logBox = el("div", "csw-log");
  logBox.setAttribute("role", "log");
  logBox.setAttribute("aria-live", "polite");
  logBox.setAttribute("aria-relevant", "additions");
  logBox.tabIndex = 0; // scrollable region must be reachable by keyboard
  const welcome = el("p", "csw-welcome");

  const typing = el("div", "csw-typing");
  typing.hidden = true;
  const typingText = el("span", "csw-sr");
  typing.appendChild(typingText);
  for (let i = 0; i < 3; i++) typing.appendChild(el("span", "csw-dot")).setAttribute("aria-hidden", "true");

  const form = el("form", "csw-form");
  form.noValidate = true;
  const label = el("label", "csw-sr");
  label.htmlFor = "csw-input";
  const input = el("input", "csw-input");
  input.id = "csw-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 1000;
  const sendButton = el("button", "csw-send");
  sendButton.type = "submit";
  sendButton.disabled = true;
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(status);
  panel.appendChild(logBox);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  /* ---------- rendering transcript entries ---------- */
  // Entry shapes (stored as JSON in localStorage, never as HTML):
  //   {from: "user", text}   {from: "bot", text, buttons?: [{title, payload}]}
  //   {from: "bot", card: {...service_card}}   {from: "bot", link: {url, label}}   {from: "bot", image: {src}}
  //   {from: "bot", text, rate: [{title, payload}], rated?: true}   (👍/👎 or the reasons after a 👎)
  let nodes = [];

  function whoSpan(from) {
    return el("span", "csw-sr csw-who csw-who-" + from, from === "user" ? T[lang].you : T[lang].bot);
  }

  function renderButtons(parent, buttons) {
    const group = el("div", "csw-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", T[lang].replies);
    buttons.forEach(function (b) {
      const button = el("button", "csw-reply", b.title);
      button.type = "button";
      button.lang = textLang(b.title);
      button.disabled = !online;
      button.addEventListener("click", function () {
        if (send(b.payload, b.title)) input.focus();
      });
      group.appendChild(button);
    });
    parent.appendChild(group);
  }

  // Feedback buttons (payload "/feedback{...answer_id...}", actions/feedback.py): one rating per
  // answer, so once any of an answer's buttons is pressed, all of them give way to "Rated".
  const FEEDBACK = "/feedback";
  function isFeedback(buttons) {
    return buttons.every(function (b) {
      return b.payload.indexOf(FEEDBACK) === 0;
    });
  }
  function answerOf(payload) {
    const p = parseJSON(str(payload).slice(FEEDBACK.length));
    return p && typeof p === "object" && typeof p.answer_id === "string" ? p.answer_id : null;
  }
  function ratingLabel(b) {
    const p = parseJSON(str(b.payload).slice(FEEDBACK.length)) || {};
    if (p.reason === undefined && p.rating === "up") return T[lang].rateUp;
    if (p.reason === undefined && p.rating === "down") return T[lang].rateDown;
    return b.title;
  }
  function markRated(answer) {
    log.forEach(function (entry, i) {
      const rates = entry.rate && !entry.rated && entry.rate.some(function (b) {
        return answerOf(b.payload) === answer;
      });
      if (!rates) return;
      entry.rated = true;
      const node = render(entry);
      nodes[i].replaceWith(node);
      nodes[i] = node;
    });
    save();
  }

  function renderRating(parent, entry) {
    const box = el("div", "csw-feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", T[lang].rate);
    const text = str(entry.text);
    if (text) {
      const q = box.appendChild(el("p", "csw-feedback-q", text));
      q.lang = textLang(text);
    }
    if (entry.rated) {
      box.appendChild(el("p", "csw-feedback-done", T[lang].rated));
    } else {
      entry.rate.forEach(function (b) {
        const button = el("button", "csw-rate", b.title);
        button.type = "button";
        button.lang = textLang(b.title);
        button.setAttribute("aria-label", ratingLabel(b));
        button.disabled = !online;
        button.addEventListener("click", function () {
          const answer = answerOf(b.payload);
          // A 👎 without a reason only asks why: the answer stays open until the reason (or "skip").
          const final = (parseJSON(b.payload.slice(FEEDBACK.length)) || {}).rating !== "down" || b.payload.indexOf('"reason"') > 0;
          if (send(b.payload, b.title)) {
            if (final && answer) markRated(answer);
            else if (answer) hideRating(entry);
            input.focus();
          }
        });
        box.appendChild(button);
      });
    }
    parent.appendChild(box);
  }
  function hideRating(entry) {
    const i = log.indexOf(entry);
    if (i < 0) return;
    entry.rated = true;
    const node = render(entry);
    nodes[i].replaceWith(node);
    nodes[i] = node;
    save();
  }

  function renderCard(parent, c) {
    const cardLang = c.lang === "en" ? "en" : "zh";
    const L = Object.assign({}, T[cardLang].card, c.labels || {});
    const box = el("article", "csw-card");
    box.lang = cardLang === "zh" ? "zh-CN" : "en";
    box.appendChild(el("h3", "csw-card-title", str(c.title)));
    if (str(c.summary)) box.appendChild(el("p", "csw-card-summary", str(c.summary)));
    const dl = el("dl", "csw-card-facts");
    function row(term, value) {
      dl.appendChild(el("dt", null, str(term)));
      const dd = el("dd");
      if (typeof value === "string") dd.textContent = value;
      else dd.appendChild(value);
      dl.appendChild(dd);
    }
    const docs = Array.isArray(c.documents) ? c.documents.map(str).filter(Boolean) : [];
    if (docs.length) {
      const ul = el("ul", "csw-card-docs");
      docs.forEach(function (d) {
        ul.appendChild(el("li", null, d));
      });
      row(L.documents, ul);
    }
    if (str(c.cost)) row(L.cost, str(c.cost));
    if (str(c.processing_time)) row(L.time, str(c.processing_time));
    const w = c.where && typeof c.where === "object" ? c.where : null;
    if (w) {
      const where = el("div", "csw-card-where");
      if (str(w.name)) where.appendChild(el("strong", null, str(w.name)));
      if (str(w.address)) where.appendChild(el("span", null, str(w.address)));
      if (str(w.hours)) where.appendChild(el("span", null, T[cardLang].hours + str(w.hours)));
      if (str(w.phone)) where.appendChild(el("span", null, T[cardLang].phone + str(w.phone)));
      row(L.where, where);
    }
    box.appendChild(dl);
    const url = safeUrl(c.online_url);
    if (url) box.appendChild(link(url, str(L.online) || T[cardLang].card.online, "csw-apply"));
    parent.appendChild(box);
  }

  function render(entry) {
    const from = entry.from === "user" ? "user" : "bot";
    const item = el("div", "csw-msg csw-" + from);
    item.appendChild(whoSpan(from));
    if (entry.card && typeof entry.card === "object") {
      item.classList.add("csw-has-card");
      renderCard(item, entry.card);
    } else if (entry.link && safeUrl(entry.link.url)) {
      item.classList.add("csw-has-link");
      const label = str(entry.link.label) || safeUrl(entry.link.url);
      const a = link(safeUrl(entry.link.url), label, "csw-handoff");
      a.lang = textLang(label);
      item.appendChild(a);
    } else if (Array.isArray(entry.rate) && entry.rate.length) {
      item.classList.add("csw-has-feedback");
      renderRating(item, entry);
    } else if (entry.image && safeImage(entry.image.src)) {
      const img = el("img", "csw-image");
      img.src = safeImage(entry.image.src);
      img.alt = str(entry.image.alt) || T[lang].image;
      item.appendChild(img);
    } else {
      const text = str(entry.text);
      const bubble = el("div", "csw-bubble");
      bubble.lang = textLang(text);
      if (from === "bot") appendLinkified(bubble, text);
      else bubble.textContent = text;
      if (text) item.appendChild(bubble);
      if (Array.isArray(entry.buttons) && entry.buttons.length) renderButtons(item, entry.buttons);
    }
    return item;
  }

  function showWelcome() {
    if (!log.length && !welcome.parentNode) logBox.appendChild(welcome);
    if (log.length && welcome.parentNode) welcome.remove();
  }

  function scrollDown() {
    logBox.scrollTop = logBox.scrollHeight;
  }

  // A tall message (a service card) is shown from its top, with a short message before it (the
  // question) still in view; anything else scrolls to the end.
  function scrollToNode(node) {
    const room = logBox.clientHeight;
    if (node.offsetHeight <= room * 0.8) return scrollDown();
    const prev = node.previousElementSibling;
    const top = prev && prev.offsetHeight < room * 0.25 ? prev : node;
    logBox.scrollTop = top.offsetTop - 8;
  }

  function save() {
    if (sessionId) store.set("log:" + conversationOf(sessionId), log);
  }

  function add(entry) {
    let node;
    try {
      node = render(entry);
    } catch (e) {
      return; // a malformed entry is dropped, not fatal
    }
    hideTyping();
    log.push(entry);
    nodes.push(node);
    while (log.length > MAX_LOG) {
      log.shift();
      nodes.shift().remove();
    }
    showWelcome();
    logBox.appendChild(node);
    save();
    scrollToNode(node);
  }

  function renderAll() {
    nodes.forEach(function (n) {
      n.remove();
    });
    nodes = [];
    const kept = [];
    log.forEach(function (entry) {
      try {
        const n = render(entry);
        nodes.push(n);
        kept.push(entry);
        logBox.appendChild(n);
      } catch (e) {
        /* skip corrupt stored entry */
      }
    });
    log = kept;
    showWelcome();
  }

  /* ---------- incoming bot messages ---------- */
  // Rasa sends a service card twice: as text ("【title】…" or "** title ** …") and then as a custom
  // payload. A text that looks like a card header waits briefly; if the card with the same title
  // follows, the card replaces it.
  const HEAD_RE = /^\s*(?:【([^】\n]+)】|\*\*\s*(.+?)\s*\*\*)/;
  let pending = null;

  function headTitle(text) {
    const m = HEAD_RE.exec(str(text));
    return m ? (m[1] || m[2]).trim() : null;
  }

  function flushPending() {
    if (!pending) return;
    const entry = pending.entry;
    clearTimeout(pending.timer);
    pending = null;
    add(entry);
  }

  function addBotText(entry) {
    flushPending();
    const t = entry.buttons ? null : headTitle(entry.text);
    if (t) pending = { entry: entry, title: t, timer: setTimeout(flushPending, CARD_WAIT_MS) };
    else add(entry);
  }

  function addCard(card) {
    const t = str(card.title).trim();
    if (pending && pending.title === t) {
      clearTimeout(pending.timer);
      pending = null;
    } else {
      flushPending();
      const last = log[log.length - 1];
      if (last && last.from === "bot" && !last.buttons && typeof last.text === "string" && headTitle(last.text) === t) {
        log.pop();
        nodes.pop().remove();
      }
    }
    add({ from: "bot", card: card });
  }

  function normButtons(list) {
    if (!Array.isArray(list)) return null;
    const out = [];
    list.slice(0, 20).forEach(function (b) {
      if (!b || typeof b !== "object") return;
      const title = str(b.title) || str(b.label);
      const payload = str(b.payload) || str(b.value) || title;
      if (title && payload) out.push({ title: title, payload: payload });
    });
    return out.length ? out : null;
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    let d = data;
    if (d.custom && typeof d.custom === "object" && d.text === undefined) d = d.custom;
    if (d.data && typeof d.data === "object" && d.text === undefined) d = d.data; // custom payload wrapped as {data}
    if (d.type === "service_card") return addCard(d);
    if (d.type === "handoff_link") {
      flushPending();
      if (safeUrl(d.url)) add({ from: "bot", link: { url: str(d.url), label: str(d.label) } });
      return;
    }
    if (d.attachment && typeof d.attachment === "object") {
      flushPending();
      const a = d.attachment;
      const p = a.payload && typeof a.payload === "object" ? a.payload : {};
      const src = safeUrl(p.src || p.url);
      const image = safeImage(p.src || p.url);
      if (a.type === "image" && image) add({ from: "bot", image: { src: image, alt: str(p.alt || p.title) } });
      else if (src) add({ from: "bot", link: { url: src, label: str(p.title || p.name) } });
      return;
    }
    const text = str(d.text) || (d.type === "question" ? str(d.question) : "");
    const buttons = normButtons(d.quick_replies) || normButtons(d.buttons) || (d.type === "question" ? normButtons(d.options) : null);
    if (!text && !buttons) return;
    const entry = { from: "bot", text: text };
    if (buttons && isFeedback(buttons)) {
      entry.rate = buttons;
      flushPending();
      return add(entry);
    }
    if (buttons) entry.buttons = buttons;
    addBotText(entry);
  }

  /* ---------- typing indicator ---------- */
  let typingTimer = 0;
  function showTyping() {
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_MS);
    scrollDown();
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  /* ---------- Socket.IO over a bare WebSocket (Engine.IO v4) ---------- */
  let ws = null;
  let online = false;
  let attempt = 0; // failed connection attempts in a row
  let retryTimer = 0;
  let aliveTimer = 0;
  let aliveWindow = 45000;

  function setOnline(value) {
    online = value;
    if (value) attempt = 0;
    sendButton.disabled = !value;
    logBox.querySelectorAll(".csw-reply, .csw-rate").forEach(function (b) {
      b.disabled = !value;
    });
    if (!value) hideTyping();
    showStatus();
  }

  function showStatus() {
    const text = online || (!ws && !retryTimer) ? "" : attempt ? T[lang].offline : T[lang].connecting;
    if (status.textContent !== text) status.textContent = text;
    status.classList.toggle("csw-status-offline", text === T[lang].offline);
  }

  function keepAlive(ms) {
    clearTimeout(aliveTimer);
    aliveTimer = setTimeout(function () {
      if (ws) ws.close();
    }, ms);
  }

  function emit(event, data) {
    if (!ws || ws.readyState !== 1) return false;
    ws.send("42" + JSON.stringify([event, data]));
    return true;
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (ws) return;
    let sock;
    try {
      sock = new WebSocket(server.replace(/^http/i, "ws") + "/socket.io/?EIO=4&transport=websocket");
    } catch (e) {
      attempt++;
      scheduleReconnect();
      return;
    }
    ws = sock;
    showStatus();
    keepAlive(20000);
    sock.onmessage = function (ev) {
      if (ws === sock && typeof ev.data === "string") onPacket(sock, ev.data);
    };
    sock.onerror = function () {
      try {
        sock.close();
      } catch (e) {
        /* already closing */
      }
    };
    sock.onclose = function () {
      if (ws !== sock) return;
      ws = null;
      attempt++;
      clearTimeout(aliveTimer);
      setOnline(false);
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    clearTimeout(retryTimer);
    const base = Math.min(30000, 1000 * Math.pow(2, Math.max(0, attempt - 1))); // 1 s, 2 s, 4 s … 30 s
    const delay = Math.min(30000, base * (0.75 + Math.random() * 0.5));
    retryTimer = setTimeout(connect, delay);
    showStatus();
  }

  function onPacket(sock, p) {
    const type = p.charAt(0);
    if (type === "0") {
      const open = parseJSON(p.slice(1)) || {};
      aliveWindow = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
      keepAlive(aliveWindow);
      sock.send("40");
    } else if (type === "2") {
      keepAlive(aliveWindow);
      sock.send("3");
    } else if (type === "1") {
      sock.close();
    } else if (type === "4") {
      onSocketPacket(sock, p.slice(1));
    }
  }

  function onSocketPacket(sock, p) {
    const type = p.charAt(0);
    let rest = p.slice(1);
    if (rest.charAt(0) === "/") {
      const comma = rest.indexOf(",");
      if (comma < 0 || rest.slice(0, comma) !== "/") return; // another namespace
      rest = rest.slice(comma + 1);
    }
    rest = rest.replace(/^\d+/, ""); // ack id
    if (type === "0") {
      emit("session_request", { session_id: sessionId });
    } else if (type === "2") {
      const args = parseJSON(rest);
      if (Array.isArray(args)) onEvent(args[0], args[1]);
    } else if (type === "1" || type === "4") {
      sock.close();
    }
  }

  function onEvent(name, data) {
    if (name === "session_confirm") {
      const id = typeof data === "string" ? data : data && str(data.session_id);
      if (id) setSession(id);
      setOnline(true);
    } else if (name === "bot_uttered") {
      onBotMessage(data);
    }
  }

  function setSession(id) {
    if (id === sessionId) return;
    if (sessionId && conversationOf(id) !== conversationOf(sessionId)) {
      store.del("log:" + conversationOf(sessionId)); // the server started a new conversation
      log = [];
      renderAll();
    }
    sessionId = id;
    store.set("session", id);
    save();
  }

  function send(payload, shown) {
    if (!online || !payload) return false;
    if (!emit("user_uttered", { message: payload, session_id: sessionId })) return false;
    if (shown !== null) {
      flushPending();
      add({ from: "user", text: shown });
      showTyping();
    }
    return true;
  }

  /* ---------- UI language ---------- */
  function applyLang() {
    const t = T[lang];
    root.lang = lang === "zh" ? "zh-CN" : "en";
    launcher.setAttribute("aria-label", t.launcher);
    panel.setAttribute("aria-label", t.dialog);
    title.textContent = t.title;
    langButton.setAttribute("aria-label", t.langButton);
    langZh.classList.toggle("csw-lang-current", lang === "zh");
    langEn.classList.toggle("csw-lang-current", lang === "en");
    closeButton.setAttribute("aria-label", t.close);
    logBox.setAttribute("aria-label", t.log);
    label.textContent = t.input;
    input.placeholder = t.placeholder;
    sendButton.textContent = t.send;
    welcome.textContent = t.welcome;
    typingText.textContent = t.typing;
    root.querySelectorAll(".csw-who-user").forEach(function (s) {
      s.textContent = t.you;
    });
    root.querySelectorAll(".csw-who-bot").forEach(function (s) {
      s.textContent = t.bot;
    });
    root.querySelectorAll(".csw-newtab").forEach(function (s) {
      s.textContent = t.newTab;
      s.lang = root.lang;
    });
    root.querySelectorAll(".csw-replies").forEach(function (g) {
      g.setAttribute("aria-label", t.replies);
    });
    root.querySelectorAll(".csw-feedback").forEach(function (g) {
      g.setAttribute("aria-label", t.rate);
    });
    showStatus();
  }

  /* ---------- open, close, keyboard ---------- */
  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("csw-open");
    scrollDown();
    input.focus();
    if (!ws && !retryTimer) connect();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("csw-open");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      ev.preventDefault();
      close();
    }
  });
  langButton.addEventListener("click", function () {
    lang = lang === "zh" ? "en" : "zh";
    store.set("lang", lang);
    applyLang();
    send('/switch_language{"lang":"' + lang + '"}', null);
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    const text = input.value.trim();
    if (text && send(text, text)) input.value = "";
  });
  window.addEventListener("online", function () {
    if (!ws && retryTimer) {
      attempt = 0;
      connect();
    }
  });

  /* ---------- start ---------- */
  applyLang();
  renderAll();
  const css = el("link");
  css.rel = "stylesheet";
  css.href = new URL("/static/widget.css", scriptUrl).href;
  let shown = false;
  function reveal() {
    if (shown) return;
    shown = true;
    root.hidden = false;
  }
  css.addEventListener("load", reveal);
  css.addEventListener("error", reveal);
  setTimeout(reveal, 3000);
  document.head.appendChild(css);
  (document.body || document.documentElement).appendChild(root);
})();
