// The agents' chat console (internal/web/chat): offers with accept and
// decline, open chats with the visitor's details, composer with macros,
// transfer and end; live through /chat/events (Server-Sent Events).
const app = document.getElementById("chat-app");
if (app) {
  const kit = globalThis.ombudChatKit;
  const S = kit.words(app);
  const csrf = app.dataset.csrf;
  const readWord = S("read"), errorWord = S("error");
  const systemLine = (m) => (m.kind === "joined" ? S("joined", m.agent_name) : m.kind === "transferred" ? S("transferred") : S("ended"));
  const chats = new Map(); // conversation id → {conv, el, seq, seen}
  const $ = (sel, root = document) => root.querySelector(sel);
  const { h, cid } = kit;
  const call = kit.caller(csrf);

  // Sound and desktop notification: chatkit.js (shared with the dock).
  const notify = globalThis.ombudChatNotify;
  notify.bind($("#notify"));
  const announce = (o) => notify.announce(S("new", o.visitor_name || o.visitor_email), o.topic);

  // renderOffers keeps the offers already shown (only their countdown
  // changes), so a click on Accept is never lost to a re-render.
  function renderOffers(c) {
    const ul = $("#offers");
    $("#no-offers").hidden = c.offers.length > 0;
    $("#queued").textContent = c.queued ? "(" + c.queued + ")" : "";
    const now = Date.parse(c.now);
    const fresh = new Set();
    for (const o of c.offers) {
      fresh.add(o.id);
      const left = S("expires", String(Math.max(0, Math.round((Date.parse(o.expires_at) - now) / 1000))));
      const shown = ul.querySelector(`li[data-offer="${o.id}"]`);
      if (shown) { $(".left", shown).textContent = left; continue; }
      announce(o);
      ul.append(h("li", { class: "offer", "data-offer": o.id }, [
        h("strong", { text: o.visitor_name || o.visitor_email }), " ", h("span", { class: "muted", text: o.visitor_email }),
        h("p", { class: "topic", text: o.topic }),
        o.from ? h("p", { class: "note", text: S("from", o.from) + (o.note ? ": " + o.note : "") }) : null,
        h("p", { class: "muted left", text: left }),
        h("button", { type: "button", class: "primary accept", text: S("accept"), onclick: () => answer(o.id, "accept") }), " ",
        h("button", { type: "button", class: "decline", text: S("decline"), onclick: () => answer(o.id, "decline") })]));
    }
    for (const li of ul.querySelectorAll("li[data-offer]")) if (!fresh.has(+li.dataset.offer)) li.remove();
  }
  async function answer(id, what) {
    try { await call("POST", `/chat/offers/${id}/${what}`); } catch { /* expired meanwhile */ }
    refresh();
  }

  function line(m) {
    const li = h("li", { class: "msg " + m.author, "data-seq": m.seq });
    if (m.author === "system") {
      li.textContent = systemLine(m);
      return li;
    }
    li.append(h("span", { class: "who", text: m.author === "agent" ? m.agent_name : S("visitor") }), m.file ? fileView(m.file) : h("span", { class: "text", text: m.body }));
    if (m.author === "agent") li.append(h("span", { class: "mark" }));
    return li;
  }
  // fileView shows a message's file: an image preview or a download link,
  // with its name and size (the ticket's attachment).
  function fileView(f) {
    const url = "/api/v1/attachments/" + f.id;
    const box = h("span", { class: "file text", "data-file": f.id });
    if (f.type.startsWith("image/")) box.append(h("a", { href: url, target: "_blank", rel: "noopener" }, [h("img", { src: url, alt: f.name, class: "chat-image" })]));
    box.append(h("a", { href: url, download: f.name, text: f.name }), " (" + S("kb", String(Math.max(1, Math.round(f.size / 1024)))) + ")");
    return box;
  }
  async function sendFile(id, file) {
    const ch = chats.get(id);
    const client = cid();
    const pending = h("li", { class: "msg agent pending", "data-cid": client }, [h("span", { class: "text", text: file.name })]);
    $(".log", ch.el).append(pending);
    const fd = new FormData();
    fd.append("client_id", client);
    fd.append("file", file, file.name);
    try {
      const r = await fetch(`/chat/conversations/${id}/files`, { method: "POST", headers: { "X-CSRF-Token": csrf, Accept: "application/json" }, body: fd, credentials: "same-origin" });
      const j = await r.json().catch(() => ({}));
      if (!r.ok) throw j;
      pending.remove();
      addMessage(ch, j);
    } catch (e) {
      pending.classList.add("failed");
      pending.title = (e && e.error && e.error.message) || errorWord;
      pending.textContent = file.name + " – " + pending.title;
    }
  }
  function addMessage(ch, m) {
    if (ch.seen.has(m.seq)) return;
    ch.seen.add(m.seq);
    const log = $(".log", ch.el);
    let before = null;
    for (const n of log.querySelectorAll("li[data-seq]")) if (!before && +n.dataset.seq > m.seq) before = n;
    log.insertBefore(line(m), before || log.querySelector("li.pending"));
    log.scrollTop = log.scrollHeight;
  }
  function marks(ch) {
    for (const n of ch.el.querySelectorAll("li.agent[data-seq] .mark")) n.textContent = +n.parentNode.dataset.seq <= ch.conv.visitor_read_seq ? readWord : "";
  }

  function info(ch, v) {
    const c = v.conversation;
    const dl = $(".info", ch.el);
    dl.textContent = "";
    const row = (k, val) => { dl.append(h("dt", { text: k }), h("dd", {}, [val])); };
    row(S("visitor"), c.visitor_name + " <" + c.visitor_email + ">" + (c.identified ? " · " + S("identified") : ""));
    row(S("page"), c.current_page || "–");
    row(S("referrer"), c.referrer || "–");
    row(S("pages"), h("ol", {}, c.pages.map((p) => h("li", { text: p }))));
    row(S("previous"), v.previous_tickets.length ? h("ul", {}, v.previous_tickets.map((t) => h("li", {}, [h("a", { href: "/tickets/" + t.id, text: S("ticket", String(t.id)) }), " " + t.subject + " (" + t.status + ")"]))) : S("none"));
  }

  function chatPanel(c) {
    const targets = $("#transfer-targets").content.cloneNode(true).firstElementChild;
    const note = h("input", { class: "transfer-note", "aria-label": S("note"), placeholder: S("note") });
    const input = h("textarea", { class: "reply", "aria-label": S("message"), placeholder: S("message") });
    const macros = h("select", { class: "macros", "aria-label": S("macro") }, [h("option", { value: "", text: S("macro") })]);
    const picker = h("input", { type: "file", class: "file-input", hidden: "", "aria-label": S("attach") });
    picker.addEventListener("change", () => { if (picker.files[0]) sendFile(c.id, picker.files[0]); picker.value = ""; });
    const el = h("section", { class: "chat card", id: "chat-" + c.id, "data-ticket": c.ticket_id }, [
      h("header", {}, [h("h2", {}, [h("a", { href: "/tickets/" + c.ticket_id, text: S("ticket", String(c.ticket_id)) }), " · " + c.topic])]),
      h("div", { class: "cols" }, [
        h("div", { class: "talk" }, [h("ul", { class: "log", "aria-live": "polite" }), h("p", { class: "typing muted", hidden: "" , text: S("typing") }),
          h("div", { class: "composer" }, [input, picker,
            h("button", { type: "button", class: "attach", text: S("attach"), onclick: () => picker.click() }),
            h("button", { type: "button", class: "primary send", text: S("send"), onclick: () => send(c.id) })]),
          h("div", { class: "tools" }, [macros, targets, note,
            h("button", { type: "button", class: "transfer", text: S("transfer"), onclick: () => transfer(c.id) }),
            h("button", { type: "button", class: "end", text: S("end"), onclick: () => end(c.id) })])]),
        h("div", { class: "side" }, [h("dl", { class: "info" }), knowledgePanel(c, input)])])]);
    input.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); send(c.id); } });
    let typingAt = 0, typingTimer = 0;
    input.addEventListener("input", () => {
      const now = Date.now();
      if (now - typingAt > 2500) { typingAt = now; call("POST", `/chat/conversations/${c.id}/typing`, { typing: true }).catch(() => {}); }
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typingAt = 0; call("POST", `/chat/conversations/${c.id}/typing`, { typing: false }).catch(() => {}); }, 3000);
    });
    macros.addEventListener("change", () => {
      const m = macros.selectedOptions[0];
      if (m && m.dataset.text) { input.value = input.value ? input.value + "\n" + m.dataset.text : m.dataset.text; input.focus(); }
      macros.value = "";
    });
    call("GET", `/chat/macros?ticket=${c.ticket_id}`).then((ms) => {
      for (const m of ms) if (m.text) macros.append(h("option", { value: m.id, "data-text": m.text, text: m.name }));
    }).catch(() => {});
    return el;
  }

  // knowledgePanel: articles suggested from the visitor's latest
  // messages (again after each new one), or a search; a button puts an
  // article's link or text into the composer.
  function knowledgePanel(c, input) {
    const q = h("input", { type: "search", class: "kb-q", "aria-label": S("kbSearch"), placeholder: S("kbSearch") });
    const label = h("p", { class: "muted kb-label" });
    const list = h("ul", { class: "kb-list" });
    const box = h("details", { class: "kb", open: "" }, [h("summary", { text: S("knowledge") }), q, label, list]);
    const insert = async (a, kind) => {
      try {
        const r = await call("POST", `/chat/knowledge/${a.id}/insert`, { conversation: c.id, kind });
        input.value = input.value ? input.value.replace(/\s+$/, "") + "\n\n" + r.text : r.text;
        input.focus();
      } catch (e) { alert((e.error && e.error.message) || errorWord); }
    };
    box.reload = async () => {
      const term = q.value.trim();
      let r;
      try { r = await call("GET", `/chat/knowledge?conversation=${c.id}` + (term ? "&q=" + encodeURIComponent(term) : "")); } catch { return; }
      const heading = r.suggested ? S("kbSuggested") : "";
      label.textContent = heading;
      // Unchanged suggestions keep their buttons: a click landing while the
      // list reloads is not lost to a replaced button.
      const key = JSON.stringify(r.articles.map((a) => [a.id, a.title, a.snippet, a.public]));
      if (list.dataset.key === key) return;
      list.dataset.key = key;
      list.textContent = "";
      if (!r.articles.length) list.append(h("li", { class: "muted", text: S("kbNone") }));
      for (const a of r.articles) {
        list.append(h("li", { class: "kb-article", "data-article": a.id }, [h("strong", { text: a.title }), h("p", { class: "muted", text: a.snippet }),
          a.public ? h("button", { type: "button", class: "link kb-link", text: S("insertLink"), onclick: () => insert(a, "link") }) : null, " ",
          h("button", { type: "button", class: "link kb-text", text: S("insertText"), onclick: () => insert(a, "text") })]));
      }
    };
    let timer = 0;
    q.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(box.reload, 300); });
    box.reload();
    return box;
  }

  async function load(ch) {
    const v = await call("GET", `/chat/conversations/${ch.conv.id}?after=${ch.seq}`);
    ch.conv = v.conversation;
    const visitorSpoke = ch.seq > 0 && v.messages.some((m) => m.author === "visitor");
    for (const m of v.messages) { addMessage(ch, m); if (m.seq > ch.seq) ch.seq = m.seq; }
    const kb = $(".kb", ch.el);
    if (visitorSpoke && kb && !$(".kb-q", kb).value.trim()) kb.reload();
    info(ch, v);
    marks(ch);
    if (!document.hidden && ch.seq > ch.readSent) {
      ch.readSent = ch.seq;
      call("POST", `/chat/conversations/${ch.conv.id}/read`, { seq: ch.seq }).catch(() => {});
    }
  }

  async function send(id) {
    const ch = chats.get(id);
    const input = $(".reply", ch.el);
    const body = input.value;
    if (!body.trim()) return;
    input.value = "";
    const client = cid();
    const pending = h("li", { class: "msg agent pending", "data-cid": client }, [h("span", { class: "text", text: body })]);
    $(".log", ch.el).append(pending);
    // Retried with the same client id until acknowledged: never doubled.
    for (let i = 0; i < 5; i++) {
      try {
        const m = await call("POST", `/chat/conversations/${id}/messages`, { client_id: client, body });
        pending.remove();
        addMessage(ch, m);
        return;
      } catch (e) {
        if (e && e.error) { pending.classList.add("failed"); pending.title = e.error.message || errorWord; return; }
        await new Promise((r) => setTimeout(r, 1000 * (i + 1)));
      }
    }
  }
  async function transfer(id) {
    const ch = chats.get(id);
    const [kind, to] = ($(".transfer-to", ch.el).value || ":").split(":");
    if (!to) return;
    try {
      await call("POST", `/chat/conversations/${id}/transfer`, { to_agent: kind === "agent" ? +to : 0, to_team: kind === "team" ? +to : 0, note: $(".transfer-note", ch.el).value });
    } catch (e) { alert((e.error && e.error.message) || errorWord); }
    refresh();
  }
  async function end(id) {
    await call("POST", `/chat/conversations/${id}/end`).catch(() => {});
    refresh();
  }

  async function refresh() {
    let c;
    try { c = await call("GET", "/chat/state"); } catch { return; }
    renderOffers(c);
    const open = new Set(c.chats.map((x) => x.id));
    for (const [id, ch] of chats) if (!open.has(id)) { ch.el.remove(); chats.delete(id); }
    for (const conv of c.chats) {
      if (!chats.has(conv.id)) {
        const ch = { conv, el: chatPanel(conv), seq: 0, seen: new Set(), readSent: 0 };
        chats.set(conv.id, ch);
        $("#chats").append(ch.el);
        load(ch).catch(() => {});
      }
    }
    $("#no-chats").hidden = chats.size > 0;
  }

  const byTicket = (t) => { for (const ch of chats.values()) if (ch.conv.ticket_id === t) return ch; return null; };
  const es = new EventSource("/chat/events");
  es.addEventListener("chat", (ev) => {
    const e = JSON.parse(ev.data);
    const ch = byTicket(e.ticket_id);
    const type = e.type && e.type[0];
    if (type === "typing") {
      if (ch && e.actor === "visitor") $(".typing", ch.el).hidden = e.state !== "typing";
      return;
    }
    if (ch) load(ch).catch(() => {});
    if (type === "offer" || type === "state" || !ch) refresh();
  });
  es.addEventListener("open", refresh);
  document.addEventListener("visibilitychange", () => { for (const ch of chats.values()) load(ch).catch(() => {}); });
  setInterval(refresh, 5000);
  refresh();
}
