// The rule builder (templates/rulebuilder.html) in place: adding and
// removing condition and action rows, switching a condition's comparison
// and value control when its field changes (from the catalog the server
// renders), showing an action's controls for its type, and the "Preview
// matches" answer without leaving the page. Without this file every one of
// these is a submit button the server answers with the form again.
(() => {
  const box = document.getElementById("rb-actions");
  if (!box) return;
  const form = box.closest("form");
  const catEl = document.getElementById("rule-catalog");
  const catalog = catEl ? JSON.parse(catEl.textContent || "{}") : {};
  for (const b of form.querySelectorAll(".rb-nojs")) b.hidden = true;

  const rows = (sec) => [...form.querySelectorAll(`ol.rb-rows[data-section="${sec}"] > li`)];
  const indexOf = (li) => Number((li.dataset.prefix.match(/\[(\d+)\]/) || [])[1] || 0);

  // Condition numbers run through "all" and then "any"; actions on their own.
  const renumber = () => {
    let n = 0;
    for (const li of [...rows("all"), ...rows("any")]) {
      n++;
      const num = li.querySelector(".rb-num");
      if (num) num.textContent = num.textContent.replace(/\d+/, String(n));
    }
    rows("act").forEach((li, i) => {
      const num = li.querySelector(".rb-num");
      if (num) num.textContent = num.textContent.replace(/\d+/, String(i + 1));
    });
  };

  const addRow = (sec) => {
    const tpl = document.getElementById(sec === "act" ? "rb-tpl-act" : "rb-tpl-cond");
    const list = form.querySelector(`ol.rb-rows[data-section="${sec}"]`);
    if (!tpl || !list) return;
    const next = Math.max(-1, ...rows(sec).map(indexOf)) + 1;
    const from = sec === "act" ? "act" : "all";
    const html = tpl.innerHTML
      .replaceAll(`${from}[999]`, `${sec}[${next}]`)
      .replaceAll(`${from}-999`, `${sec}-${next}`);
    list.insertAdjacentHTML("beforeend", html);
    const li = list.lastElementChild;
    for (const b of li.querySelectorAll(".rb-nojs")) b.hidden = true;
    renumber();
    const first = li.querySelector("select");
    if (first) first.focus();
  };

  const option = (v, l, on) => {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = l;
    o.selected = !!on;
    return o;
  };

  // valueControl builds the control a field's value needs for an operator.
  const valueControl = (li, field, op) => {
    const slot = li.querySelector(".rb-value-slot");
    const old = slot.querySelector(".rb-value");
    const name = old.name, id = old.id;
    const keep = old.multiple ? [...old.selectedOptions].map((o) => o.value) : [old.value];
    const entry = catalog[field];
    const kind = entry ? entry.controls[op] || "none" : "none";
    let el;
    if (kind === "select" || kind === "multi") {
      el = document.createElement("select");
      el.multiple = kind === "multi";
      if (el.multiple) el.size = 4;
      for (const o of entry.options || []) el.append(option(o.v, o.l, keep.includes(o.v)));
    } else {
      el = document.createElement("input");
      el.type = { number: "number", date: "date", none: "hidden" }[kind] || "text";
      if (kind === "number") el.step = "any";
      if (kind === "tags") el.setAttribute("list", "rule-tags");
      if (old.tagName === "INPUT" && old.type === el.type) el.value = old.value;
    }
    el.name = name;
    el.id = id;
    el.className = "rb-value";
    old.replaceWith(el);
  };

  const fieldChanged = (li) => {
    const field = li.querySelector(".rb-field").value;
    const opSel = li.querySelector(".rb-op");
    const entry = catalog[field];
    const was = opSel.value;
    opSel.replaceChildren();
    for (const o of (entry && entry.ops) || []) opSel.append(option(o.v, o.l, o.v === was));
    valueControl(li, field, opSel.value);
  };

  const typeChanged = (li) => {
    const typ = li.querySelector(".rb-type").value;
    for (const part of li.querySelectorAll(".rb-part")) {
      part.hidden = !part.dataset.for.split(" ").includes(typ);
    }
    for (const s of li.querySelectorAll(".rb-notify-only")) s.hidden = typ !== "notify";
  };
  for (const li of rows("act")) typeChanged(li);

  form.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b || !form.contains(b)) return;
    if (b.name === "add" && b.dataset.section) {
      e.preventDefault();
      addRow(b.dataset.section);
    } else if (b.name === "remove" && b.closest("ol.rb-rows")) {
      e.preventDefault();
      b.closest("li").remove();
      renumber();
    } else if (b.id === "rb-preview-button") {
      e.preventDefault();
      preview(b);
    }
  });

  form.addEventListener("change", (e) => {
    const li = e.target.closest("li.rb-row");
    if (!li) return;
    if (e.target.matches(".rb-field")) fieldChanged(li);
    else if (e.target.matches(".rb-op")) valueControl(li, li.querySelector(".rb-field").value, e.target.value);
    else if (e.target.matches(".rb-type")) typeChanged(li);
  });

  // preview posts the form as the button would and puts the answer's
  // preview (and the conditions, with any messages on their rows) in place.
  let busy = false;
  const preview = async (b) => {
    if (busy) return;
    busy = true;
    b.setAttribute("aria-busy", "true");
    try {
      const body = new URLSearchParams(new FormData(form));
      body.set("preview", "1");
      const resp = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      for (const id of ["rb-preview", "rb-conditions"]) {
        const fresh = doc.getElementById(id), here = document.getElementById(id);
        if (fresh && here) here.replaceWith(document.importNode(fresh, true));
      }
      for (const x of form.querySelectorAll(".rb-nojs")) x.hidden = true;
      const out = document.getElementById("rb-preview");
      if (out) out.scrollIntoView({ block: "nearest" });
    } finally {
      busy = false;
      const again = document.getElementById("rb-preview-button");
      if (again) again.removeAttribute("aria-busy");
    }
  };
})();
