package secret

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Signing: links mailed to customers (a satisfaction survey's one-click
// rating) carry an HMAC instead of a stored random token, so a link needs
// no row until it is used. The HMAC key is derived from each key of the
// Box, never the encryption key itself; a link signed before a rotation
// still verifies while the previous key is configured.

// MACSize is the length of a signature in bytes (truncated HMAC-SHA-256:
// 128 bits is plenty against forgery and keeps links short).
const MACSize = 16

func macKey(k []byte) []byte {
	m := hmac.New(sha256.New, k)
	m.Write([]byte("ombud mac key\x00"))
	return m.Sum(nil)
}

func sign(key []byte, purpose string, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(msg)
	return m.Sum(nil)[:MACSize]
}

// Sign returns msg's signature for purpose under the current key; a
// signature made for one purpose does not verify for another.
func (b *Box) Sign(purpose string, msg []byte) []byte {
	return sign(b.current.mac, purpose, msg)
}

// Verify reports whether sig is msg's signature for purpose under any of
// the Box's keys, in constant time per key.
func (b *Box) Verify(purpose string, msg, sig []byte) bool {
	if len(sig) != MACSize {
		return false
	}
	ok := false
	for _, e := range b.byID {
		if hmac.Equal(sign(e.mac, purpose, msg), sig) {
			ok = true
		}
	}
	return ok
}
