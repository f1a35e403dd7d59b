// What the chat console (chat.js) and the chat dock (dock.js) share; load
// this module before them.
//
// ombudChatKit: the words a page sets on an element (data-s-* attributes,
// in the agent's language), building elements, calling the console's JSON
// routes, and client ids for messages (a retry with the same id never
// doubles a message).
globalThis.ombudChatKit = {
  words(el) {
    return (k, arg) => { const s = el.dataset["s" + k[0].toUpperCase() + k.slice(1)] || k; return arg === undefined ? s : s.replace("%s", arg); };
  },
  h(tag, attrs = {}, kids = []) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") n.textContent = v;
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v);
    }
    for (const c of kids) if (c) n.append(c);
    return n;
  },
  // caller returns call(method, url, body): JSON in and out with the
  // page's CSRF token; a refusal throws the server's error object.
  caller(csrf) {
    return async (method, url, body) => {
      const r = await fetch(url, { method, headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json", Accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
      if (r.status === 204) return {};
      const j = await r.json().catch(() => ({}));
      if (!r.ok) throw j;
      return j;
    };
  },
  cid() {
    return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
  },
};

// ombudChatNotify: sound and desktop notification for new chat offers.
// The agent's choice is kept in localStorage, so it holds in both.
const KEY = "ombud-chat-notify";
globalThis.ombudChatNotify = {
  get on() { return localStorage.getItem(KEY) === "1"; },
  set(on) {
    localStorage.setItem(KEY, on ? "1" : "0");
    if (on && "Notification" in window && Notification.permission === "default") Notification.requestPermission();
  },
  // bind ties a checkbox to the choice.
  bind(box) {
    box.checked = this.on;
    box.addEventListener("change", () => this.set(box.checked));
  },
  beep() {
    try {
      const ctx = new AudioContext();
      const o = ctx.createOscillator();
      o.frequency.value = 880;
      o.connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.15);
    } catch { /* no sound */ }
  },
  announce(title, body) {
    if (!this.on) return;
    this.beep();
    if ("Notification" in window && Notification.permission === "granted") new Notification(title, { body });
  },
};
