// The portal's request forms: a field with a condition ("only if Reason
// is Wrong item") shows only while it holds. The server checks the same
// conditions on submit, so the form works without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-request-form]");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-when]"));
  function value(name) {
    var el = form.elements[name];
    if (!el) { return ""; }
    if (el.type === "checkbox") { return el.checked ? "true" : "false"; }
    return (el.value || "").trim();
  }
  function holds(box) {
    var on = form.querySelector('[data-field="' + box.dataset.when + '"]');
    if (on && on.dataset.when && !holds(on)) { return false; }
    return value(box.dataset.when) === box.dataset.equals;
  }
  function update() {
    boxes.forEach(function (box) {
      var ok = holds(box);
      box.hidden = !ok;
      var c = box.querySelector("input, select, textarea");
      if (c) {
        c.disabled = !ok;
        c.required = ok && box.hasAttribute("data-required");
      }
    });
  }
  form.querySelectorAll(".when-hint").forEach(function (p) { p.hidden = true; });
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}());
