package dbtest

import (
	"bytes"
	"context"
	"database/sql"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// pgCluster is a throwaway PostgreSQL server of this test binary. It is
// process-wide on purpose: one initdb per package binary, one database per test.
type pgCluster struct {
	once    sync.Once
	url     string
	err     error
	cmd     *exec.Cmd
	dir     string
	durable bool

	// The migrated template database (template.go), made on first use.
	tmplOnce  sync.Once
	tmplName  string
	tmplAdmin string
	tmplErr   error
}

// cluster is the tests' server (durability off, for speed); durableCluster
// is configured as in production (fsync, synchronous_commit and
// full_page_writes on) for benchmarks of the write path.
var cluster, durableCluster = &pgCluster{}, &pgCluster{durable: true}

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }

// pgBin finds a PostgreSQL server binary: on PATH, else in Debian's versioned directories.
func pgBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) == 0 {
		return "", errf("%s not found: install Debian's postgresql package (the test command does)", name)
	}
	sort.Strings(matches)
	return matches[len(matches)-1], nil
}

// runAs returns the credential to run PostgreSQL with: initdb and postgres
// refuse to run as root, so root uses the postgres system user.
func runAs() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, -1, -1, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, 0, 0, errf("running as root needs the postgres system user: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid, nil
}

func startCluster() (string, error) { return cluster.start() }

func (cluster *pgCluster) start() (string, error) {
	cluster.once.Do(func() {
		cluster.url, cluster.err = cluster.run()
	})
	return cluster.url, cluster.err
}

func (cluster *pgCluster) run() (string, error) {
	initdb, err := pgBin("initdb")
	if err != nil {
		return "", err
	}
	postgres, err := pgBin("postgres")
	if err != nil {
		return "", err
	}
	cred, uid, gid, err := runAs()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "ombud-pg-")
	if err != nil {
		return "", errf("temp dir: %v", err)
	}
	cluster.dir = dir
	if cred != nil {
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", errf("chown %s: %v", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", errf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	var logs bytes.Buffer
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"}
	if cluster.durable {
		// As a production server runs: every commit flushed to disk.
		// pg_stat_statements lets the benchmarks count the statements
		// (round trips) per operation.
		args = append(args, "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
			"-c", "shared_buffers=256MB", "-c", "shared_preload_libraries=pg_stat_statements")
		// OMBUD_BENCH_PG_SETTINGS: more settings for this server, such as
		// "commit_delay=100 commit_siblings=5" (group commit) to measure.
		for _, kv := range strings.Fields(os.Getenv("OMBUD_BENCH_PG_SETTINGS")) {
			args = append(args, "-c", kv)
		}
	} else {
		// Durability is not under test here; speed is welcome.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "shared_buffers=64MB")
	}
	srv := exec.Command(postgres, args...)
	srv.Stdout = &logs
	srv.Stderr = &logs
	// Pdeathsig: the server dies with the test binary even if Main was not called.
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := srv.Start(); err != nil {
		return "", errf("start postgres: %v", err)
	}
	cluster.cmd = srv
	u := "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/postgres?sslmode=disable"
	if err := waitReady(u, 30*time.Second, 50*time.Millisecond); err != nil {
		return "", errf("%v\n%s", err, logs.String())
	}
	return u, nil
}

// waitReady pings the server at url until it answers, for at most wait.
func waitReady(url string, wait, every time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		c, err := sql.Open("pgx", url)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err = c.PingContext(ctx)
			cancel()
			c.Close()
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return errf("postgres did not start: %v", err)
		}
		time.Sleep(every)
	}
}

func stopCluster() {
	cluster.stop()
	durableCluster.stop()
}

func (cluster *pgCluster) stop() {
	if cluster.cmd == nil || cluster.cmd.Process == nil {
		return
	}
	// SIGINT is PostgreSQL's fast shutdown.
	_ = cluster.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { _ = cluster.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cluster.cmd.Process.Kill()
	}
	if cluster.dir != "" {
		_ = os.RemoveAll(cluster.dir)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, errf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
