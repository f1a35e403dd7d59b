package config

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestTrustedMTA(t *testing.T) {
	tests := []struct {
		name      string
		env, args map[string]string
		wantIDs   string
		wantPeers string
		wantErr   string
	}{
		{name: "default none"},
		{name: "ids and peers", args: map[string]string{"trusted-mta": "MX.example.com, 10.0.0.0/8 ,192.0.2.7, ::1"},
			wantIDs: "[mx.example.com]", wantPeers: "[10.0.0.0/8 192.0.2.7/32 ::1/128]"},
		{name: "ids only (IMAP)", env: map[string]string{"OMBUD_TRUSTED_MTA": "mx.example.com,spam.example.com"}, wantIDs: "[mx.example.com spam.example.com]", wantPeers: "[]"},
		{name: "host bits masked", args: map[string]string{"trusted-mta": "mx,10.1.2.3/8"}, wantIDs: "[mx]", wantPeers: "[10.0.0.0/8]"},
		{name: "peers without an id", args: map[string]string{"trusted-mta": "127.0.0.1"}, wantErr: "no authserv-id"},
		{name: "not an address or name", args: map[string]string{"trusted-mta": "mx, 10.0.0.0/33"}, wantErr: "10.0.0.0/33"},
		{name: "mail dns server", args: map[string]string{"mail-dns": "127.0.0.1:53"}, wantIDs: "[]", wantPeers: "[]"},
		{name: "mail dns off", env: map[string]string{"OMBUD_MAIL_DNS": "off"}, wantIDs: "[]", wantPeers: "[]"},
		{name: "bad mail dns", args: map[string]string{"mail-dns": "dns.example"}, wantErr: "--mail-dns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			envErr := c.Bind(fs, func(k string) string { return tt.env[k] }, true)
			var args []string
			for k, v := range tt.args {
				args = append(args, "--"+k, v)
			}
			if err := fs.Parse(args); err != nil {
				t.Fatal(err)
			}
			err := *envErr
			if err == nil {
				err = c.Validate()
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ids, peers, _ := c.TrustedMTAs()
			if tt.wantIDs == "" {
				return
			}
			if got := fmt.Sprint(ids); got != tt.wantIDs {
				t.Errorf("ids = %s, want %s", got, tt.wantIDs)
			}
			if got := fmt.Sprint(peers); got != tt.wantPeers {
				t.Errorf("peers = %s, want %s", got, tt.wantPeers)
			}
		})
	}
}
