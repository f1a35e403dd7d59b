// The chat dock on every agent page (internal/web/ui/dock.go): offers with
// accept and decline, the agent's active chats with unread counts, and a
// small panel to answer a chat without leaving the page. The page renders
// the dock's state; this keeps it live through /chat/events and reloads
// /chat/dock when a notice comes. Messages go through the console's calls
// (same client ids, so a retry never doubles one). Which chat is open and
// whether the list is folded are kept per tab (sessionStorage).
const dock = document.getElementById("chat-dock");
if (dock) {
  const kit = globalThis.ombudChatKit;
  const S = kit.words(dock);
  // The words set into the page below, in the agent's language.
  const W = { expires: S("expires"), unread: S("unread"), read: S("read"), ticket: S("ticket"), error: S("error") };
  const fill = (tpl, arg) => tpl.replace("%s", arg);
  const $ = (sel, root = dock) => root.querySelector(sel);
  const { h, cid } = kit;
  const call = kit.caller(dock.dataset.csrf);
  const notify = globalThis.ombudChatNotify;
  const KEY = "ombud-chat-dock";
  const saved = () => { try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch { return {}; } };
  const save = (p) => sessionStorage.setItem(KEY, JSON.stringify({ ...saved(), ...p }));
  const tab = $(".dock-tab"), body = $(".dock-body"), panel = $(".dock-panel"), log = $(".dock-log"), reply = $(".dock-reply");
  const offersUl = $(".dock-offers"), chatsUl = $(".dock-chats");
  const skew = Date.now() - Number(dock.dataset.now); // this clock minus the server's
  let open = null; // the chat in the panel: {id, ticket, seq, seen, readSent, visitorRead}
  let chats = []; // the active chats as last read

  if (notify) notify.bind($(".dock-notify"));

  function fold(folded) {
    body.hidden = folded;
    tab.setAttribute("aria-expanded", String(!folded));
    dock.classList.toggle("collapsed", folded && !open);
  }
  tab.addEventListener("click", () => { fold(!body.hidden); save({ folded: body.hidden }); });

  // Offers: the ones shown stay (only their countdown changes), so a
  // click on Accept is never lost to a re-render.
  function offerItem(o) {
    return h("li", { class: "dock-offer", "data-offer": o.id, "data-expires": Date.parse(o.expires_at) }, [
      h("strong", { text: o.visitor_name || o.visitor_email }), " ", h("span", { class: "muted topic", text: o.topic }), " ",
      h("span", { class: "muted left" }),
      h("span", { class: "dock-actions" }, [h("button", { type: "button", class: "primary accept", text: S("accept") }), " ",
        h("button", { type: "button", class: "decline", text: S("decline") })])]);
  }
  offersUl.addEventListener("click", async (ev) => {
    const b = ev.target.closest("button"), li = ev.target.closest("li[data-offer]");
    if (!b || !li) return;
    const accept = b.classList.contains("accept");
    li.remove();
    try {
      const c = await call("POST", `/chat/offers/${li.dataset.offer}/${accept ? "accept" : "decline"}`);
      if (accept && c.id) openChat(c.id, c.ticket_id, c.visitor_name || c.visitor_email, true);
    } catch { /* expired meanwhile */ }
    refresh();
  });
  function countdown() {
    for (const li of offersUl.querySelectorAll("li[data-offer]")) {
      const left = Math.round((Number(li.dataset.expires) - (Date.now() - skew)) / 1000);
      if (left <= 0) li.remove();
      else $(".left", li).textContent = fill(W.expires, String(left));
    }
  }

  function chatItem(c) {
    return h("li", { class: "dock-chat", "data-conv": c.id, "data-ticket": c.ticket_id }, [
      h("button", { type: "button", class: "link dock-open", text: c.visitor_name || c.visitor_email }), " ",
      h("span", { class: "dock-unread", hidden: "" }), " ", h("span", { class: "dock-waiting muted", text: S("waiting"), hidden: "" })]);
  }
  chatsUl.addEventListener("click", (ev) => {
    const li = ev.target.closest("li[data-conv]");
    if (li && ev.target.closest(".dock-open")) openChat(+li.dataset.conv, +li.dataset.ticket, $(".dock-open", li).textContent, true);
  });

  function render(d) {
    const shown = new Set();
    for (const o of d.offers) {
      shown.add(String(o.id));
      if (offersUl.querySelector(`li[data-offer="${o.id}"]`)) continue;
      offersUl.append(offerItem(o));
      if (notify) notify.announce(S("new", o.visitor_name || o.visitor_email), o.topic);
    }
    for (const li of offersUl.querySelectorAll("li[data-offer]")) if (!shown.has(li.dataset.offer)) li.remove();
    countdown();
    chats = d.chats;
    const ids = new Set(chats.map((c) => String(c.id)));
    for (const li of chatsUl.querySelectorAll("li[data-conv]")) if (!ids.has(li.dataset.conv)) li.remove();
    let unread = 0;
    for (const c of chats) {
      let li = chatsUl.querySelector(`li[data-conv="${c.id}"]`);
      if (!li) chatsUl.append(li = chatItem(c));
      const n = open && open.id === c.id ? 0 : c.unread;
      unread += n;
      const u = $(".dock-unread", li);
      u.textContent = fill(W.unread, String(n));
      u.hidden = n === 0;
      $(".dock-waiting", li).hidden = !c.waiting;
      li.classList.toggle("waiting", c.waiting);
      li.classList.toggle("current", !!open && open.id === c.id);
    }
    $(".dock-count").textContent = String(chats.length);
    $(".dock-badge").textContent = String(unread);
    $(".dock-badge").hidden = unread === 0;
    $(".dock-offer-badge").hidden = d.offers.length === 0;
    $(".dock-empty").hidden = chats.length > 0;
    if (open && !ids.has(String(open.id))) closeChat();
    const active = d.offers.length > 0 || chats.length > 0;
    if (active && !saved().folded) fold(false);
    if (!active && !open) fold(true);
  }

  let busy = null, again = false;
  async function refresh() {
    if (busy) { again = true; return busy; }
    busy = (async () => {
      try { render(await call("GET", "/chat/dock")); } catch { /* next notice */ }
    })();
    await busy;
    busy = null;
    if (again) { again = false; refresh(); }
  }

  // The panel.
  const systemLine = (m) => (m.kind === "joined" ? S("joined", m.agent_name) : m.kind === "transferred" ? S("transferred") : S("ended"));
  function line(m) {
    const li = h("li", { class: "msg " + m.author, "data-seq": m.seq });
    if (m.author === "system") { li.textContent = systemLine(m); return li; }
    li.append(h("span", { class: "who", text: m.author === "agent" ? m.agent_name : S("visitor") }),
      m.file ? h("a", { class: "text", href: "/api/v1/attachments/" + m.file.id, download: m.file.name, text: m.file.name }) : h("span", { class: "text", text: m.body }));
    if (m.author === "agent") li.append(h("span", { class: "mark" }));
    return li;
  }
  function addMessage(m) {
    if (open.seen.has(m.seq)) return;
    open.seen.add(m.seq);
    let before = null;
    for (const n of log.querySelectorAll("li[data-seq]")) if (!before && +n.dataset.seq > m.seq) before = n;
    log.insertBefore(line(m), before || log.querySelector("li.pending"));
    log.scrollTop = log.scrollHeight;
  }
  async function load() {
    const ch = open;
    if (!ch) return;
    const v = await call("GET", `/chat/conversations/${ch.id}?after=${ch.seq}`);
    if (open !== ch) return;
    for (const m of v.messages) { addMessage(m); if (m.seq > ch.seq) ch.seq = m.seq; }
    for (const n of log.querySelectorAll("li.agent[data-seq] .mark")) n.textContent = +n.parentNode.dataset.seq <= v.conversation.visitor_read_seq ? W.read : "";
    if (!document.hidden && ch.seq > ch.readSent) {
      ch.readSent = ch.seq;
      await call("POST", `/chat/conversations/${ch.id}/read`, { seq: ch.seq }).catch(() => {});
    }
  }
  function openChat(id, ticket, who, focus) {
    if (!open || open.id !== id) {
      open = { id, ticket, seq: 0, seen: new Set(), readSent: 0 };
      log.textContent = "";
      $(".dock-typing").hidden = true;
    }
    $(".dock-who").textContent = who;
    const t = $(".dock-ticket");
    t.href = "/tickets/" + ticket;
    t.textContent = fill(W.ticket, String(ticket));
    panel.hidden = false;
    dock.classList.add("has-panel");
    dock.classList.remove("collapsed");
    save({ open: id });
    for (const li of chatsUl.querySelectorAll("li[data-conv]")) li.classList.toggle("current", +li.dataset.conv === id);
    load().then(refresh).catch(() => {});
    if (focus) reply.focus();
  }
  function closeChat() {
    open = null;
    panel.hidden = true;
    dock.classList.remove("has-panel");
    save({ open: 0 });
    if (body.hidden) dock.classList.add("collapsed");
  }
  $(".dock-close").addEventListener("click", () => { closeChat(); refresh(); });

  async function send() {
    const ch = open;
    const text = reply.value;
    if (!ch || !text.trim()) return;
    reply.value = "";
    const client = cid();
    const pending = h("li", { class: "msg agent pending", "data-cid": client }, [h("span", { class: "text", text })]);
    log.append(pending);
    log.scrollTop = log.scrollHeight;
    // Retried with the same client id until acknowledged: never doubled.
    for (let i = 0; i < 5; i++) {
      try {
        const m = await call("POST", `/chat/conversations/${ch.id}/messages`, { client_id: client, body: text });
        pending.remove();
        if (open === ch) addMessage(m);
        return;
      } catch (e) {
        if (e && e.error) { pending.classList.add("failed"); pending.title = e.error.message || W.error; return; }
        await new Promise((r) => setTimeout(r, 1000 * (i + 1)));
      }
    }
  }
  $(".dock-send").addEventListener("click", send);
  reply.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); send(); } });
  let typingAt = 0, typingTimer = 0;
  reply.addEventListener("input", () => {
    if (!open) return;
    const id = open.id, now = Date.now();
    if (now - typingAt > 2500) { typingAt = now; call("POST", `/chat/conversations/${id}/typing`, { typing: true }).catch(() => {}); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingAt = 0; call("POST", `/chat/conversations/${id}/typing`, { typing: false }).catch(() => {}); }, 3000);
  });

  // Live: a notice names a ticket; the dock reloads what changed.
  if (window.EventSource) {
    const es = new EventSource("/chat/events");
    es.addEventListener("open", () => { dock.dataset.live = "open"; refresh(); if (open) load().catch(() => {}); });
    es.addEventListener("chat", (ev) => {
      const e = JSON.parse(ev.data);
      const type = e.type && e.type[0];
      const mine = open && open.ticket === e.ticket_id;
      if (type === "typing") {
        if (mine && e.actor === "visitor") $(".dock-typing").hidden = e.state !== "typing";
        return;
      }
      if (mine) load().then(refresh).catch(() => {});
      else refresh();
    });
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden && open) load().then(refresh).catch(() => {}); });
  setInterval(countdown, 1000);
  setInterval(() => { if (!document.hidden && (chats.length || offersUl.children.length)) refresh(); }, 15000);

  // The page's own state first, then what this tab had open.
  const st = saved();
  if (st.folded && !body.hidden) fold(true);
  countdown();
  const li = st.open && chatsUl.querySelector(`li[data-conv="${st.open}"]`);
  if (li) openChat(+li.dataset.conv, +li.dataset.ticket, $(".dock-open", li).textContent, false);
}
