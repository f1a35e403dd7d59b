// Passkeys (WebAuthn) for My profile and the sign-in pages, without a
// framework. An element with data-passkey="register" (a form with a name
// field) adds a passkey; one with data-passkey="signin" signs in with one.
// Either asks data-options for the options (JSON, binary fields as
// base64url), runs navigator.credentials.create or get, and posts the
// answer to data-finish as JSON; the reply names where to go next.
// Messages come from the element's data-cancelled, data-unsupported and
// data-failed (in the page's language); the server's refusals come
// translated in error.message.

const supported = () => typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

function toBuffer(s) {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

function toBase64url(buf) {
  const bytes = new Uint8Array(buf);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function creationOptions(o) {
  const pk = o.publicKey;
  pk.challenge = toBuffer(pk.challenge);
  pk.user.id = toBuffer(pk.user.id);
  for (const c of pk.excludeCredentials || []) c.id = toBuffer(c.id);
  return { publicKey: pk };
}

function requestOptions(o) {
  const pk = o.publicKey;
  pk.challenge = toBuffer(pk.challenge);
  for (const c of pk.allowCredentials || []) c.id = toBuffer(c.id);
  return { publicKey: pk };
}

// answer is the PublicKeyCredential as JSON (what toJSON() gives where
// browsers have it).
function answer(cred) {
  const r = cred.response;
  const out = {
    id: cred.id, rawId: toBase64url(cred.rawId), type: cred.type,
    clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    response: { clientDataJSON: toBase64url(r.clientDataJSON) },
  };
  if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
  if (r.attestationObject) {
    out.response.attestationObject = toBase64url(r.attestationObject);
    if (r.getTransports) out.response.transports = r.getTransports();
  }
  if (r.authenticatorData) {
    out.response.authenticatorData = toBase64url(r.authenticatorData);
    out.response.signature = toBase64url(r.signature);
    if (r.userHandle) out.response.userHandle = toBase64url(r.userHandle);
  }
  return out;
}

class Refused extends Error {}

async function post(url, body, csrf) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
  let data = {};
  try {
    data = await res.json();
  } catch {
    // not JSON: the message below stands
  }
  if (!res.ok) throw new Refused((data.error && data.error.message) || res.statusText);
  return data;
}

function wire(el) {
  const kind = el.dataset.passkey;
  const errorBox = el.querySelector(".passkey-error");
  const button = el.querySelector("button");
  const show = (msg) => {
    if (errorBox) {
      errorBox.textContent = msg;
      errorBox.hidden = false;
    }
  };
  if (!supported()) {
    show(el.dataset.unsupported); // hidden with its box on the sign-in page
    if (button) button.disabled = true;
    return;
  }
  if (el.dataset.off) return;
  el.hidden = false;
  const csrfField = el.querySelector('input[name="csrf_token"]');
  const csrf = csrfField ? csrfField.value : "";
  const run = async () => {
    if (errorBox) errorBox.hidden = true;
    if (button) button.disabled = true;
    try {
      const opts = await post(el.dataset.options, {}, csrf);
      let body;
      if (kind === "register") {
        const cred = await navigator.credentials.create(creationOptions(opts));
        body = { name: el.querySelector('input[name="name"]').value, passkey: answer(cred) };
      } else {
        const cred = await navigator.credentials.get(requestOptions(opts));
        body = { passkey: answer(cred), next: el.dataset.next || "" };
      }
      const done = await post(el.dataset.finish, body, csrf);
      window.location.assign(done.redirect || "/");
    } catch (e) {
      if (e instanceof Refused) show(e.message);
      else if (e && (e.name === "NotAllowedError" || e.name === "AbortError")) show(el.dataset.cancelled);
      else show(el.dataset.failed);
      if (button) button.disabled = false;
    }
  };
  if (el.tagName === "FORM") {
    el.addEventListener("submit", (ev) => {
      ev.preventDefault();
      run();
    });
  } else if (button) {
    button.addEventListener("click", run);
  }
}

for (const el of document.querySelectorAll("[data-passkey]")) wire(el);
