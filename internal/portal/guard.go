package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
)

// The web form's optional spam guards, beside the honeypot and the rate
// limits every post meets (docs/portal.md):
//
//   - a proof-of-work puzzle: the sender's browser asks for a challenge
//     and finds a nonce whose SHA-256 with it starts with N zero bits.
//     It costs a person's browser a fraction of a second once and a bot
//     the same for every post; nothing is sent to a third party.
//   - a CAPTCHA provider: the page embeds the provider's widget, the
//     post carries its token, and Ombud asks the provider's verification
//     endpoint (the siteverify shape hCaptcha, Turnstile and reCAPTCHA
//     share: secret, response, remoteip in; {"success": bool} out).

// Puzzle limits: below 10 bits a puzzle costs a bot nothing; at 26 a slow
// phone needs tens of seconds.
const (
	MinProofOfWork = 10
	MaxProofOfWork = 26
	puzzleLife     = 10 * time.Minute
	purposePuzzle  = "webform.pow"
	purposeCaptcha = "webform_settings.captcha_secret"
	maxCaptchaURL  = 500
)

// Challenge is a proof-of-work puzzle: find a nonce (any text up to 64
// characters) such that SHA-256(challenge + ":" + nonce) starts with
// Difficulty zero bits.
type Challenge struct {
	Challenge  string    `json:"challenge"`
	Difficulty int       `json:"difficulty"`
	Algorithm  string    `json:"algorithm"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// UseGuards gives the service the key that signs puzzles and seals the
// CAPTCHA secret, and the HTTP client that calls the CAPTCHA provider.
func (s *Service) UseGuards(secrets *secret.Box, client *http.Client) {
	s.secrets, s.client = secrets, client
}

func (s *Service) box() *secret.Box {
	if s.secrets == nil {
		s.secrets = secret.Ephemeral() // services built without configuration (unit tests)
	}
	return s.secrets
}

// ErrNoPuzzle answers a challenge request while the form asks for none.
var ErrNoPuzzle = apperr.NotFound("proof-of-work challenge", "form")

// FormChallenge issues a puzzle when the web form is on and asks for one.
// Puzzles are stateless (signed, with their expiry and difficulty inside)
// so issuing one writes nothing; a solved one is spent once.
func (s *Service) FormChallenge(ctx context.Context) (Challenge, error) {
	st, err := s.formSettings(ctx)
	if err != nil {
		return Challenge{}, err
	}
	if !st.Enabled {
		return Challenge{}, ErrFormOff
	}
	if st.ProofOfWork == 0 {
		return Challenge{}, ErrNoPuzzle
	}
	exp := s.now().Add(puzzleLife).Truncate(time.Second)
	p := make([]byte, 16+8+1)
	if _, err := rand.Read(p[:16]); err != nil {
		return Challenge{}, fmt.Errorf("portal: challenge: %w", err)
	}
	binary.BigEndian.PutUint64(p[16:24], uint64(exp.Unix()))
	p[24] = byte(st.ProofOfWork)
	enc := base64.RawURLEncoding
	c := enc.EncodeToString(p) + "." + enc.EncodeToString(s.box().Sign(purposePuzzle, p))
	return Challenge{Challenge: c, Difficulty: st.ProofOfWork, Algorithm: "sha256", ExpiresAt: exp}, nil
}

// checkPuzzle verifies a post's solution when the form asks for one.
func (s *Service) checkPuzzle(st FormSettings, in FormInput, now time.Time) error {
	if st.ProofOfWork == 0 {
		return nil
	}
	if in.PowChallenge == "" {
		return apperr.InvalidField("pow_challenge", "is required: get one from /forms/challenge")
	}
	if in.PowNonce == "" || len(in.PowNonce) > 64 {
		return apperr.InvalidField("pow_nonce", "is required, at most 64 characters")
	}
	enc := base64.RawURLEncoding
	pay, sig, ok := strings.Cut(in.PowChallenge, ".")
	p, err1 := enc.DecodeString(pay)
	mac, err2 := enc.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || len(p) != 25 || !s.box().Verify(purposePuzzle, p, mac) {
		return apperr.InvalidField("pow_challenge", "is not a challenge this server issued")
	}
	if now.Unix() > int64(binary.BigEndian.Uint64(p[16:24])) {
		return apperr.InvalidField("pow_challenge", "has expired: get a new one")
	}
	// The difficulty issued is the one checked, so raising it does not
	// void puzzles already being solved, and lowering it is no shortcut.
	if LeadingZeroBits(in.PowChallenge, in.PowNonce) < int(p[24]) {
		return apperr.InvalidField("pow_nonce", "does not solve the challenge")
	}
	return nil
}

// LeadingZeroBits counts the zero bits SHA-256(challenge + ":" + nonce)
// starts with.
func LeadingZeroBits(challenge, nonce string) int {
	h := sha256.Sum256([]byte(challenge + ":" + nonce))
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// spendPuzzle records a solved puzzle so it files one request only, and
// forgets the ones past their expiry.
func spendPuzzle(ctx context.Context, tx *db.Tx, challenge string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM webform_pow_spent WHERE expires_at < ?`, db.Millis(now)); err != nil {
		return fmt.Errorf("portal: prune puzzles: %w", err)
	}
	// One statement, so two posts racing with the same solution cannot
	// both pass a check made before the insert.
	res, err := tx.ExecContext(ctx, `INSERT INTO webform_pow_spent (challenge, expires_at) VALUES (?, ?) ON CONFLICT (challenge) DO NOTHING`,
		hash("pow\x00"+challenge), db.Millis(now.Add(puzzleLife)))
	if err != nil {
		return fmt.Errorf("portal: spend puzzle: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("portal: spend puzzle: %w", err)
	} else if n == 0 {
		return apperr.InvalidField("pow_challenge", "has been used: get a new one")
	}
	return nil
}

// checkGuards validates the guard settings of a PUT against the stored
// ones and returns the sealed CAPTCHA secret to store.
func (s *Service) checkGuards(in *FormSettings, before FormSettings, fe apperr.FieldErrors) (string, error) {
	if in.ProofOfWork != 0 && (in.ProofOfWork < MinProofOfWork || in.ProofOfWork > MaxProofOfWork) {
		fe.Add("proof_of_work", fmt.Sprintf("must be 0 (off) or from %d to %d", MinProofOfWork, MaxProofOfWork))
	}
	in.CaptchaVerifyURL = strings.TrimSpace(in.CaptchaVerifyURL)
	if u := in.CaptchaVerifyURL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil || len(u) > maxCaptchaURL {
			fe.Add("captcha_verify_url", "must be the provider's verification address, like https://hcaptcha.com/siteverify")
		}
	}
	sealed := before.captchaSecret
	switch {
	case in.CaptchaVerifyURL == "":
		sealed = "" // no provider, no secret kept
	case in.CaptchaSecret != "":
		if len(in.CaptchaSecret) > 500 {
			fe.Add("captcha_secret", "must be at most 500 characters")
			return "", nil
		}
		var err error
		if sealed, err = s.box().Seal(purposeCaptcha, in.CaptchaSecret); err != nil {
			return "", fmt.Errorf("portal: seal captcha secret: %w", err)
		}
	case sealed == "":
		fe.Add("captcha_secret", "is required with a verification address")
	}
	in.CaptchaSecret = ""
	return sealed, nil
}

// checkCaptcha asks the provider whether the post's token is good.
func (s *Service) checkCaptcha(ctx context.Context, st FormSettings, token, addr string) error {
	if st.CaptchaVerifyURL == "" {
		return nil
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 4096 {
		return apperr.InvalidField("captcha_response", "is required: complete the CAPTCHA")
	}
	key, err := s.box().Open(purposeCaptcha, st.captchaSecret)
	if err != nil {
		return fmt.Errorf("portal: open captcha secret: %w", err)
	}
	client := s.client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	form := url.Values{"secret": {key}, "response": {token}}
	if addr != "" {
		form.Set("remoteip", addr)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, st.CaptchaVerifyURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("portal: captcha request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return apperr.Unprocessable("captcha_response", "could not be checked just now: try again in a minute")
	}
	defer resp.Body.Close()
	var out struct {
		Success bool `json:"success"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out) != nil {
		return apperr.Unprocessable("captcha_response", "could not be checked just now: try again in a minute")
	}
	if !out.Success {
		return apperr.InvalidField("captcha_response", "was not accepted: complete the CAPTCHA again")
	}
	return nil
}
