// Search-as-you-type for the header's search box (search.go): while an
// agent types, a listbox under the box offers matching tickets and
// customers. Up and down move, Enter opens the chosen one (or searches when
// none is chosen), Escape closes. Without this file the box is a plain form
// that searches /tickets?q=.
(() => {
  const input = document.getElementById("q");
  const list = document.getElementById("search-suggest");
  const status = document.getElementById("search-suggest-status");
  if (!input || !list || !status || !window.fetch) return;
  const form = input.form;
  const fill = (tpl, ...args) => { let i = 0; return (tpl || "").replace(/%s/g, () => String(args[i++] ?? "")); };
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  let options = [], active = -1, timer = 0, seq = 0, leaving = false;

  const close = () => {
    clearTimeout(timer);
    seq++;
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const highlight = (i) => {
    active = i;
    options.forEach((o, j) => o.el.setAttribute("aria-selected", j === i ? "true" : "false"));
    if (i < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    input.setAttribute("aria-activedescendant", options[i].el.id);
    options[i].el.scrollIntoView({ block: "nearest" });
  };
  const choose = (i) => {
    const o = options[i];
    if (!o) return;
    if (o.href) {
      close();
      leaving = true; // the Enter that chose may still submit the form
      location.href = o.href;
    } else {
      close();
      form.requestSubmit();
    }
  };
  const heading = (text) => {
    const li = document.createElement("li");
    li.setAttribute("role", "presentation");
    li.className = "group";
    li.textContent = text;
    list.append(li);
  };
  const option = (main, detail, href, cls) => {
    const li = document.createElement("li");
    li.id = `search-suggest-${options.length}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    if (cls) li.className = cls;
    li.append(main);
    if (detail) {
      const d = document.createElement("span");
      d.className = "muted";
      d.textContent = detail;
      li.append(" ", d);
    }
    const i = options.length;
    li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
    options.push({ el: li, href });
    list.append(li);
  };
  const show = (q, data) => {
    list.replaceChildren();
    options = [];
    active = -1;
    if (data.error) {
      const li = document.createElement("li");
      li.setAttribute("role", "presentation");
      li.className = "hint";
      li.textContent = data.error;
      list.append(li);
    }
    if (data.tickets?.length) {
      heading(list.dataset.tickets);
      for (const t of data.tickets) option(`#${t.id} ${t.subject}`, t.status_label, `/tickets/${t.id}`);
    }
    if (data.customers?.length) {
      heading(list.dataset.customers);
      for (const c of data.customers) option(c.name || c.email || c.phone, [c.email, c.phone].filter(Boolean).join(" · "), `/customers/${c.id}`);
    }
    if (!data.error) option(fill(list.dataset.all, q), "", "", "all");
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
    status.textContent = fill(list.dataset.count, options.length - (data.error ? 0 : 1));
  };
  input.addEventListener("input", () => {
    const q = input.value.trim();
    clearTimeout(timer);
    if (!q) { close(); return; }
    const n = ++seq;
    timer = setTimeout(async () => {
      try {
        const res = await fetch(`/search/suggest?q=${encodeURIComponent(q)}`, { headers: { Accept: "application/json" } });
        if (!res.ok) return;
        const data = await res.json();
        if (n === seq && document.activeElement === input) show(q, data);
      } catch { /* no suggestions; the form still searches */ }
    }, 150);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      e.stopPropagation(); // keep focus in the box (app.js blurs on Escape)
      close();
      return;
    }
    if (list.hidden || !options.length) return;
    switch (e.key) {
      case "ArrowDown": e.preventDefault(); highlight(active + 1 >= options.length ? 0 : active + 1); break;
      case "ArrowUp": e.preventDefault(); highlight(active <= 0 ? options.length - 1 : active - 1); break;
      case "Enter":
        if (active >= 0) { e.preventDefault(); choose(active); }
        break; // no choice: the form searches as it always did
    }
  });
  input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) close(); }, 150));
  form.addEventListener("submit", (e) => {
    if (leaving) e.preventDefault();
    close();
  });
})();
