package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Signing follows the Standard Webhooks scheme, so receivers may use its
// libraries or the few lines in docs/webhooks.md:
//
//	webhook-id:        the delivery's id (the same on every retry of it)
//	webhook-timestamp: Unix seconds when this attempt was sent
//	webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))
//
// where key is the base64 part of the subscription's "whsec_…" secret. The
// id and timestamp are under the signature, so a receiver that refuses old
// timestamps and ids it has seen cannot be replayed to.

// Sign returns the webhook-signature value for one attempt.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	return "v1," + mac(key, id, ts.Unix(), body), nil
}

func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhook: the secret is not whsec_ and base64")
	}
	return key, nil
}

func mac(key []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verification errors.
var (
	ErrStale     = errors.New("webhook: timestamp outside the tolerance (an old or replayed request)")
	ErrSignature = errors.New("webhook: no valid signature")
)

// Verify checks a received request the way a receiver should: the
// timestamp within tolerance of now, and one of the space-separated
// signatures matching. (Ombud's own tests receive with it; it is also the
// reference for docs/webhooks.md.)
func Verify(secret, id, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := secretKey(secret)
	if err != nil {
		return err
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrStale
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	want := mac(key, id, ts, body)
	for _, sig := range strings.Fields(signatures) {
		v, s, ok := strings.Cut(sig, ",")
		if ok && v == "v1" && hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrSignature
}
