package secret

import (
	"bytes"
	"testing"
)

func TestSignVerify(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize)
	old, _ := NewBox(k1)
	rotated, _ := NewBox(k2, k1)
	other, _ := NewBox(k2)
	sig := old.Sign("csat", []byte("7.5"))
	tests := []struct {
		name    string
		box     *Box
		purpose string
		msg     string
		sig     []byte
		want    bool
	}{
		{"same key", old, "csat", "7.5", sig, true},
		{"after a rotation", rotated, "csat", "7.5", sig, true},
		{"key dropped", other, "csat", "7.5", sig, false},
		{"other purpose", old, "reset", "7.5", sig, false},
		{"changed message", old, "csat", "7.1", sig, false},
		{"short signature", old, "csat", "7.5", sig[:8], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.box.Verify(tc.purpose, []byte(tc.msg), tc.sig); got != tc.want {
				t.Fatalf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}
