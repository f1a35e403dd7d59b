// Keyboard shortcuts for the agent UI. Pages work without this file; it
// only makes them faster to use.
const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);

function rows() { return Array.from(document.querySelectorAll("table.tickets tbody tr")); }

let current = -1;
function select(i) {
  const rs = rows();
  if (!rs.length) return;
  current = Math.max(0, Math.min(rs.length - 1, i));
  rs.forEach((r, j) => r.classList.toggle("selected", j === current));
  rs[current].querySelector("a")?.focus();
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (typing(document.activeElement)) {
    if (e.key === "Escape") document.activeElement.blur();
    return;
  }
  switch (e.key) {
    case "/": e.preventDefault(); document.getElementById("q")?.focus(); break;
    case "j": select(current + 1); break;
    case "x": {
      const box = rows()[current]?.querySelector('input[name="ids"]');
      if (box) box.checked = !box.checked;
      break;
    }
    case "k": select(current - 1); break;
    case "Enter": {
      const r = rows()[current];
      if (r) location.href = r.dataset.href;
      break;
    }
    case "r": {
      const b = document.getElementById("body");
      if (b) { e.preventDefault(); b.focus(); }
      break;
    }
    case "a": {
      // Assign to me: pick myself in the side panel and save it.
      const sel = document.getElementById("f-assignee"), me = document.body.dataset.me;
      if (sel && me && sel.querySelector(`option[value="${me}"]`)) {
        e.preventDefault();
        sel.value = me;
        sel.form.requestSubmit();
      }
      break;
    }
    case "s": {
      const st = document.getElementById("f-status");
      if (st) { e.preventDefault(); st.focus(); }
      break;
    }
    case "?": {
      const d = document.getElementById("keys-help");
      if (d && !d.open) { e.preventDefault(); d.showModal(); }
      break;
    }
    case "n": {
      const note = document.querySelector('input[name="public"][value="false"]');
      const b = document.getElementById("body");
      if (note && b) { e.preventDefault(); note.checked = true; b.focus(); }
      break;
    }
  }
});

// Live updates: who else is on this ticket, and what changed while it is
// open; on lists, a notice when tickets change. Without JavaScript (or
// without EventSource) the pages still work with reloads.
const main = document.querySelector("main[data-ticket]");
const csrf = document.querySelector('input[name="csrf_token"]')?.value;

function presenceText(viewers) {
  if (!viewers || !viewers.length) return "";
  const parts = viewers.map((v) => v.state === "typing" ? `${v.name} is typing a reply` : `${v.name} is viewing`);
  return "Also here: " + parts.join(", ") + ".";
}

function setPresence(state) {
  if (!main || !csrf) return;
  const body = new URLSearchParams({ state, csrf_token: csrf });
  fetch(`/tickets/${main.dataset.ticket}/presence`, { method: "POST", body, keepalive: true }).catch(() => {});
}

async function refreshThread() {
  // Replace the conversation, history and side panel with the current ones;
  // the composer (and its draft) stays as it is.
  const res = await fetch(location.pathname, { headers: { Accept: "text/html" } });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  for (const sel of ["section.thread", "aside.panel", "p.meta"]) {
    const fresh = doc.querySelector(sel), old = document.querySelector(sel);
    if (fresh && old) old.replaceWith(fresh);
  }
  const fm = doc.querySelector("main[data-ticket]");
  if (fm && main) main.dataset.version = fm.dataset.version;
}

if (window.EventSource) {
  const notice = document.getElementById("live-notice");
  const presence = document.getElementById("presence");
  const src = new EventSource(main ? `/live?ticket=${main.dataset.ticket}` : "/live");
  src.addEventListener("viewers", (e) => {
    if (!presence) return;
    const text = presenceText(JSON.parse(e.data));
    presence.textContent = text;
    presence.hidden = text === "";
  });
  src.addEventListener("ticket", (e) => {
    const ev = JSON.parse(e.data);
    if (main) {
      if (String(ev.ticket_id) !== main.dataset.ticket || ev.version <= Number(main.dataset.version)) return;
      refreshThread().then(() => {
        if (notice && ev.types.includes("comment_added")) {
          notice.textContent = "New message on this ticket: it is shown above. Check it before you send your reply.";
          notice.hidden = false;
        }
      });
    } else if (notice && ev.types.includes("created")) {
      notice.hidden = false;
      notice.textContent = "New tickets arrived. ";
      const a = document.createElement("a");
      a.href = location.href;
      a.textContent = "Show them";
      notice.append(a);
    }
  });
  const body = document.getElementById("body");
  let typingUntil = 0;
  body?.addEventListener("input", () => {
    const now = Date.now();
    if (now > typingUntil) setPresence("typing");
    typingUntil = now + 10000;
  });
  body?.addEventListener("blur", () => { if (typingUntil) { typingUntil = 0; setPresence("viewing"); } });
  window.addEventListener("pagehide", () => { if (main) setPresence("left"); });
}

// Drafts: the composer's text is saved on the server as the agent types,
// so a reload, a crash or another device brings it back.
(() => {
  const form = document.querySelector("form.composer");
  const body = document.getElementById("body");
  if (!form || !body || !main || !csrf) return;
  let timer = 0, saved = body.value;
  const save = () => {
    timer = 0;
    if (body.value === saved) return;
    const pub = form.querySelector('input[name="public"]:checked')?.value ?? "true";
    const data = new URLSearchParams({ body: body.value, public: pub, csrf_token: csrf });
    const text = body.value;
    fetch(`/tickets/${main.dataset.ticket}/draft`, { method: "POST", body: data, keepalive: true })
      .then((r) => { if (r.ok) saved = text; }).catch(() => {});
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(save, 700); };
  body.addEventListener("input", later);
  form.addEventListener("change", later);
  window.addEventListener("pagehide", () => { if (timer) save(); });
  form.addEventListener("submit", () => { clearTimeout(timer); timer = 0; saved = body.value; });
})();

// Macros: Preview fills the composer in place instead of reloading the
// page. Without JavaScript the same form renders the page again with the
// preview; on any failure the form is simply submitted.
(() => {
  const form = document.querySelector("form.macros");
  const body = document.getElementById("body");
  if (!form || !body || !window.fetch || !window.DOMParser) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (body.value.trim() !== "" && !body.dataset.macro &&
        !window.confirm("Replace the text in the composer with the macro's text?")) return;
    let doc;
    try {
      const res = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), headers: { Accept: "text/html" } });
      if (!res.ok) throw new Error(String(res.status));
      doc = new DOMParser().parseFromString(await res.text(), "text/html");
    } catch {
      form.submit();
      return;
    }
    const fresh = doc.querySelector("section.macro-preview"), text = doc.getElementById("body");
    if (!fresh || !text) { form.submit(); return; }
    document.querySelector("section.macro-preview")?.remove();
    form.before(fresh);
    body.value = text.value;
    body.dataset.macro = form.querySelector("select")?.value ?? "";
    const kind = doc.querySelector('input[name="public"]:checked')?.value;
    const radio = kind && document.querySelector(`form.composer input[name="public"][value="${kind}"]`);
    if (radio) radio.checked = true;
    body.dispatchEvent(new Event("input")); // saves it as the draft
    fresh.querySelector("h2")?.setAttribute("tabindex", "-1");
    fresh.querySelector("h2")?.focus();
  });
  body.addEventListener("input", (e) => { if (e.isTrusted) delete body.dataset.macro; });
})();
