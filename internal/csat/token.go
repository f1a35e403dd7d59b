package csat

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
)

// Links. A token names a survey, a score (0: the survey page itself, to
// change the answer or add a comment) and an expiry, signed with the
// secret Box (HMAC, purpose "csat"):
//
//	<survey id>.<score>.<expires, unix seconds>.<base64url signature>
//
// Nothing is stored per link, and a link cannot be altered into another
// survey's or another score: each (survey, score) pair has its own
// signature. Using a rating link twice records the same answer once.

// LinkTTL is how long a survey link works after it is sent.
const LinkTTL = 60 * 24 * time.Hour

const tokenPurpose = "csat"

// Token is a verified link.
type Token struct {
	SurveyID int64
	Score    int // 0: the survey page
	Expires  time.Time
}

// errExpired is the refusal of an expired link (IsExpired tells it apart).
var errExpired = apperr.InvalidField("token", "has expired")

// Sign makes the token of a survey link.
func (s *Service) Sign(surveyID int64, score int, expires time.Time) string {
	msg := fmt.Sprintf("%d.%d.%d", surveyID, score, expires.Unix())
	return msg + "." + base64.RawURLEncoding.EncodeToString(s.box.Sign(tokenPurpose, []byte(msg)))
}

// Verify checks a token's signature and expiry: a malformed or altered
// token is apperr invalid ("token"), an expired one invalid with
// IsExpired true.
func (s *Service) Verify(token string) (Token, error) {
	bad := apperr.InvalidField("token", "is not a valid survey link")
	if len(token) > 200 {
		return Token{}, bad
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return Token{}, bad
	}
	msg, sig := token[:i], token[i+1:]
	raw, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !s.box.Verify(tokenPurpose, []byte(msg), raw) {
		return Token{}, bad
	}
	parts := strings.Split(msg, ".")
	if len(parts) != 3 {
		return Token{}, bad
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	score, err2 := strconv.Atoi(parts[1])
	exp, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || id <= 0 || score < 0 || score > 5 {
		return Token{}, bad
	}
	t := Token{SurveyID: id, Score: score, Expires: time.Unix(exp, 0).UTC()}
	if !s.now().Before(t.Expires) {
		return t, errExpired
	}
	return t, nil
}

// IsExpired reports whether err is Verify's refusal of an expired link.
func IsExpired(err error) bool { return err == errExpired }

// Link is the full URL of a survey link.
func (s *Service) Link(token string) string {
	return strings.TrimRight(s.baseURL, "/") + "/survey/" + token
}
