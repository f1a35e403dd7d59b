package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestMetricsSettings(t *testing.T) {
	token := "0123456789abcdef0123"
	tests := []struct {
		name              string
		env               map[string]string
		args              []string
		wantErr           string
		wantAddr, wantTok string
	}{
		{name: "default: no address, no token"},
		{name: "from the environment", env: map[string]string{"OMBUD_METRICS_ADDR": "127.0.0.1:9100", "OMBUD_METRICS_TOKEN": token},
			wantAddr: "127.0.0.1:9100", wantTok: token},
		{name: "flags", args: []string{"--metrics-addr", "0.0.0.0:9100", "--metrics-token", token}, wantAddr: "0.0.0.0:9100", wantTok: token},
		{name: "bad address", args: []string{"--metrics-addr", "nonsense"}, wantErr: "--metrics-addr"},
		{name: "the HTTP address itself", args: []string{"--addr", "127.0.0.1:8080", "--metrics-addr", "127.0.0.1:8080"}, wantErr: "--metrics-addr"},
		{name: "short token", env: map[string]string{"OMBUD_METRICS_TOKEN": "hunter2"}, wantErr: "--metrics-token"},
		{name: "token with spaces", args: []string{"--metrics-token", "0123456789 abcdef0123"}, wantErr: "--metrics-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			envErr := c.Bind(fs, func(k string) string { return tt.env[k] }, true)
			if err := fs.Parse(tt.args); err != nil {
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
			if c.MetricsAddr != tt.wantAddr || c.MetricsToken != tt.wantTok {
				t.Fatalf("metrics addr %q token %q, want %q %q", c.MetricsAddr, c.MetricsToken, tt.wantAddr, tt.wantTok)
			}
		})
	}
}

func TestHTTPS(t *testing.T) {
	for _, tt := range []struct {
		base string
		want bool
	}{
		{"", false}, {"http://help.example.com", false}, {"https://help.example.com", true}, {"HTTPS://help.example.com/", true},
		{"https://", false}, {"httpsx://help.example.com", false}, {"http://https.example.com", false},
	} {
		if got := (Config{BaseURL: tt.base}).HTTPS(); got != tt.want {
			t.Errorf("HTTPS() for base URL %q = %v, want %v", tt.base, got, tt.want)
		}
	}
}
