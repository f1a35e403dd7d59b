/* Ombud chat widget: <script src="https://help.example/widget.js" async></script>
   Optional attributes: data-lang, data-user-email, data-user-name, data-user-hash
   (identified visitors: HMAC-SHA256 of the email with the widget's secret) or
   data-user-jwt (an HS256 token signed with that secret: email, name, exp),
   data-transport="poll" (skip the WebSocket), data-cart-value (for proactive
   invitations; or window.Ombud.set({cartValue: 120}) later). No framework, no requests
   anywhere but the Ombud server the script came from. docs/chat.md */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || window.__ombudChat) return;
  window.__ombudChat = true;
  var src = new URL(me.src, location.href);
  var base = src.origin + src.pathname.replace(/\/widget\.js$/, "");
  var ds = me.dataset;
  var key = "ombud-chat@" + base;
  var st = load();
  var cfg = null, S = {};
  var mode = ds.transport === "poll" || !window.WebSocket ? "poll" : "ws";
  var sock = null, wsFails = 0, retryIn = 1000, retryTimer = 0, polling = false, online = true;
  var seen = {}, inflight = {}, agentTyping = false, typingSent = 0, typingTimer = 0, readSent = 0;
  var conv = { state: "", agent: "", agentRead: 0 };
  var host, root, el = {};
  var loadedAt = Date.now(), inv = { cur: 0, msg: "", timers: [] };
  var begun = false, away = false;
  window.Ombud = window.Ombud || {};
  inv.cart = +window.Ombud.cartValue || +ds.cartValue || 0;
  window.Ombud.set = function (o) {
    if (o && o.cartValue !== undefined) { inv.cart = +o.cartValue || 0; if (cfg) invite(); }
  };

  function load() {
    try { var v = JSON.parse(localStorage.getItem(key)); if (v && typeof v === "object") return v; } catch (e) { /* private mode */ }
    return { token: "", seq: 0, outbox: [], open: false };
  }
  function save() { try { localStorage.setItem(key, JSON.stringify(st)); } catch (e) { /* ignore */ } }
  function sget(k) { try { return sessionStorage.getItem(key + k); } catch (e) { return null; } }
  function sset(k, v) { try { sessionStorage.setItem(key + k, v); } catch (e) { /* ignore */ } }
  function t(id, arg) { var s = S[id] || id; return arg === undefined ? s : s.replace("%s", arg); }
  function h(tag, attrs, kids) {
    var n = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") n.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), attrs[k]);
      else n.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }
  function post(path, body) {
    return fetch(base + path, { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify(body), credentials: "omit" })
      .then(function (r) {
        if (r.status === 204) return {};
        return r.json().then(function (j) { return r.ok ? j : Promise.reject(j); });
      });
  }
  function cid() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function css(c, pos) {
    return ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,sans-serif}" +
      ".launch{position:fixed;bottom:20px;" + pos + ":20px;z-index:2147483000;border:0;border-radius:28px;padding:14px 20px;background:" + c + ";color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
      ".panel{position:fixed;bottom:84px;" + pos + ":20px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 110px);background:#fff;color:#1b1b1b;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden}" +
      ".panel[hidden]{display:none}header{background:" + c + ";color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center}" +
      "header button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}.body{flex:1;overflow:auto;padding:12px}" +
      "form{display:flex;flex-direction:column;gap:8px}label{font-weight:600}input,textarea,select{width:100%;padding:8px;border:1px solid #999;border-radius:6px}" +
      "button.go{background:" + c + ";color:#fff;border:0;border-radius:6px;padding:9px;cursor:pointer}button.link{background:none;border:0;color:" + c + ";cursor:pointer;padding:4px;text-decoration:underline}" +
      "ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}li{max-width:85%;padding:7px 10px;border-radius:10px;background:#eef0f3;align-self:flex-start;white-space:pre-wrap;word-wrap:break-word}" +
      "li.visitor{align-self:flex-end;background:" + c + ";color:#fff}li.system{align-self:center;background:none;color:#555;font-size:12px}li .who{display:block;font-size:11px;opacity:.8}" +
      "li .mark{display:block;font-size:11px;opacity:.85;text-align:right}li.pending{opacity:.65}.foot{border-top:1px solid #ddd;padding:8px;display:flex;flex-direction:column;gap:6px}" +
      ".row{display:flex;gap:6px}.row textarea{flex:1;height:42px;resize:none}.meta{font-size:12px;color:#555;min-height:16px}.notice{background:#fff7d6;padding:8px;border-radius:6px;margin-bottom:8px}" +
      ".err{color:#b00020;font-size:12px}.file img{display:block;max-width:100%;max-height:180px;border-radius:6px;margin:4px 0}" +
      "li a{color:inherit}.attach{cursor:pointer;padding:9px;border:1px solid #999;border-radius:6px;background:#fff;color:#1b1b1b}.attach input{display:none}" +
      ".drop{outline:3px dashed " + c + ";outline-offset:-6px}.invite{background:#eef4ff}";
  }

  function build() {
    host = h("div", { id: "ombud-chat" });
    root = host.attachShadow({ mode: "open" });
    var pos = cfg.position === "left" ? "left" : "right";
    root.appendChild(h("style", { text: css(cfg.color, pos) }));
    el.launch = h("button", { class: "launch", id: "launcher", type: "button", "aria-expanded": "false", text: t("title"), onclick: toggle });
    el.body = h("div", { class: "body", id: "body" });
    el.foot = h("div", { class: "foot", id: "foot", hidden: "" });
    el.panel = h("section", { class: "panel", id: "panel", role: "dialog", "aria-label": t("title"), hidden: "", lang: cfg.lang }, [
      h("header", {}, [h("strong", { text: t("title") }), h("button", { type: "button", "aria-label": t("close"), text: "×", onclick: toggle })]),
      el.body, el.foot]);
    root.appendChild(el.launch);
    root.appendChild(el.panel);
    document.body.appendChild(host);
  }

  function toggle() {
    if (!el.panel.hidden && inv.cur && !st.token) { report(inv.cur, "dismissed"); inv.cur = 0; }
    st.open = el.panel.hidden;
    save();
    show();
  }
  function show() {
    el.panel.hidden = !st.open;
    el.launch.setAttribute("aria-expanded", String(!!st.open));
    if (st.open) { render(); markRead(); }
  }

  function render() {
    if (st.token) return chatView();
    if (el.body.dataset.view === "form") return;
    el.body.textContent = "";
    el.foot.hidden = true;
    el.body.dataset.view = "form";
    if (cfg.can_chat) preChat(); else offline();
  }

  function field(id, label, type, value, area, opt) {
    var input = h(area ? "textarea" : "input", { id: id, name: id, "data-field": id.replace(/^leave-/, "") });
    if (!area) input.type = type;
    if (value) input.value = value;
    if (!opt) input.setAttribute("aria-required", "true");
    return [h("label", { for: id, text: opt ? label + " " + t("optional") : label }), input];
  }
  function topicField(pc) {
    var opt = pc.topic !== "required";
    if (!(pc.topics || []).length) return field("topic", t("topic"), "", "", true, opt);
    var sel = h("select", { id: "topic", name: "topic", "data-field": "topic" }, [h("option", { value: "", text: t("chooseTopic") })]
      .concat(pc.topics.map(function (x) { return h("option", { value: x.label, text: x.label }); })));
    if (!opt) sel.setAttribute("aria-required", "true");
    return [h("label", { for: "topic", text: opt ? t("topic") + " " + t("optional") : t("topic") }), sel];
  }
  // errorLine shows the server's refusal beside each field it names, in
  // the visitor's language where the widget knows the words.
  var known = { "is required": "required", "must be an email address": "badEmail", "must be one of the topics": "badTopic" };
  function errorLine(form, e) {
    form.querySelectorAll(".err").forEach(function (n) { n.remove(); });
    var f = (e && e.error && e.error.fields) || {}, rest = [];
    Object.keys(f).forEach(function (k) {
      var txt = known[f[k]] ? t(known[f[k]]) : f[k], i = form.querySelector('[data-field="' + k + '"]');
      if (!i) return rest.push(txt);
      i.setAttribute("aria-invalid", "true");
      i.setAttribute("aria-describedby", "err-" + k);
      i.parentNode.insertBefore(h("p", { class: "err", id: "err-" + k, role: "alert", text: txt }), i.nextSibling);
    });
    if (rest.length || !Object.keys(f).length) form.appendChild(h("p", { class: "err", role: "alert", text: rest.join("; ") || t("error") }));
  }

  function preChat() {
    var pc = cfg.prechat || { name: "optional", topic: "required", topics: [] };
    var ident = ds.userJwt || (ds.userEmail && ds.userHash);
    var kids = [inv.cur ? h("p", { class: "notice invite", id: "invite", text: inv.msg }) : h("p", { text: cfg.greeting || t("greeting") })];
    if (!ident && pc.name !== "hidden") kids = kids.concat(field("name", t("name"), "text", ds.userName, false, pc.name !== "required"));
    if (!ident) kids = kids.concat(field("email", t("email"), "email", ds.userEmail));
    if (pc.topic !== "hidden") kids = kids.concat(topicField(pc));
    kids.push(h("button", { class: "go", id: "start", type: "submit", text: t("start") }));
    var form = h("form", { id: "prechat", novalidate: "", onsubmit: function (ev) {
      ev.preventDefault();
      var v = function (n) { var i = form.querySelector("#" + n); return i ? i.value : ""; };
      var body = { name: v("name"), email: v("email"), topic: v("topic"), language: cfg.lang, page: location.href, referrer: document.referrer };
      if (ds.userJwt) body.identity = { jwt: ds.userJwt };
      else if (ident) body.identity = { email: ds.userEmail, name: ds.userName || "", hash: ds.userHash };
      post("/widget/start", body).then(function (r) {
        st.token = r.token; st.seq = 0; st.outbox = []; save();
        if (inv.cur) { report(inv.cur, "accepted"); inv.cur = 0; }
        el.body.dataset.view = "";
        render(); connect();
      }, function (e) { errorLine(form, e); });
    } }, kids);
    el.body.appendChild(form);
  }

  function offline() {
    var reason = cfg.status && cfg.status.open === false ? t("closed") : t("busy");
    var form = h("form", { id: "leave", novalidate: "", onsubmit: function (ev) {
      ev.preventDefault();
      var v = function (n) { return form.querySelector("#" + n).value; };
      post("/widget/leave", { name: v("leave-name"), email: v("leave-email"), message: v("leave-message"), language: cfg.lang, page: location.href })
        .then(function () { el.body.textContent = ""; el.body.appendChild(h("p", { class: "notice", id: "left", text: t("left") })); },
          function (e) { errorLine(form, e); });
    } }, [h("p", { class: "notice", id: "reason", text: reason })]
      .concat(field("leave-name", t("name"), "text", ds.userName, false, true), field("leave-email", t("email"), "email", ds.userEmail),
        field("leave-message", t("message"), "", "", true), [h("button", { class: "go", type: "submit", id: "leave-send", text: t("leave") })]));
    el.body.appendChild(form);
  }

  function chatView() {
    if (el.body.dataset.view === "chat") return;
    el.body.dataset.view = "chat";
    el.body.textContent = "";
    el.log = h("ul", { id: "log", "aria-live": "polite" });
    el.body.appendChild(el.log);
    el.input = h("textarea", { id: "input", "aria-label": t("placeholder"), placeholder: t("placeholder"), oninput: typing, onkeydown: function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); send(); }
    } });
    el.meta = h("div", { class: "meta", id: "meta", "aria-live": "polite" });
    el.foot.textContent = "";
    el.foot.hidden = false;
    el.foot.appendChild(el.meta);
    var picker = h("input", { type: "file", id: "file", onchange: function () { if (picker.files[0]) upload(picker.files[0]); picker.value = ""; } });
    el.foot.appendChild(h("div", { class: "row" }, [el.input,
      (cfg.upload_types || []).length ? h("label", { class: "attach", id: "attach", title: t("attach"), "aria-label": t("attach") }, [document.createTextNode("\ud83d\udcce"), picker]) : null,
      h("button", { class: "go", id: "send", type: "button", text: t("send"), onclick: send })]));
    el.panel.ondragover = function (ev) { ev.preventDefault(); el.body.classList.add("drop"); };
    el.panel.ondragleave = function () { el.body.classList.remove("drop"); };
    el.panel.ondrop = function (ev) {
      ev.preventDefault(); el.body.classList.remove("drop");
      var f = ev.dataTransfer && ev.dataTransfer.files[0];
      if (f && st.token && (cfg.upload_types || []).length) upload(f);
    };
    el.foot.appendChild(h("div", { class: "row" }, [
      h("button", { class: "link", id: "transcript", type: "button", text: t("transcript"), onclick: transcript }),
      h("button", { class: "link", id: "end", type: "button", text: t("end"), onclick: end })]));
    seen = {};
    st.outbox.forEach(pendingLine);
    meta();
  }

  function line(m) {
    var li = h("li", { class: m.author, "data-seq": String(m.seq) });
    if (m.author === "system") {
      li.textContent = m.kind === "joined" ? t("joined", m.agent_name) : m.kind === "transferred" ? t("transferred") : t("ended");
      return li;
    }
    li.appendChild(h("span", { class: "who", text: m.author === "agent" ? m.agent_name : t("you") }));
    if (m.file) li.appendChild(fileView(m.file));
    else li.appendChild(document.createTextNode(m.body));
    if (m.author === "visitor") li.appendChild(h("span", { class: "mark" }));
    return li;
  }
  // fileView shows a message's file: an image preview, or a link, with
  // its name and size. The file is fetched with the visitor's token (in
  // the body, never in a URL) and shown from a blob URL.
  function fileView(f) {
    var size = t("kb", String(Math.max(1, Math.round(f.size / 1024))));
    var box = h("span", { class: "file", "data-file": String(f.id) });
    var link = h("a", { href: "#", download: f.name, text: f.name, title: t("download", f.name) });
    var get = function () {
      return fetch(base + "/widget/files/" + f.id, { method: "POST", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ token: st.token }), credentials: "omit" })
        .then(function (r) { if (!r.ok) throw r; return r.blob(); }).then(function (b) { return URL.createObjectURL(b); });
    };
    if (/^image\//.test(f.type)) get().then(function (u) { box.insertBefore(h("img", { src: u, alt: f.name }), box.firstChild); link.href = u; }, function () {});
    else link.onclick = function (ev) {
      if (link.getAttribute("href") !== "#") return;
      ev.preventDefault();
      get().then(function (u) { link.href = u; link.click(); }, function () {});
    };
    box.appendChild(link);
    box.appendChild(document.createTextNode(" (" + size + ")"));
    return box;
  }
  function upload(file) {
    var err = function (e) {
      var c = e && e.error && e.error.code;
      el.meta.textContent = c === "too_large" ? t("tooLarge", String(cfg.upload_max_mb)) : c === "unsupported" ? t("fileType") : t("error");
    };
    if (file.size > cfg.upload_max_mb * 1048576) return err({ error: { code: "too_large" } });
    var id = cid(), li = h("li", { class: "visitor pending", "data-cid": id, text: file.name });
    el.log.appendChild(li);
    var fd = new FormData();
    fd.append("token", st.token); fd.append("client_id", id); fd.append("file", file, file.name);
    fetch(base + "/widget/files", { method: "POST", body: fd, credentials: "omit" }).then(function (r) {
      return r.json().then(function (j) { return r.ok ? j : Promise.reject(j); }, function () { return Promise.reject({ error: { code: r.status === 413 ? "too_large" : "" } }); });
    }).then(function (u) { li.remove(); handle(u); }, function (e) { li.remove(); err(e); });
  }

  // Proactive invitations: a rule whose conditions hold opens the widget
  // with its message after its time on the page, once per visit.
  function glob(p, s) {
    return new RegExp("^" + p.split("*").map(function (x) { return x.replace(/[.+?^${}()|[\]\\\/]/g, "\\$&"); }).join(".*") + "$").test(s);
  }
  function urlOK(p) {
    if (!p) return true;
    return p.charAt(0) === "/" ? glob(p, location.pathname + location.search) || glob(p, location.pathname) : glob(p, location.href);
  }
  function invite() {
    inv.timers.forEach(clearTimeout);
    inv.timers = [];
    if (!cfg.can_chat || st.token || away || sget("inv")) return;
    (cfg.invitations || []).forEach(function (r) {
      if (!urlOK(r.url_pattern) || (r.returning_only && !(st.visits > 1)) || (r.min_cart && inv.cart < r.min_cart)) return;
      inv.timers.push(setTimeout(function () { showInvite(r); }, Math.max(0, r.min_seconds * 1000 - (Date.now() - loadedAt))));
    });
  }
  function showInvite(r) {
    if (sget("inv") || st.token || st.open) return;
    inv.timers.forEach(clearTimeout);
    sset("inv", String(r.id));
    inv.cur = r.id; inv.msg = r.message;
    report(r.id, "shown");
    el.body.dataset.view = "";
    st.open = true; save(); show();
  }
  function report(id, ev) { post("/widget/invitations/" + id, { event: ev }).catch(function () {}); }

  function pendingLine(o) {
    if (!el.log || el.log.querySelector('[data-cid="' + o.client_id + '"]')) return;
    var li = line({ author: "visitor", body: o.body, seq: 0 });
    li.removeAttribute("data-seq");
    li.classList.add("pending");
    li.setAttribute("data-cid", o.client_id);
    li.querySelector(".mark").textContent = t("sending");
    el.log.appendChild(li);
  }
  function add(m) {
    if (m.client_id && m.author === "visitor") {
      dropOutbox(m.client_id);
      var p = el.log && el.log.querySelector('[data-cid="' + m.client_id + '"]');
      if (p) p.remove();
    }
    if (seen[m.seq] || !el.log) return;
    seen[m.seq] = true;
    var li = line(m);
    var after = null;
    el.log.querySelectorAll("li[data-seq]").forEach(function (n) { if (!after && +n.dataset.seq > m.seq) after = n; });
    if (!after) after = el.log.querySelector("li.pending");
    el.log.insertBefore(li, after);
    if (m.kind === "ended") conv.state = "ended";
    marks();
    el.body.scrollTop = el.body.scrollHeight;
  }
  function marks() {
    if (!el.log) return;
    el.log.querySelectorAll("li.visitor[data-seq] .mark").forEach(function (n) {
      n.textContent = +n.parentNode.dataset.seq <= conv.agentRead ? t("read") : t("delivered");
    });
  }
  function meta() {
    if (!el.meta) return;
    var s = "";
    if (!online) s = t("offline");
    else if (agentTyping) s = t("typing", conv.agent || t("agent"));
    else if (conv.state === "queued") s = t("waiting");
    el.meta.textContent = s;
    if (conv.state === "ended" && !el.foot.querySelector("#again")) {
      el.foot.appendChild(h("button", { class: "go", id: "again", type: "button", text: t("again"), onclick: function () {
        closeSock(); st.token = ""; st.seq = 0; st.outbox = []; save(); el.body.dataset.view = ""; conv = { state: "", agent: "", agentRead: 0 }; render();
      } }));
    }
  }

  function dropOutbox(id) {
    var n = st.outbox.length;
    st.outbox = st.outbox.filter(function (o) { return o.client_id !== id; });
    delete inflight[id];
    if (st.outbox.length !== n) save();
  }

  // handle applies what the server sent: an ordered update (state, poll)
  // moves the resume point; an ack only confirms one message.
  function handle(u) {
    if (!u || !u.type) return;
    if (u.type === "ack") { if (u.message) add(u.message); return; }
    if (u.type === "typing") { agentTyping = !!u.typing; meta(); return; }
    if (u.type === "error") {
      if (u.error && u.error.code === "unauthenticated") { st.token = ""; save(); closeSock(); el.body.dataset.view = ""; render(); return; }
      if (u.client_id) delete inflight[u.client_id];
      return;
    }
    if (u.type === "state" || u.type === "poll") {
      conv.state = u.state; conv.agent = u.agent_name || ""; conv.agentRead = u.agent_read_seq || 0;
      (u.messages || []).forEach(function (m) { add(m); if (m.seq > st.seq) st.seq = m.seq; });
      if (u.type === "poll") agentTyping = !!u.typing;
      save(); marks(); meta(); markRead();
    }
  }

  function markRead() {
    if (!begun || away || !st.open || !st.token || st.seq <= readSent || document.hidden) return;
    readSent = st.seq;
    if (sock && sock.readyState === 1) sock.send(JSON.stringify({ type: "read", seq: st.seq }));
    else post("/widget/read", { token: st.token, seq: st.seq }).catch(function () { readSent = 0; });
  }

  function send() {
    var body = el.input.value;
    if (!body.trim()) return;
    var o = { client_id: cid(), body: body };
    st.outbox.push(o);
    save();
    el.input.value = "";
    pendingLine(o);
    el.body.scrollTop = el.body.scrollHeight;
    flush();
  }
  // flush sends every unacknowledged message; the server answers a client
  // id it has already stored with that message, so a resend never doubles.
  function flush() {
    st.outbox.forEach(function (o) {
      if (inflight[o.client_id]) return;
      if (sock && sock.readyState === 1) {
        inflight[o.client_id] = true;
        sock.send(JSON.stringify({ type: "send", client_id: o.client_id, body: o.body }));
      } else if (mode === "poll" && online) {
        inflight[o.client_id] = true;
        post("/widget/messages", { token: st.token, client_id: o.client_id, body: o.body }).then(handle, function () { delete inflight[o.client_id]; });
      }
    });
  }
  function typing() {
    var now = Date.now();
    if (now - typingSent > 2500) { typingSent = now; signalTyping(true); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingSent = 0; signalTyping(false); }, 3000);
  }
  function signalTyping(on) {
    if (sock && sock.readyState === 1) sock.send(JSON.stringify({ type: "typing", typing: on }));
    else if (st.token) post("/widget/typing", { token: st.token, typing: on }).catch(function () {});
  }
  function transcript() {
    post("/widget/transcript", { token: st.token }).then(function () { el.meta.textContent = t("transcriptOk"); },
      function () { el.meta.textContent = t("error"); });
  }
  function end() { post("/widget/end", { token: st.token }).catch(function () {}); }

  function setOnline(v) { online = v; meta(); }
  function closeSock() { if (sock) { var s = sock; sock = null; s.onclose = null; s.close(); } inflight = {}; }
  function retry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, retryIn);
    retryIn = Math.min(retryIn * 2, 10000);
  }
  function connect() {
    clearTimeout(retryTimer);
    if (!st.token || sock || away) return;
    if (mode === "ws") openWS(); else poll();
  }
  function openWS() {
    var ws = new WebSocket(base.replace(/^http/, "ws") + "/widget/ws");
    var opened = false;
    sock = ws;
    ws.onopen = function () {
      opened = true; wsFails = 0; retryIn = 1000;
      ws.send(JSON.stringify({ type: "hello", token: st.token, after: st.seq }));
      inflight = {};
      setOnline(true); flush();
    };
    ws.onmessage = function (ev) { try { handle(JSON.parse(ev.data)); } catch (e) { /* ignore a bad frame */ } };
    ws.onclose = function () {
      if (sock !== ws) return;
      sock = null; inflight = {}; setOnline(false);
      if (!opened && ++wsFails >= 2) mode = "poll";
      if (st.token) retry();
    };
  }
  function poll() {
    if (polling || !st.token || away) return;
    polling = true;
    post("/widget/poll", { token: st.token, after: st.seq, typing: agentTyping }).then(function (u) {
      polling = false; retryIn = 1000; setOnline(true); handle(u); flush(); poll();
    }, function (e) {
      polling = false; setOnline(false);
      if (e && e.error && e.error.code === "unauthenticated") return handle({ type: "error", error: e.error });
      retry();
    });
  }

  window.addEventListener("offline", function () { closeSock(); setOnline(false); });
  window.addEventListener("online", function () { retryIn = 1000; connect(); });
  document.addEventListener("visibilitychange", markRead);

  // The pages the widget appears on: on a page matching a show_on pattern
  // (any page when there are none) unless one of hide_on matches. Elsewhere
  // there is no button and no connection; single-page sites are checked
  // again when they change the address.
  function pageOK() {
    var any = function (l) { return (l || []).some(urlOK); };
    return (!(cfg.show_on || []).length || any(cfg.show_on)) && !any(cfg.hide_on);
  }
  function route() {
    away = !pageOK();
    if (!begun) { if (!away) begin(); return; }
    host.style.display = away ? "none" : "";
    if (away) { closeSock(); clearTimeout(retryTimer); inv.timers.forEach(clearTimeout); return; }
    connect(); invite();
    if (st.token) post("/widget/page", { token: st.token, page: location.href }).catch(function () {});
  }
  function begin() {
    begun = true;
    build();
    if (st.token) {
      // A new page shows the whole conversation again: it resumes from
      // the start, and the sequence numbers keep each message once.
      st.seq = 0;
      render(); connect();
      post("/widget/page", { token: st.token, page: location.href }).catch(function () {});
    }
    show();
    invite();
  }

  function start() {
    var want = ds.lang || (navigator.language || "en").slice(0, 2);
    fetch(base + "/widget/config?lang=" + encodeURIComponent(want), { credentials: "omit" }).then(function (r) { return r.json(); }).then(function (c) {
      if (!c.strings) return;
      cfg = c; S = c.strings;
      if (!sget("visit")) { sset("visit", "1"); st.visits = (st.visits || 0) + 1; save(); }
      ["pushState", "replaceState"].forEach(function (m) {
        var f = history[m];
        history[m] = function () { var r = f.apply(this, arguments); setTimeout(route); return r; };
      });
      window.addEventListener("popstate", route);
      route();
    }).catch(function () { /* the chat stays hidden */ });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
