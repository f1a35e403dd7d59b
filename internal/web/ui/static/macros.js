// The macro picker on the ticket page (templates/ticket.html): a text box
// over the macro <select> that filters the macros as the agent types, most
// used first (the server orders the options so). Up and down move, Enter
// previews the chosen macro, Escape closes the list. Without this file the
// select works as it is.
(() => {
  const select = document.getElementById("macro-id");
  const input = document.getElementById("macro-search");
  const list = document.getElementById("macro-list");
  const status = document.getElementById("macro-status");
  if (!select || !input || !list || !status) return;
  const form = select.form;
  const fill = (tpl, ...args) => { let i = 0; return (tpl || "").replace(/%s/g, () => String(args[i++] ?? "")); };
  const macros = [...select.options].filter((o) => o.value).map((o) => ({ id: o.value, name: o.textContent }));
  const chosen = select.selectedOptions[0];
  select.hidden = true;
  select.required = false;
  input.hidden = false;
  if (chosen && chosen.value) input.value = chosen.textContent;
  const label = form.querySelector('label[for="macro-id"]');
  if (label) label.htmlFor = "macro-search";
  let shown = [], active = -1;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    shown = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
    if (i < 0) { input.removeAttribute("aria-activedescendant"); return; }
    input.setAttribute("aria-activedescendant", list.children[i].id);
    list.children[i].scrollIntoView({ block: "nearest" });
  };
  const choose = (i) => {
    const m = shown[i];
    if (!m) return;
    select.value = m.id;
    input.value = m.name;
    close();
    form.requestSubmit();
  };
  const open = () => {
    const q = input.value.trim().toLowerCase();
    shown = macros.filter((m) => m.name.toLowerCase().includes(q));
    list.replaceChildren();
    shown.forEach((m, i) => {
      const li = document.createElement("li");
      li.id = `macro-opt-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = m.name;
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
      list.append(li);
    });
    list.hidden = shown.length === 0;
    input.setAttribute("aria-expanded", shown.length ? "true" : "false");
    status.textContent = shown.length ? fill(input.dataset.count, shown.length) : input.dataset.none;
    highlight(shown.length ? 0 : -1);
  };
  input.addEventListener("input", () => { select.value = ""; open(); });
  input.addEventListener("focus", open);
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (list.hidden) { open(); return; }
      const n = shown.length;
      if (n) highlight(e.key === "ArrowDown" ? (active + 1) % n : (active - 1 + n) % n);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (!list.hidden && active >= 0) choose(active);
      else if (select.value) form.requestSubmit();
    } else if (e.key === "Escape") {
      if (!list.hidden) { e.preventDefault(); close(); }
    }
  });
  form.addEventListener("submit", (e) => {
    if (!select.value) { e.preventDefault(); open(); input.focus(); }
  });
})();
