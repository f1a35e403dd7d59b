package portal

import (
	"fmt"
	"strings"
)

// formSnippet is the HTML an admin copies into their site: the form, and
// with a proof-of-work puzzle the script that solves it before posting.
// Shown as text on the settings page; html/template escapes it there.
func formSnippet(action, challenge string, pow, captcha bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<form id=\"ombud-form\" method=\"post\" action=\"%s\">\n", action)
	b.WriteString(`  <input name="name"> <input name="email" type="email" required>
  <input name="subject" required> <textarea name="message" required></textarea>
  <input name="website" hidden tabindex="-1" autocomplete="off">
  <input type="hidden" name="return_to" value="https://shop.example.com/thanks">
`)
	if captcha {
		b.WriteString("  <!-- your CAPTCHA provider's widget here; its token is posted with the form -->\n")
	}
	if pow {
		b.WriteString("  <input type=\"hidden\" name=\"pow_challenge\"> <input type=\"hidden\" name=\"pow_nonce\">\n")
	}
	b.WriteString("  <button>Send</button>\n</form>")
	if !pow {
		return b.String()
	}
	// The puzzle: SHA-256(challenge + ":" + nonce) must start with
	// difficulty zero bits; the page finds the nonce before it posts.
	fmt.Fprintf(&b, `
<script>
document.getElementById("ombud-form").addEventListener("submit", async function (ev) {
  var f = ev.target;
  if (f.pow_nonce.value) return;
  ev.preventDefault();
  var c = await (await fetch("%s")).json();
  var enc = new TextEncoder();
  for (var n = 0; ; n++) {
    var h = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(c.challenge + ":" + n)));
    var bits = 0, i = 0;
    while (i < h.length && h[i] === 0) { bits += 8; i++; }
    if (i < h.length) bits += Math.clz32(h[i]) - 24;
    if (bits >= c.difficulty) break;
  }
  f.pow_challenge.value = c.challenge;
  f.pow_nonce.value = String(n);
  f.submit();
});
</script>`, challenge)
	return b.String()
}
