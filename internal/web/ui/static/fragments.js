// Parts of a page loaded after it, so the page never waits for them
// (the ticket page's orders, docs/orders.md): an element with
// data-fragment="URL" and data-state="loading" is replaced by the element
// of the same id in the HTML the URL answers. While it loads, its status
// line ([role=status]) shows; when the answer fails or takes too long,
// its notice ([role=alert]) shows with a link to try again. The link
// shown to a browser without script (.orders-open) is hidden.
const WAIT_MS = 15000;

async function load(el) {
  el.dataset.started = "1";
  const status = el.querySelector("[role=status]"), failed = el.querySelector("[role=alert]");
  for (const a of el.querySelectorAll(".orders-open")) a.hidden = true;
  if (status) status.hidden = false;
  if (failed) failed.hidden = true;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), WAIT_MS);
  try {
    const res = await fetch(el.dataset.fragment, { headers: { Accept: "text/html" }, signal: stop.signal, credentials: "same-origin" });
    if (!res.ok) throw new Error(`status ${res.status}`);
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById(el.id);
    if (!fresh) throw new Error("no fragment");
    el.replaceWith(fresh);
  } catch {
    el.dataset.state = "failed";
    el.removeAttribute("aria-busy");
    if (status) status.hidden = true;
    if (failed) failed.hidden = false;
  } finally {
    clearTimeout(timer);
  }
}

function loadAll() {
  for (const el of document.querySelectorAll('[data-fragment][data-state="loading"]:not([data-started])')) load(el);
}

// Try again: load the part once more in place.
document.addEventListener("click", (e) => {
  const el = e.target.closest?.(".orders-retry")?.closest("[data-fragment]");
  if (!el || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  el.dataset.state = "loading";
  el.setAttribute("aria-busy", "true");
  load(el);
});

loadAll();
// The ticket page replaces its side panel when the ticket changes
// (app.js): a new placeholder loads too.
new MutationObserver(loadAll).observe(document.body, { childList: true, subtree: true });
