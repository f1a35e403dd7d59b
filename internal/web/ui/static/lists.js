// Ticket lists: a select-all box for the page's tickets, and the bulk bar
// shown only while something is selected. Without this file the box stays
// hidden and the bar stays visible, so the form still works.
const form = document.querySelector("form.bulk-form");
const bar = document.getElementById("bulk-bar");
const all = document.getElementById("select-all");
if (form && bar) {
  const boxes = () => Array.from(form.querySelectorAll('input[name="ids"]'));
  const sync = () => {
    const bs = boxes(), n = bs.filter((b) => b.checked).length;
    bar.hidden = n === 0;
    if (all) {
      all.checked = n > 0 && n === bs.length;
      all.indeterminate = n > 0 && n < bs.length;
    }
  };
  if (all) {
    all.hidden = false;
    all.addEventListener("change", () => {
      boxes().forEach((b) => { b.checked = all.checked; });
      sync();
    });
  }
  form.addEventListener("change", sync);
  // The "x" key (app.js) ticks boxes without a change event.
  document.addEventListener("keyup", (e) => { if (e.key === "x") sync(); });
  sync();
}
