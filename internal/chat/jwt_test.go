package chat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ombud/ombud/internal/chat"
)

const jwtSecret = "a-long-shared-secret-123"

func signJWT(t testing.TB, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyJWT(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	good := jwt.MapClaims{"email": "vera@kunde.example", "name": "Vera", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	// An unsigned token (alg none) and one whose header claims RS256 but
	// is signed with the shared secret as if it were HS256.
	none := signJWT(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good)
	hs := signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), good)
	parts := strings.Split(hs, ".")
	rsHeader := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9" // {"alg":"RS256","typ":"JWT"}
	tests := []struct {
		name, token string
		ok          bool
	}{
		{"good", hs, true},
		{"no name", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("name", nil)), true},
		{"expired", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("exp", now.Add(-2*time.Minute).Unix())), false},
		{"no exp", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("exp", nil)), false},
		{"exp too far ahead", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("exp", now.Add(25*time.Hour).Unix())), false},
		{"not yet valid", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("nbf", now.Add(10*time.Minute).Unix())), false},
		{"issued in the future", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("iat", now.Add(10*time.Minute).Unix())), false},
		{"wrong secret", signJWT(t, jwt.SigningMethodHS256, []byte("another-secret-of-16+"), good), false},
		{"alg none", none, false},
		{"RS256 header", rsHeader + "." + parts[1] + "." + parts[2], false},
		{"HS512", signJWT(t, jwt.SigningMethodHS512, []byte(jwtSecret), good), false},
		{"missing email", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("email", nil)), false},
		{"bad email", signJWT(t, jwt.SigningMethodHS256, []byte(jwtSecret), with("email", "Vera <vera@kunde.example>")), false},
		{"garbage", "not.a.token", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			email, name, err := chat.VerifyJWT(jwtSecret, tt.token, now)
			if tt.ok != (err == nil) {
				t.Fatalf("VerifyJWT: %v, want ok %v", err, tt.ok)
			}
			if tt.ok && (email != "vera@kunde.example" || (tt.name == "good" && name != "Vera")) {
				t.Fatalf("claims %q %q", email, name)
			}
		})
	}
	if _, _, err := chat.VerifyJWT("", hs, now); err == nil {
		t.Fatal("a token verified without a secret")
	}
}

func FuzzVerifyJWT(f *testing.F) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Add(signJWT(f, jwt.SigningMethodHS256, []byte(jwtSecret), jwt.MapClaims{"email": "a@b.example", "exp": now.Add(time.Hour).Unix()}))
	f.Add("eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5leGFtcGxlIn0.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		email, _, err := chat.VerifyJWT(jwtSecret, token, now)
		if err == nil && !strings.Contains(email, "@") {
			t.Fatalf("accepted %q with email %q", token, email)
		}
	})
}
