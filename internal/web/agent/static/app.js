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
    case "n": {
      const note = document.querySelector('input[name="public"][value="false"]');
      const b = document.getElementById("body");
      if (note && b) { e.preventDefault(); note.checked = true; b.focus(); }
      break;
    }
  }
});
