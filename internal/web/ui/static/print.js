// The print view's Print button (hidden without JavaScript: the browser's
// own Print command does the same).
const b = document.querySelector("[data-print]");
if (b) {
  b.hidden = false;
  b.addEventListener("click", () => window.print());
}
