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
    case "c": {
      // New ticket: a phone call, a visit, or mail to a customer.
      const link = document.querySelector("a.new-ticket-link");
      if (link) { e.preventDefault(); location.href = link.href; }
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

// The live notices' and dialogs' words, in the agent's language, rendered
// by the server into layout.html's #ui-strings.
const ui = document.getElementById("ui-strings")?.dataset ?? {};
const fill = (tpl, ...args) => { let i = 0; return (tpl || "").replace(/%s/g, () => String(args[i++] ?? "")); };

function presenceText(viewers) {
  if (!viewers || !viewers.length) return "";
  const parts = viewers.map((v) => fill(v.state === "typing" ? ui.typing : ui.viewing, v.name));
  return fill(ui.alsoHere, parts.join(", "));
}

function setPresence(state) {
  if (!main || !csrf) return;
  const body = new URLSearchParams({ state, csrf_token: csrf });
  fetch(`/tickets/${main.dataset.ticket}/presence`, { method: "POST", body, keepalive: true }).catch(() => {});
}

// Replace each message's delivery line (Sending…, Sent, Not delivered …)
// with the current one, leaving the rest of the page alone. Unless forced,
// only while a reply on the page is still sending.
async function refreshDeliveries(force) {
  if (!main || (!force && !document.querySelector(".comment .delivery-sending"))) return;
  const res = await fetch(location.pathname + location.search, { headers: { Accept: "text/html" } });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  for (const fresh of doc.querySelectorAll(".comment[id] .delivery")) {
    const old = document.querySelector(`#${fresh.closest(".comment").id} .delivery`);
    if (old) old.replaceWith(fresh);
  }
}
// A reply sent just before the page loaded may go out, or be refused,
// before the live stream is open: look again a few times.
if (main) for (const ms of [1000, 3000, 8000]) setTimeout(() => refreshDeliveries(false), ms);

async function refreshThread() {
  // Replace the conversation, history and side panel with the current ones;
  // the composer (and its draft) stays as it is.
  // With the query: images the agent chose to show stay shown.
  const res = await fetch(location.pathname + location.search, { headers: { Accept: "text/html" } });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  for (const sel of ["section.thread", "aside.panel", "p.meta"]) {
    const fresh = doc.querySelector(sel), old = document.querySelector(sel);
    if (fresh && old) old.replaceWith(fresh);
  }
  const fm = doc.querySelector("main[data-ticket]");
  if (fm && main) main.dataset.version = fm.dataset.version;
}

// An incoming call (docs/phone.md): the server renders the notice (the
// caller, their recent tickets, a button to open the ticket) in the
// agent's language; it stays until dismissed or opened.
async function showCallPop(ticketID) {
  const res = await fetch(`/phone/pop/${Number(ticketID)}`, { headers: { Accept: "text/html" } });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  const pop = doc.querySelector("section.call-pop");
  if (!pop) return;
  let box = document.getElementById("call-pops");
  if (!box) {
    box = document.createElement("div");
    box.id = "call-pops";
    box.className = "call-pops";
    document.body.append(box);
  }
  document.getElementById(pop.id)?.remove();
  box.append(pop);
  pop.querySelector(".call-pop-close")?.addEventListener("click", () => pop.remove());
  pop.querySelector(".call-pop-open")?.focus();
}

if (window.EventSource) {
  const notice = document.getElementById("live-notice");
  const presence = document.getElementById("presence");
  const src = new EventSource(main ? `/live?ticket=${main.dataset.ticket}` : "/live");
  // The stream is subscribed before it answers: from now on nothing is missed.
  src.addEventListener("open", () => { document.documentElement.dataset.live = "open"; });
  src.addEventListener("viewers", (e) => {
    if (!presence) return;
    const text = presenceText(JSON.parse(e.data));
    presence.textContent = text;
    presence.hidden = text === "";
  });
  src.addEventListener("ticket", (e) => {
    const ev = JSON.parse(e.data);
    if (main) {
      // A reply's delivery state changes without a new version: only the
      // delivery lines are fetched again.
      if ((ev.types || []).includes("delivery")) {
        if (String(ev.ticket_id) === main.dataset.ticket) refreshDeliveries(true);
        return;
      }
      if (String(ev.ticket_id) !== main.dataset.ticket || ev.version <= Number(main.dataset.version)) return;
      refreshThread().then(() => {
        if (notice && ev.types.includes("comment_added")) {
          notice.textContent = ui.newMessage;
          notice.hidden = false;
        }
      });
    } else if (notice && ev.types.includes("created")) {
      notice.hidden = false;
      notice.textContent = ui.newTickets + " ";
      const a = document.createElement("a");
      a.href = location.href;
      a.textContent = ui.showThem;
      notice.append(a);
    }
  });
  // A reply of a ticket assigned to me was not delivered, or a call comes
  // in for me (live.KindNotice).
  src.addEventListener("notice", (e) => {
    const ev = JSON.parse(e.data);
    if ((ev.types || []).includes("incoming_call")) { showCallPop(ev.ticket_id); return; }
    if (!notice || !notice.dataset.undelivered || !(ev.types || []).includes("delivery_failed")) return;
    notice.textContent = notice.dataset.undelivered.replace("%s", ev.ticket_id) + " ";
    const a = document.createElement("a");
    a.href = `/tickets/${ev.ticket_id}`;
    a.textContent = notice.dataset.undeliveredOpen;
    notice.append(a);
    notice.hidden = false;
  });
  // The stream fell behind and dropped events (a tab that could not read
  // fast enough): reload what the page shows instead of missing changes.
  src.addEventListener("resync", () => {
    if (main) { refreshThread(); refreshDeliveries(true); return; }
    if (!notice) return;
    notice.hidden = false;
    notice.textContent = ui.newTickets + " ";
    const a = document.createElement("a");
    a.href = location.href;
    a.textContent = ui.showThem;
    notice.append(a);
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
  // One preview at a time: a second submit while one is on its way (Enter
  // pressed twice, a double click) would replace the preview, and any change
  // the agent already unticked, once the second answer arrives.
  let busy = false;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    if (body.value.trim() !== "" && !body.dataset.macro &&
        !window.confirm(ui.replaceWithMacro)) return;
    let doc;
    busy = true;
    try {
      const res = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), headers: { Accept: "text/html" } });
      if (!res.ok) throw new Error(String(res.status));
      doc = new DOMParser().parseFromString(await res.text(), "text/html");
    } catch {
      form.submit();
      return;
    } finally {
      busy = false;
    }
    const fresh = doc.querySelector("section.macro-preview"), text = doc.getElementById("body");
    if (!fresh || !text) { form.submit(); return; }
    document.querySelector("section.macro-preview")?.remove();
    form.before(fresh);
    body.value = text.value;
    body.dataset.macro = form.querySelector("select")?.value ?? "";
    // The macro's pending changes and its "Submit as" come along (macrocompose.go).
    document.querySelector("form.composer .macro-pending")?.remove();
    const pending = doc.querySelector("form.composer .macro-pending");
    if (pending) document.getElementById("body-hint")?.after(pending);
    const as = doc.getElementById("submit-status"), status = document.getElementById("submit-status");
    if (as && status) status.value = as.value;
    const kind = doc.querySelector('input[name="public"]:checked')?.value;
    const radio = kind && document.querySelector(`form.composer input[name="public"][value="${kind}"]`);
    if (radio) radio.checked = true;
    body.dispatchEvent(new Event("input")); // saves it as the draft
    fresh.querySelector("h2")?.setAttribute("tabindex", "-1");
    fresh.querySelector("h2")?.focus();
  });
  body.addEventListener("input", (e) => { if (e.isTrusted) delete body.dataset.macro; });
})();

// Composer attachments (composer.go): the chosen files listed with Remove
// buttons, files dropped on the composer or images pasted into the message
// added to the file input (DataTransfer), and the size limits checked
// before sending, so a file over the limit never costs the typed text.
// Without JavaScript the plain file input sends the files and the server
// checks the limits (keeping the text, too).
const fillIn = (tpl, ...args) => { let i = 0; return (tpl || "").replace(/%s/g, () => String(args[i++] ?? "")); };
(() => {
  const form = document.querySelector("form.composer");
  const input = document.getElementById("attachments");
  const list = form?.querySelector(".chosen-files");
  const err = document.getElementById("attachments-error");
  const body = document.getElementById("body");
  if (!form || !input || !list || !err || !window.DataTransfer) return;
  try { input.files = new DataTransfer().files; } catch { return; } // no settable FileList: keep the plain input
  form.querySelector(".js-only")?.removeAttribute("hidden");
  const maxFile = Number(input.dataset.maxFile), maxTotal = Number(input.dataset.maxTotal);
  const sizeText = (n) => n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1).replace(/\.0$/, "")} MB`;
  let files = [];
  const problem = () => {
    const big = files.find((f) => f.size > maxFile);
    if (big) return fillIn(list.dataset.tooBig, big.name, list.dataset.maxFileText);
    if (files.reduce((n, f) => n + f.size, 0) > maxTotal) return fillIn(list.dataset.tooMuch, list.dataset.maxTotalText);
    return "";
  };
  const showError = (msg) => {
    err.textContent = msg;
    err.hidden = msg === "";
    input.closest(".field")?.classList.toggle("invalid", msg !== "");
    input.setAttribute("aria-describedby", msg ? "attachments-hint attachments-error" : "attachments-hint");
    if (msg) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  };
  const sync = () => {
    const dt = new DataTransfer();
    files.forEach((f) => dt.items.add(f));
    input.files = dt.files;
    list.replaceChildren();
    files.forEach((f, i) => {
      const li = document.createElement("li");
      li.classList.toggle("too-big", f.size > maxFile);
      const name = document.createElement("span");
      name.textContent = `${f.name} (${sizeText(f.size)})`;
      const rm = document.createElement("button");
      rm.type = "button";
      rm.textContent = "×";
      rm.setAttribute("aria-label", fillIn(list.dataset.remove, f.name));
      rm.addEventListener("click", () => {
        files.splice(i, 1);
        sync();
        (list.querySelector("button") || input).focus();
      });
      li.append(name, rm);
      list.append(li);
    });
    list.hidden = files.length === 0;
    showError(problem());
  };
  const add = (more) => { files = files.concat(more); sync(); };
  // Choosing files again adds to the list instead of replacing it.
  input.addEventListener("change", () => add(Array.from(input.files).filter((f) => !files.includes(f))));
  form.addEventListener("dragover", (e) => {
    if (!e.dataTransfer || !Array.from(e.dataTransfer.types).includes("Files")) return;
    e.preventDefault();
    form.classList.add("dragover");
  });
  form.addEventListener("dragleave", (e) => { if (!form.contains(e.relatedTarget)) form.classList.remove("dragover"); });
  // A file dropped beside the composer would make the browser open it and
  // leave the page; outside the composer a drop does nothing.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (e) => {
      if (!form.contains(e.target) && e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files")) e.preventDefault();
    });
  }
  form.addEventListener("drop", (e) => {
    form.classList.remove("dragover");
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    e.preventDefault();
    add(Array.from(e.dataTransfer.files));
  });
  body?.addEventListener("paste", (e) => {
    const cd = e.clipboardData;
    const images = Array.from(cd?.files || []).filter((f) => f.type.startsWith("image/"));
    if (!images.length) return;
    if (!Array.from(cd.types).includes("text/plain")) e.preventDefault();
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    add(images.map((f, i) => new File([f], !f.name || f.name === "image.png" ? `pasted-${stamp}-${i + 1}.${f.type.split("/")[1] || "png"}` : f.name, { type: f.type })));
  });
  // Refused before the page goes: runs ahead of the draft saver's submit
  // listener (capture), so the draft is not marked as sent.
  form.addEventListener("submit", (e) => {
    const msg = problem();
    if (!msg) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    showError(msg);
    input.focus();
  }, true);
})();

// @mentions (composer.go): typing "@" and part of a colleague's name or
// address opens a list of matching agents; arrows move, Enter or Tab
// chooses, Escape closes. Without JavaScript, "@Full Name" or "@address"
// typed out does the same on the server.
(() => {
  const body = document.getElementById("body");
  const list = document.getElementById("mention-list");
  const status = document.getElementById("mention-status");
  if (!body || !list || !status || !window.fetch) return;
  body.setAttribute("aria-autocomplete", "list");
  body.setAttribute("aria-controls", "mention-list");
  let items = [], active = -1, start = -1, timer = 0, seq = 0, skip = false;
  const trigger = () => {
    const before = body.value.slice(0, body.selectionStart);
    const m = /(^|[\s(\[{"'“‘,;:!?])@([^\s@]{0,40}(?: [^\s@]{0,40})?)$/u.exec(before);
    return m ? { at: before.length - m[2].length - 1, q: m[2] } : null;
  };
  const close = () => {
    clearTimeout(timer);
    seq++;
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    body.removeAttribute("aria-activedescendant");
    status.textContent = "";
  };
  const highlight = (i) => {
    active = i;
    list.querySelectorAll("li").forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
    body.setAttribute("aria-activedescendant", `mention-${i}`);
  };
  const choose = (i) => {
    const a = items[i];
    if (!a) return;
    const text = `@${a.name} `;
    const end = body.selectionStart;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.setSelectionRange(start + text.length, start + text.length);
    close();
    skip = true;
    body.dispatchEvent(new Event("input")); // saves the draft
    body.focus();
  };
  const show = (data) => {
    items = data;
    list.replaceChildren();
    if (!items.length) { close(); return; }
    items.forEach((a, i) => {
      const li = document.createElement("li");
      li.id = `mention-${i}`;
      li.setAttribute("role", "option");
      const email = document.createElement("span");
      email.className = "muted";
      email.textContent = a.email;
      li.append(`${a.name} `, email);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
      list.append(li);
    });
    list.style.top = `${body.offsetTop + body.offsetHeight}px`;
    list.hidden = false;
    highlight(0);
    status.textContent = fillIn(list.dataset.count, items.length);
  };
  body.addEventListener("input", () => {
    if (skip) { skip = false; return; }
    const t = trigger();
    if (!t) { close(); return; }
    start = t.at;
    clearTimeout(timer);
    const n = ++seq;
    timer = setTimeout(async () => {
      try {
        const res = await fetch(`/agents/mentions?q=${encodeURIComponent(t.q)}`, { headers: { Accept: "application/json" } });
        if (!res.ok) return;
        const data = (await res.json()).data || [];
        if (n === seq) show(data);
      } catch { /* no suggestions; typing the name still works */ }
    }, 150);
  });
  body.addEventListener("keydown", (e) => {
    if (list.hidden || !items.length) return;
    switch (e.key) {
      case "ArrowDown": e.preventDefault(); highlight((active + 1) % items.length); break;
      case "ArrowUp": e.preventDefault(); highlight((active - 1 + items.length) % items.length); break;
      case "Enter": case "Tab": e.preventDefault(); choose(active); break;
      case "Escape": e.preventDefault(); e.stopPropagation(); close(); break;
    }
  });
  body.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== body) close(); }, 150));
})();

// The fields panel offers the chosen team's agents: the others are hidden
// (the one assigned now always stays), so the list is short on big teams.
function filterAssignees() {
  const team = document.getElementById("f-team"), sel = document.getElementById("f-assignee");
  if (!team || !sel) return;
  for (const o of sel.options) {
    if (!o.value || !team.value || o.selected) { o.hidden = false; continue; }
    o.hidden = !(o.dataset.teams || "").split(" ").includes(team.value);
  }
}
document.getElementById("f-team")?.addEventListener("change", filterAssignees);
filterAssignees();

// The header's availability switch applies as soon as it changes.
const availability = document.getElementById("availability");
if (availability) {
  availability.form.querySelector("button")?.setAttribute("hidden", "");
  availability.addEventListener("change", () => availability.form.requestSubmit());
}
