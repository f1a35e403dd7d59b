package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// The web form API: a company's own site posts a request to
// /forms/request (docs/portal.md). It is off until an admin turns it on
// and names the sites that may post from a browser (CORS).

// Limits of the web form.
const (
	formsPerAddress = 10 // per client address per formWindow
	formsPerEmail   = 5  // per sender address per formWindow
	formWindow      = 15 * time.Minute
	maxFormMessage  = 20000
	maxOrigins      = 50
)

// FormSettings are the web form's settings.
type FormSettings struct {
	Enabled        bool     `json:"enabled"`
	AllowedOrigins []string `json:"allowed_origins"`
	// ProofOfWork is the puzzle's difficulty in leading zero bits of a
	// SHA-256 (0: no puzzle); see guard.go.
	ProofOfWork int `json:"proof_of_work"`
	// CaptchaVerifyURL is a CAPTCHA provider's verification endpoint
	// (hCaptcha, Turnstile and reCAPTCHA share one shape); empty: none.
	CaptchaVerifyURL string `json:"captcha_verify_url"`
	// CaptchaSecret is write-only: a PUT without it keeps the stored one.
	CaptchaSecret    string    `json:"captcha_secret,omitempty"`
	CaptchaSecretSet bool      `json:"captcha_secret_set"`
	UpdatedAt        time.Time `json:"updated_at"`
	captchaSecret    string    // the sealed stored secret
}

// FormSettings reads the settings (channel.read).
func (s *Service) FormSettings(ctx context.Context, actor authz.Actor) (FormSettings, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return FormSettings{}, err
	}
	return s.formSettings(ctx)
}

func (s *Service) formSettings(ctx context.Context) (FormSettings, error) {
	var st FormSettings
	var origins string
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT enabled, allowed_origins, pow_bits, captcha_url, captcha_secret, updated_at FROM webform_settings WHERE id = 1`).
		Scan(&st.Enabled, &origins, &st.ProofOfWork, &st.CaptchaVerifyURL, &st.captchaSecret, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return FormSettings{AllowedOrigins: []string{}}, nil
	}
	if err != nil {
		return st, fmt.Errorf("portal: form settings: %w", err)
	}
	st.AllowedOrigins = strings.Fields(origins)
	st.CaptchaSecretSet = st.captchaSecret != ""
	st.UpdatedAt = db.Time(at)
	return st, nil
}

// PutFormSettings changes the settings (channel.write); audited.
func (s *Service) PutFormSettings(ctx context.Context, actor authz.Actor, in FormSettings) (FormSettings, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return FormSettings{}, err
	}
	fe := apperr.FieldErrors{}
	fe.MaxItems("allowed_origins", len(in.AllowedOrigins), maxOrigins)
	origins := make([]string, 0, len(in.AllowedOrigins))
	for i, o := range in.AllowedOrigins {
		n, ok := NormalizeOrigin(o)
		if !ok {
			fe.Add(fmt.Sprintf("allowed_origins[%d]", i), "must be a site address like https://shop.example.com")
			continue
		}
		if !slices.Contains(origins, n) {
			origins = append(origins, n)
		}
	}
	before, err := s.formSettings(ctx)
	if err != nil {
		return FormSettings{}, err
	}
	sealed, err := s.checkGuards(&in, before, fe)
	if err != nil {
		return FormSettings{}, err
	}
	if err := fe.Err(); err != nil {
		return FormSettings{}, err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webform_settings WHERE id = 1`); err != nil {
			return fmt.Errorf("portal: form settings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webform_settings (id, enabled, allowed_origins, pow_bits, captcha_url, captcha_secret, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)`,
			in.Enabled, strings.Join(origins, "\n"), in.ProofOfWork, in.CaptchaVerifyURL, sealed, db.Millis(now)); err != nil {
			return fmt.Errorf("portal: form settings: %w", err)
		}
		// The secret itself is never logged, only whether it changed.
		return audit.Record(ctx, tx, now, actor, "webform.settings_updated", "webform", audit.Change(
			map[string]any{"enabled": before.Enabled, "allowed_origins": before.AllowedOrigins, "proof_of_work": before.ProofOfWork,
				"captcha_verify_url": before.CaptchaVerifyURL, "captcha_secret_set": before.CaptchaSecretSet},
			map[string]any{"enabled": in.Enabled, "allowed_origins": origins, "proof_of_work": in.ProofOfWork,
				"captcha_verify_url": in.CaptchaVerifyURL, "captcha_secret_set": sealed != "", "captcha_secret_changed": sealed != before.captchaSecret}))
	})
	if err != nil {
		return FormSettings{}, err
	}
	return s.formSettings(ctx)
}

// NormalizeOrigin reads a site address as a browser's Origin header
// names it: scheme://host[:port], lower case, http or https only.
func NormalizeOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// FormOn reports whether the web form takes requests.
func (s *Service) FormOn(ctx context.Context) (bool, error) {
	st, err := s.formSettings(ctx)
	return st.Enabled, err
}

// OriginAllowed reports whether a browser on origin may post the form.
func (s *Service) OriginAllowed(ctx context.Context, origin string) (bool, error) {
	st, err := s.formSettings(ctx)
	if err != nil || !st.Enabled {
		return false, err
	}
	n, ok := NormalizeOrigin(origin)
	return ok && slices.Contains(st.AllowedOrigins, n), nil
}

// FormInput is one request from a site's form. Website is the honeypot:
// a field people do not see and bots fill in.
type FormInput struct {
	Name    string `json:"name"`
	Email   string `json:"email"`
	Subject string `json:"subject"`
	Message string `json:"message"`
	Website string `json:"website"`
	// PowChallenge and PowNonce answer the proof-of-work puzzle of
	// GET /forms/challenge when the form asks for one.
	PowChallenge string `json:"pow_challenge,omitempty"`
	PowNonce     string `json:"pow_nonce,omitempty"`
	// CaptchaResponse is the token a CAPTCHA widget gave the page.
	CaptchaResponse string `json:"captcha_response,omitempty"`
}

// ErrFormOff answers a post while the web form is off.
var ErrFormOff = apperr.NotFound("web form", "request")

// SubmitForm files a request from a site's form on the web channel, as
// from the sender's address. It returns 0 and no error for a post a bot
// gave away (the honeypot), so the bot learns nothing.
func (s *Service) SubmitForm(ctx context.Context, in FormInput, addr string) (int64, error) {
	st, err := s.formSettings(ctx)
	if err != nil {
		return 0, err
	}
	if !st.Enabled {
		return 0, ErrFormOff
	}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = textcheck.CleanLine(in.Name)
	in.Subject = textcheck.CleanLine(in.Subject)
	fe := apperr.FieldErrors{}
	switch {
	case in.Email == "":
		fe.Add("email", "is required")
	case len(in.Email) > 254 || strings.Count(in.Email, "@") != 1 || strings.HasPrefix(in.Email, "@") || strings.HasSuffix(in.Email, "@") ||
		strings.ContainsFunc(in.Email, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		fe.Add("email", "must be an email address")
	}
	if len([]rune(in.Name)) > 200 {
		fe.Add("name", "must be at most 200 characters")
	}
	if strings.TrimSpace(in.Subject) == "" {
		fe.Add("subject", "is required")
	} else if len([]rune(in.Subject)) > ticket.MaxSubject {
		fe.Add("subject", fmt.Sprintf("must be at most %d characters", ticket.MaxSubject))
	}
	if strings.TrimSpace(in.Message) == "" {
		fe.Add("message", "is required")
	} else if len([]rune(in.Message)) > maxFormMessage {
		fe.Add("message", fmt.Sprintf("must be at most %d characters", maxFormMessage))
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	if err := s.checkPuzzle(st, in, now); err != nil {
		return 0, err
	}
	if err := s.checkCaptcha(ctx, st, in.CaptchaResponse, addr); err != nil {
		return 0, err
	}
	var id int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		for _, b := range []struct {
			bucket string
			limit  int
		}{{hash("form\x00" + addr), formsPerAddress}, {hash("form-email\x00" + in.Email), formsPerEmail}} {
			if err := take(ctx, tx, now, b.bucket, b.limit, formWindow, errFormLimited); err != nil {
				return err
			}
		}
		if st.ProofOfWork > 0 {
			if err := spendPuzzle(ctx, tx, in.PowChallenge, now); err != nil {
				return err
			}
		}
		if strings.TrimSpace(in.Website) != "" {
			return nil // the honeypot: counted, answered alike, filed nowhere
		}
		t, err := s.tickets.CreateTx(ctx, tx, authz.Actor{Kind: authz.KindCustomer}, ticket.CreateInput{Subject: in.Subject, Description: in.Message,
			Channel: "web", Requester: &ticket.RequesterInput{Email: in.Email, Name: in.Name}, Tags: []string{"web_form"}})
		if err != nil {
			return err
		}
		id = t.ID
		return nil
	})
	return id, err
}

var errFormLimited = apperr.RateLimited("too many requests from this address; wait a few minutes and try again")

// take records one attempt in a bucket (portal_attempts), refused with
// refusal past limit per window; rows older than the window (15 minutes
// for both users) are pruned.
// Link requests and form posts share it.
func take(ctx context.Context, tx *db.Tx, now time.Time, bucket string, limit int, window time.Duration, refusal error) error {
	cutoff := db.Millis(now.Add(-window))
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM portal_attempts WHERE bucket = ? AND created_at > ?`, bucket, cutoff).Scan(&n); err != nil {
		return fmt.Errorf("portal: attempts: %w", err)
	}
	if n >= limit {
		return refusal
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM portal_attempts WHERE created_at <= ?`, cutoff); err != nil {
		return fmt.Errorf("portal: prune attempts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_attempts (bucket, created_at) VALUES (?, ?)`, bucket, db.Millis(now)); err != nil {
		return fmt.Errorf("portal: attempt: %w", err)
	}
	return nil
}
