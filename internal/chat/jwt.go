package chat

import (
	"errors"
	"net/mail"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxJWTLife is how far ahead an identity token's exp may be.
const MaxJWTLife = 24 * time.Hour

// maxJWT is the longest identity token read (bytes).
const maxJWT = 4096

// jwtLeeway forgives clocks that differ a little.
const jwtLeeway = time.Minute

// identityClaims are an identity token's claims: email (required), name
// (optional), and the registered exp (required), iat and nbf.
type identityClaims struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	jwt.RegisteredClaims
}

// errIdentity says why an identity token was refused (never the secret).
var errIdentity = errors.New("the visitor's identity token is not valid")

// VerifyJWT checks a host site's identity token: HS256 only, signed with
// secret, exp required and at most MaxJWTLife ahead, iat and nbf not in
// the future. It returns the visitor's email and name.
func VerifyJWT(secret, token string, now time.Time) (email, name string, err error) {
	if secret == "" || token == "" || len(token) > maxJWT {
		return "", "", errIdentity
	}
	var c identityClaims
	p := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithLeeway(jwtLeeway), jwt.WithTimeFunc(func() time.Time { return now }))
	t, err := p.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return []byte(secret), nil })
	if err != nil || !t.Valid {
		return "", "", errIdentity
	}
	if c.ExpiresAt.Time.After(now.Add(MaxJWTLife + jwtLeeway)) {
		return "", "", errIdentity
	}
	email = strings.TrimSpace(c.Email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return "", "", errIdentity
	}
	return email, strings.TrimSpace(c.Name), nil
}
