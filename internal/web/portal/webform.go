package portal

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed admin/templates/*.html
var adminFS embed.FS

// adminPages parses the web form's settings page with the agent layout.
func adminPages(shared *ui.UI) (map[string]*template.Template, error) {
	sub, err := fs.Sub(adminFS, "admin")
	if err != nil {
		return nil, err
	}
	return shared.Parse(sub, "webform", "portalforms")
}

// FormReply is the web form's answer: the ticket number, except for a
// post the honeypot caught.
type FormReply struct {
	Status   string `json:"status"`
	TicketID int64  `json:"ticket_id,omitempty"`
}

// cors answers whether the request's site may post, setting the CORS
// headers when it may. A request without an Origin (a site's server
// posting) needs none.
func (u *UI) cors(w http.ResponseWriter, r *http.Request) (bool, error) {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if origin == "" {
		return true, nil
	}
	ok, err := u.Portal.OriginAllowed(r.Context(), origin)
	if err != nil || !ok {
		return false, err
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	return true, nil
}

// FormPreflight answers OPTIONS /forms/request: a browser asking whether a
// site may post JSON.
func (u *UI) FormPreflight(w http.ResponseWriter, r *http.Request) error {
	ok, err := u.cors(w, r)
	if err != nil {
		return err
	}
	if !ok {
		return httpx.WriteJSON(w, http.StatusForbidden, errorBody(errSiteRefused))
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func errorBody(err error) httpx.ErrorBody {
	e := apperr.As(err)
	return httpx.ErrorBody{Error: httpx.ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}}
}

// errSiteRefused answers a browser on a site not allowed to post the form.
var errSiteRefused = apperr.Forbidden("this site may not post the web form")

// formFail answers the form's callers in JSON, refusals included (they
// are scripts on other sites, not agents' pages).
func formFail(w http.ResponseWriter, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	status := httpx.Status(ae.Code)
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "900")
	}
	return httpx.WriteJSON(w, status, errorBody(err))
}

// SubmitForm answers POST /forms/request (JSON or form: name, email,
// subject, message, website as the honeypot; a form may name return_to, a
// page on an allowed site to go back to). Answers are JSON, errors
// included, naming the field.
func (u *UI) SubmitForm(w http.ResponseWriter, r *http.Request) error {
	fail := func(err error) error { return formFail(w, err) }
	if on, err := u.Portal.FormOn(r.Context()); err != nil || !on {
		if err == nil {
			err = portal.ErrFormOff
		}
		return fail(err)
	}
	ok, err := u.cors(w, r)
	if err != nil {
		return err
	}
	if !ok {
		return fail(errSiteRefused)
	}
	var in portal.FormInput
	returnTo := ""
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return fail(err)
		}
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return fail(apperr.InvalidField("body", "could not be read"))
		}
		f := r.PostForm
		in = portal.FormInput{Name: f.Get("name"), Email: f.Get("email"), Subject: f.Get("subject"), Message: f.Get("message"), Website: f.Get("website"),
			PowChallenge: f.Get("pow_challenge"), PowNonce: f.Get("pow_nonce"), CaptchaResponse: captchaToken(f)}
		returnTo = f.Get("return_to")
	default:
		return fail(&apperr.Error{Code: apperr.CodeUnsupported, Message: "send JSON or a form"})
	}
	if returnTo != "" {
		if !u.returnAllowed(r, returnTo) {
			return fail(apperr.InvalidField("return_to", "must be a page on a site allowed to post the web form"))
		}
	}
	id, err := u.Portal.SubmitForm(r.Context(), in, httpx.ClientAddr(r, u.proxies))
	if err != nil {
		return fail(err)
	}
	if returnTo != "" {
		sep := "?"
		if strings.Contains(returnTo, "?") {
			sep = "&"
		}
		http.Redirect(w, r, returnTo+sep+"ombud_request="+fmt.Sprint(id), http.StatusSeeOther)
		return nil
	}
	return httpx.WriteJSON(w, http.StatusCreated, FormReply{Status: "received", TicketID: id})
}

// captchaToken is the CAPTCHA widget's token of a posted form: the
// providers' widgets add it under their own names.
func captchaToken(f url.Values) string {
	for _, k := range []string{"captcha_response", "h-captcha-response", "cf-turnstile-response", "g-recaptcha-response"} {
		if v := f.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// returnAllowed reports whether a form's return_to is on an allowed site.
func (u *UI) returnAllowed(r *http.Request, to string) bool {
	p, err := url.Parse(to)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return false
	}
	ok, err := u.Portal.OriginAllowed(r.Context(), p.Scheme+"://"+p.Host)
	return err == nil && ok
}

// FormSettingsPage answers GET /admin/web-form.
func (u *UI) FormSettingsPage(w http.ResponseWriter, r *http.Request) error {
	st, err := u.Portal.FormSettings(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") == "1" {
		flash = "Settings saved."
	}
	return u.formSettings(w, r, http.StatusOK, st, flash, "", nil)
}

func (u *UI) formSettings(w http.ResponseWriter, r *http.Request, status int, st portal.FormSettings, flash, problem string, errs map[string]string) error {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if errs == nil {
		errs = map[string]string{}
	}
	return u.shared.Render(w, r, status, u.admin["webform"], ui.PageData{Title: "Web form", Nav: "admin", Flash: flash, Error: problem,
		Data: map[string]any{"S": st, "Origins": strings.Join(st.AllowedOrigins, "\n"), "Action": scheme + "://" + r.Host + "/forms/request",
			"Snippet": formSnippet(scheme+"://"+r.Host+"/forms/request", scheme+"://"+r.Host+"/forms/challenge", st.ProofOfWork > 0, st.CaptchaVerifyURL != ""), "Errs": errs, "MinPow": portal.MinProofOfWork, "MaxPow": portal.MaxProofOfWork}})
}

// SaveFormSettings answers POST /admin/web-form (form).
func (u *UI) SaveFormSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	f := r.PostForm
	in := portal.FormSettings{Enabled: f.Get("enabled") == "on", AllowedOrigins: strings.Fields(f.Get("allowed_origins")),
		CaptchaVerifyURL: f.Get("captcha_verify_url"), CaptchaSecret: f.Get("captcha_secret")}
	errs := map[string]string{}
	if v := strings.TrimSpace(f.Get("proof_of_work")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs["proof_of_work"] = u.shared.MsgIn(u.shared.Lang(r), "must be a whole number")
		}
		in.ProofOfWork = n
	}
	if len(errs) == 0 {
		_, err := u.Portal.PutFormSettings(r.Context(), httpx.Actor(r.Context()), in)
		if err == nil {
			http.Redirect(w, r, "/admin/web-form?saved=1", http.StatusSeeOther)
			return nil
		}
		e, ok := ui.Refusal(err)
		if !ok || e.Code != apperr.CodeInvalid {
			return err
		}
		for k, m := range u.shared.ErrIn(r, err).Fields {
			field, _, _ := strings.Cut(k, "[") // allowed_origins[2] is the origins box
			errs[field] = strings.TrimSpace(errs[field] + " " + m)
		}
	}
	in.CaptchaSecret = ""
	return u.formSettings(w, r, http.StatusUnprocessableEntity, in, "", "Check the settings.", errs)
}
