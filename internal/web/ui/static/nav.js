// The header's Admin menu is a <details> disclosure, so it opens and
// closes without this file (and /admin lists the same pages). With it, the
// menu also closes on Escape (focus goes back to its button) and on a click
// or focus outside it, like any menu.
// The name's menu (My profile, Sign out) behaves the same way.
document.querySelectorAll("details.admin-menu, details.user-menu").forEach((menu) => {
  const summary = menu.querySelector("summary");
  const close = () => { menu.open = false; };
  menu.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !menu.open) return;
    e.preventDefault();
    e.stopPropagation();
    close();
    summary.focus();
  });
  document.addEventListener("click", (e) => {
    if (menu.open && !menu.contains(e.target)) close();
  });
  document.addEventListener("focusin", (e) => {
    if (menu.open && !menu.contains(e.target)) close();
  });
});
