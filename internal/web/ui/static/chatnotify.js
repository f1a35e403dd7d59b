// Sound and desktop notification for new chat offers, shared by the chat
// console (chat.js) and the chat dock (dock.js): load this module before
// them. The agent's choice is kept in localStorage, so it holds in both.
const KEY = "ombud-chat-notify";
globalThis.ombudChatNotify = {
  get on() { return localStorage.getItem(KEY) === "1"; },
  set(on) {
    localStorage.setItem(KEY, on ? "1" : "0");
    if (on && "Notification" in window && Notification.permission === "default") Notification.requestPermission();
  },
  // bind ties a checkbox to the choice.
  bind(box) {
    box.checked = this.on;
    box.addEventListener("change", () => this.set(box.checked));
  },
  beep() {
    try {
      const ctx = new AudioContext();
      const o = ctx.createOscillator();
      o.frequency.value = 880;
      o.connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.15);
    } catch { /* no sound */ }
  },
  announce(title, body) {
    if (!this.on) return;
    this.beep();
    if ("Notification" in window && Notification.permission === "granted") new Notification(title, { body });
  },
};
