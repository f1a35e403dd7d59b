package journey_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserChatInvitationAndFiles is the journey of proactive
// invitations and files in chat, on both engines: the admin adds an
// invitation rule on the widget settings page (1 s on a page matching
// /checkout*); on the shop's other page the widget stays closed, on the
// checkout page it opens with the rule's message; the visitor starts the
// chat from it and Ingrid accepts; the visitor sends an image, which
// Ingrid sees in the console and on the ticket; the settings page counts
// the invitation shown and accepted.
func TestBrowserChatInvitationAndFiles(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			s, _, _ := chatDesk(t, engine)
			const pw = chatPassword
			shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop: %s</h1><p>Shoes and boots.</p>
<script src="%s/widget.js" async data-lang="en"></script></body></html>`, r.URL.Path, s.url)
			}))
			t.Cleanup(shop.Close)

			ctx := browserFor(t, 4*time.Minute)
			step := stepper(t, ctx)
			vctx, cancel := chromedp.NewContext(ctx)
			t.Cleanup(cancel)
			if err := chromedp.Do(vctx); err != nil {
				t.Fatal(err)
			}
			vstep := stepper(t, vctx)
			eval := func(c context.Context, js string) string {
				t.Helper()
				v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("browser: %s: %v", js, err)
				}
				return v
			}
			wait := func(c context.Context, what, js string) {
				t.Helper()
				deadline := time.Now().Add(30 * time.Second)
				for time.Now().Before(deadline) {
					ec, cancel := context.WithTimeout(c, 5*time.Second)
					v, err := chromedp.Run(ec, chromedp.Evaluate[bool](js))
					cancel()
					if err == nil && v {
						return
					}
					time.Sleep(150 * time.Millisecond)
				}
				t.Fatalf("timed out waiting for %s", what)
			}
			const R = `document.getElementById("ombud-chat").shadowRoot`
			panelOpen := `!!document.getElementById("ombud-chat") && !` + R + `.getElementById("panel").hidden`

			step("the admin adds an invitation rule", signIn(s.url+"/admin/chat", "lead@ombud.test", pw),
				chromedp.WaitVisible(chromedp.ID("invitation-form")),
				chromedp.SetValue(chromedp.ID("i-name"), "Checkout help"),
				chromedp.SetValue(chromedp.ID("i-seconds"), "1"),
				chromedp.SetValue(chromedp.ID("i-url"), "/checkout*"),
				chromedp.SetValue(chromedp.ID("i-msg-en"), "Questions about your order? We are here."),
				chromedp.SetValue(chromedp.ID("i-msg-nb"), "Spørsmål om bestillingen? Vi er her."),
				chromedp.Click(chromedp.ID("invitation-add")),
				chromedp.WaitVisible(chromedp.CSS("#invitation-list tr[data-invitation]")))

			// Another page: the rule does not match, the widget stays closed.
			vstep("the visitor opens the shop's about page", chromedp.Navigate(shop.URL+"/about"))
			wait(vctx, "the widget", `!!document.getElementById("ombud-chat") && !!`+R+`.getElementById("launcher")`)
			time.Sleep(2500 * time.Millisecond)
			if eval(vctx, `String(`+panelOpen+`)`) != "false" {
				t.Fatal("the invitation opened the widget on a page its pattern does not match")
			}
			// The checkout page: after a second the widget opens with the message.
			vstep("the visitor goes to the checkout", chromedp.Navigate(shop.URL+"/checkout/step-1"))
			wait(vctx, "the widget", `!!document.getElementById("ombud-chat") && !!`+R+`.getElementById("launcher")`)
			opened := time.Now()
			wait(vctx, "the invitation", panelOpen+` && !!`+R+`.getElementById("invite")`)
			if time.Since(opened) > 10*time.Second {
				t.Fatalf("the invitation took %v", time.Since(opened))
			}
			if got := eval(vctx, R+`.getElementById("invite").textContent`); got != "Questions about your order? We are here." {
				t.Fatalf("invitation message %q", got)
			}
			screenshot(t, vctx, engine, "chat-invitation.png")

			step("Ingrid opens the chat console", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
				chromedp.WaitVisible(chromedp.ID("email")), signIn(s.url+"/chat", "ingrid@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("offers")))
			eval(vctx, `(() => { const r = `+R+`; r.getElementById("name").value = "Kari"; r.getElementById("email").value = "kari@kunde.example";
				r.getElementById("topic").value = "Can I change the size?"; r.getElementById("start").click(); return "" })()`)
			wait(ctx, "the offer", `!!document.querySelector("#offers .accept")`)
			step("Ingrid accepts", chromedp.Click(chromedp.CSS("#offers .accept")), chromedp.WaitVisible(chromedp.CSS("#chats .chat .reply")))
			wait(vctx, "the chat view", `!!`+R+`.getElementById("attach")`)

			// The visitor attaches an image (through the file picker's change event).
			img := image.NewRGBA(image.Rect(0, 0, 40, 30))
			for x := 0; x < 40; x++ {
				for y := 0; y < 30; y++ {
					img.Set(x, y, color.RGBA{R: uint8(x * 6), G: 90, B: 200, A: 255})
				}
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			b64 := base64.StdEncoding.EncodeToString(buf.Bytes())
			eval(vctx, `(() => { const r = `+R+`; const bin = atob(`+strconv.Quote(b64)+`); const a = new Uint8Array(bin.length);
				for (let i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i);
				const dt = new DataTransfer(); dt.items.add(new File([a], "shoe.png", { type: "image/png" }));
				const input = r.getElementById("file"); input.files = dt.files; input.dispatchEvent(new Event("change")); return "" })()`)
			wait(vctx, "the image in the widget", `Array.from(`+R+`.querySelectorAll("#log li[data-seq] .file img")).some(i => i.complete && i.naturalWidth === 40)`)
			wait(ctx, "the image in the console", `Array.from(document.querySelectorAll("#chats .log li[data-seq] img.chat-image")).some(i => i.complete && i.naturalWidth === 40)`)
			screenshot(t, ctx, engine, "chat-console-file.png")
			if got := eval(ctx, `document.querySelector("#chats .log .file").textContent`); !strings.Contains(got, "shoe.png") {
				t.Fatalf("console file line %q", got)
			}
			// Ingrid sends a file back from the console.
			eval(ctx, `(() => { const dt = new DataTransfer(); dt.items.add(new File(["Return label 42\n"], "label.txt", { type: "application/octet-stream" }));
				const input = document.querySelector("#chats .chat .file-input"); input.files = dt.files; input.dispatchEvent(new Event("change")); return "" })()`)
			wait(vctx, "the agent's file in the widget", `Array.from(`+R+`.querySelectorAll("#log li.agent[data-seq] .file a")).some(a => a.textContent === "label.txt")`)
			ticketID := eval(ctx, `document.querySelector("#chats .chat").dataset.ticket`)
			step("the ticket shows the image", chromedp.Navigate(s.url+"/tickets/"+ticketID), chromedp.WaitVisible(chromedp.CSS("ul.attachments")))
			if got := eval(ctx, `Array.from(document.querySelectorAll("ul.attachments a")).map(a => a.textContent).join(",")`); got != "shoe.png,label.txt" {
				t.Fatalf("ticket attachments %q", got)
			}
			// The lead sees the rule worked: shown once, accepted once.
			step("Ingrid leaves", chromedp.Click(chromedp.CSS("details.user-menu > summary")), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
				chromedp.WaitVisible(chromedp.ID("email")), signIn(s.url+"/admin/chat", "lead@ombud.test", pw), chromedp.WaitVisible(chromedp.ID("invitation-list")))
			got := eval(ctx, `(() => { const r = document.querySelector("#invitation-list tr[data-invitation]"); return r.querySelector(".shown").textContent + "/" + r.querySelector(".dismissed").textContent + "/" + r.querySelector(".accepted").textContent })()`)
			if got != "1/0/1" {
				t.Fatalf("invitation counts shown/dismissed/accepted = %s", got)
			}
		})
	}
}
