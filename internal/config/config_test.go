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
		{name: "sqlite memory from env and flags", env: map[string]string{"OMBUD_SQLITE_READERS": "3", "OMBUD_SQLITE_MMAP": "-1", "OMBUD_SQLITE_READ_CACHE": "4"},
			args: []string{"--sqlite-write-cache", "24", "--sqlite-read-cache", "6"}, check: func(t *testing.T, c Config) {
				if want := (SQLite{Readers: 3, ReadCacheMiB: 6, WriteCacheMiB: 24, MmapMiB: -1}); c.SQLite != want {
					t.Fatalf("SQLite = %+v, want %+v", c.SQLite, want)
				}
			}},
		{name: "collector defaults", check: func(t *testing.T, c Config) {
			if want := (GC{Percent: DefaultGCPercent, HeapGoalMiB: DefaultGCHeapGoalMiB}); c.GC != want {
				t.Fatalf("GC = %+v, want %+v", c.GC, want)
			}
		}},
		{name: "collector default on PostgreSQL", args: []string{"--database-url", "postgres://localhost/ombud"}, check: func(t *testing.T, c Config) {
			if want := (GC{Percent: DefaultGCPercent, HeapGoalMiB: DefaultGCHeapGoalPostgresMiB}); c.GC != want {
				t.Fatalf("GC = %+v, want %+v", c.GC, want)
			}
		}},
		{name: "collector heap goal given on PostgreSQL", args: []string{"--database-url", "postgres://localhost/ombud", "--gc-heap-goal", "44"}, check: func(t *testing.T, c Config) {
			if want := (GC{Percent: DefaultGCPercent, HeapGoalMiB: 44}); c.GC != want {
				t.Fatalf("GC = %+v, want %+v", c.GC, want)
			}
		}},
		{name: "collector heap goal from env on PostgreSQL", env: map[string]string{"OMBUD_DATABASE_URL": "postgres://localhost/ombud", "OMBUD_GC_HEAP_GOAL": "0"}, check: func(t *testing.T, c Config) {
			if want := (GC{Percent: DefaultGCPercent}); c.GC != want {
				t.Fatalf("GC = %+v, want %+v", c.GC, want)
			}
		}},
		{name: "collector from env", env: map[string]string{"OMBUD_GC_PERCENT": "200", "OMBUD_GC_HEAP_GOAL": "0", "OMBUD_GC_MEMORY_LIMIT": "0"}, check: func(t *testing.T, c Config) {
			if want := (GC{Percent: 200}); c.GC != want {
				t.Fatalf("GC = %+v, want %+v", c.GC, want)
			}
		}},
		{name: "collector flags beat env", env: map[string]string{"OMBUD_GC_PERCENT": "200", "OMBUD_GC_HEAP_GOAL": "40", "OMBUD_GC_MEMORY_LIMIT": "64"},
			args: []string{"--gc-percent", "100", "--gc-heap-goal", "80", "--gc-memory-limit", "128"}, check: func(t *testing.T, c Config) {
				if want := (GC{Percent: 100, HeapGoalMiB: 80, MemoryLimitMiB: 128}); c.GC != want {
					t.Fatalf("GC = %+v, want %+v", c.GC, want)
				}
			}},
		{name: "gc percent not a number", env: map[string]string{"OMBUD_GC_PERCENT": "off"}, wantErr: "OMBUD_GC_PERCENT"},
		{name: "gc percent too low", args: []string{"--gc-percent", "5"}, wantErr: "--gc-percent"},
		{name: "gc memory limit not a number", env: map[string]string{"OMBUD_GC_MEMORY_LIMIT": "96MiB"}, wantErr: "OMBUD_GC_MEMORY_LIMIT"},
		{name: "gc heap goal not a number", env: map[string]string{"OMBUD_GC_HEAP_GOAL": "52MiB"}, wantErr: "OMBUD_GC_HEAP_GOAL"},
		{name: "gc heap goal negative", args: []string{"--gc-heap-goal", "-1"}, wantErr: "--gc-heap-goal"},
		{name: "gc memory limit too small", args: []string{"--gc-memory-limit", "16"}, wantErr: "--gc-memory-limit"},
		{name: "gc memory limit negative", args: []string{"--gc-memory-limit", "-1"}, wantErr: "--gc-memory-limit"},
		{name: "sqlite readers not a number", env: map[string]string{"OMBUD_SQLITE_READERS": "many"}, wantErr: "OMBUD_SQLITE_READERS"},
		{name: "sqlite mmap out of range", args: []string{"--sqlite-mmap", "-2"}, wantErr: "--sqlite-mmap"},
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

func TestTrustedProxies(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		args    []string
		want    string // the parsed prefixes, space-separated
		wantErr string
	}{
		{name: "default none", want: ""},
		{name: "flag", args: []string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.1,2001:db8::/32 , ::1"}, want: "10.0.0.0/8 192.0.2.1/32 2001:db8::/32 ::1/128"},
		{name: "env", env: "127.0.0.1", want: "127.0.0.1/32"},
		{name: "flag beats env", env: "127.0.0.1", args: []string{"--trusted-proxies", "10.1.0.0/16"}, want: "10.1.0.0/16"},
		{name: "host bits masked", args: []string{"--trusted-proxies", "10.1.2.3/8"}, want: "10.0.0.0/8"},
		{name: "mapped IPv4 as IPv4", args: []string{"--trusted-proxies", "::ffff:10.0.0.0/104"}, want: "10.0.0.0/8"},
		{name: "bad flag", args: []string{"--trusted-proxies", "10.0.0.0/8,proxy.internal"}, wantErr: "proxy.internal"},
		{name: "bad env", env: "10.0.0.0/33", wantErr: "OMBUD_TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			envErr := c.Bind(fs, func(k string) string {
				if k == "OMBUD_TRUSTED_PROXIES" {
					return tt.env
				}
				return ""
			}, true)
			err := fs.Parse(tt.args)
			if err == nil {
				err = *envErr
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
			var got []string
			for _, p := range c.TrustedProxies {
				got = append(got, p.String())
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Fatalf("TrustedProxies = %q, want %q", s, tt.want)
			}
		})
	}
}
