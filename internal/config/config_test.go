package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestBindAndValidate(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:8080" || c.DataDir != "./ombud-data" || c.Demo {
				t.Fatalf("defaults: %+v", c)
			}
		}},
		{name: "env", env: map[string]string{"OMBUD_ADDR": "127.0.0.1:9999", "OMBUD_DEMO": "true", "OMBUD_SHUTDOWN_WAIT": "3s"}, check: func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:9999" || !c.Demo || c.ShutdownWait != 3*time.Second {
				t.Fatalf("env: %+v", c)
			}
		}},
		{name: "flag beats env", env: map[string]string{"OMBUD_ADDR": "127.0.0.1:9999"}, args: []string{"--addr", "127.0.0.1:7000"}, check: func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:7000" {
				t.Fatalf("addr = %s", c.Addr)
			}
		}},
		{name: "bad url", args: []string{"--database-url", "mysql://x"}, wantErr: "postgres://"},
		{name: "bad addr", args: []string{"--addr", "nonsense"}, wantErr: "--addr"},
		{name: "bad log", args: []string{"--log-format", "xml"}, wantErr: "--log-format"},
		{name: "secret keys from env", env: map[string]string{"OMBUD_SECRET_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="},
			check: func(t *testing.T, c Config) {
				if !strings.HasPrefix(c.SecretKey, "AQEB") || !strings.Contains(c.SecretKey, ",AgIC") {
					t.Fatalf("secret key = %q", c.SecretKey)
				}
			}},
		{name: "bad secret key", env: map[string]string{"OMBUD_SECRET_KEY": "hunter2"}, wantErr: "OMBUD_SECRET_KEY"},
		{name: "https base url sets secure cookie", args: []string{"--base-url", "https://help.example.com"}, check: func(t *testing.T, c Config) {
			if !c.SecureCookie {
				t.Fatal("SecureCookie not set")
			}
		}},
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
			tt.check(t, c)
		})
	}
}
