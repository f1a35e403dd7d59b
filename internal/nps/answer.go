package nps

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// Links. A token names a send, a score (-1: the page itself) and an
// expiry, signed with the secret Box (HMAC, purpose "nps"):
//
//	<send id>.<score>.<expires, unix seconds>.<base64url signature>
//
// Nothing is stored per link, and a link cannot be altered into another
// send's or another score. Opening a link records nothing (a mail scanner
// that follows every link answers nothing); the page's form does.

// LinkTTL is how long a survey link works after it is sent; the answer can
// change until then.
const LinkTTL = 60 * 24 * time.Hour

const tokenPurpose = "nps"

// Token is a verified link.
type Token struct {
	SendID  int64
	Score   int // -1: the page link
	Expires time.Time
}

// errExpired is the refusal of an expired link (IsExpired tells it apart).
var errExpired = apperr.InvalidField("token", "has expired")

// IsExpired reports whether err is the refusal of an expired link.
func IsExpired(err error) bool { return err == errExpired }

// Sign makes the token of a survey link (score -1 for the page).
func (s *Service) Sign(sendID int64, score int, expires time.Time) string {
	msg := fmt.Sprintf("%d.%d.%d", sendID, score, expires.Unix())
	return msg + "." + base64.RawURLEncoding.EncodeToString(s.box.Sign(tokenPurpose, []byte(msg)))
}

// Link is the full URL of a survey link.
func (s *Service) Link(token string) string { return s.baseURL + "/nps/" + token }

// Verify checks a token's signature and expiry.
func (s *Service) Verify(token string) (Token, error) {
	bad := apperr.InvalidField("token", "is not a valid survey link")
	parts, ok := s.verifySigned(tokenPurpose, token, 3)
	if !ok {
		return Token{}, bad
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	score, err2 := strconv.Atoi(parts[1])
	exp, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || id <= 0 || score < -1 || score > 10 {
		return Token{}, bad
	}
	t := Token{SendID: id, Score: score, Expires: time.Unix(exp, 0).UTC()}
	if !s.now().Before(t.Expires) {
		return t, errExpired
	}
	return t, nil
}

// verifySigned splits a "<fields>.<signature>" token with n fields and
// checks its signature for purpose.
func (s *Service) verifySigned(purpose, token string, n int) ([]string, bool) {
	if len(token) > 200 {
		return nil, false
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return nil, false
	}
	msg, sig := token[:i], token[i+1:]
	raw, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !s.box.Verify(purpose, []byte(msg), raw) {
		return nil, false
	}
	parts := strings.Split(msg, ".")
	return parts, len(parts) == n
}

// Send is one survey sent to one customer, with its current answer.
type Send struct {
	ID             int64      `json:"id"`
	CampaignID     int64      `json:"campaign_id"`
	CustomerID     int64      `json:"customer_id"`
	OrganizationID int64      `json:"organization_id"`
	Language       string     `json:"language"`
	SentAt         time.Time  `json:"sent_at"`
	Score          int        `json:"score"` // -1: not answered
	Reason         string     `json:"reason"`
	AnsweredAt     *time.Time `json:"answered_at"`
}

func getSend(ctx context.Context, q db.Querier, id int64) (Send, error) {
	var v Send
	var sent int64
	var ans sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, campaign_id, customer_id, organization_id, language, sent_at, score, reason, answered_at FROM nps_sends WHERE id = ?`, id).
		Scan(&v.ID, &v.CampaignID, &v.CustomerID, &v.OrganizationID, &v.Language, &sent, &v.Score, &v.Reason, &ans)
	if errors.Is(err, sql.ErrNoRows) {
		return Send{}, apperr.NotFound("survey", id)
	}
	if err != nil {
		return Send{}, fmt.Errorf("nps: send %d: %w", id, err)
	}
	v.SentAt = db.Time(sent)
	if ans.Valid {
		t := db.Time(ans.Int64)
		v.AnsweredAt = &t
	}
	return v, nil
}

// Page is what the public survey page shows for a link.
type Page struct {
	Send      Send
	Question  string
	Chosen    int    // the score of the link (-1: the page link)
	PageToken string // the page link, for the form
	Expires   time.Time
}

// Open verifies a link and returns its page. Errors: invalid (tampered,
// malformed or expired: IsExpired), not_found.
func (s *Service) Open(ctx context.Context, token string) (Page, error) {
	tok, err := s.Verify(token)
	if err != nil {
		return Page{}, err
	}
	v, err := getSend(ctx, s.db, tok.SendID)
	if err != nil {
		return Page{}, err
	}
	c, err := getCampaign(ctx, s.db, v.CampaignID)
	if err != nil {
		return Page{}, err
	}
	return Page{Send: v, Question: s.question(c, v.Language), Chosen: tok.Score, PageToken: s.Sign(v.ID, -1, tok.Expires), Expires: tok.Expires}, nil
}

// Answer records a score (0–10) and an optional reason given through a
// link of the send; a later answer replaces it. Topic rules tag the
// reason in the same transaction.
func (s *Service) Answer(ctx context.Context, token string, score int, reason string) (Page, error) {
	p, err := s.Open(ctx, token)
	if err != nil {
		return Page{}, err
	}
	if score < 0 || score > 10 {
		return Page{}, apperr.InvalidField("score", "must be from 0 to 10")
	}
	// A customer's reason is cleaned, not refused: control characters go.
	reason = strings.TrimSpace(textcheck.CleanBody(strings.ReplaceAll(reason, "\r\n", "\n")))
	if utf8.RuneCountInString(reason) > MaxReason {
		return Page{}, apperr.InvalidField("reason", fmt.Sprintf("must be at most %d characters", MaxReason))
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE nps_sends SET score = ?, reason = ?, answered_at = ? WHERE id = ?`,
			score, reason, db.Millis(now), p.Send.ID); err != nil {
			return fmt.Errorf("nps: answer %d: %w", p.Send.ID, err)
		}
		if err := s.sendChanged(ctx, tx, p.Send.ID); err != nil {
			return err
		}
		return s.tagByRules(ctx, tx, SourceNPS, p.Send.ID, p.Send.Language, reason, now)
	})
	if err != nil {
		return Page{}, err
	}
	return s.Open(ctx, token)
}

func encodeSig(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
