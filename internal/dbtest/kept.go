package dbtest

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// StartKeptCluster starts a PostgreSQL server whose data directory is data,
// running initdb there first if it holds no cluster yet, so a benchmark's
// corpus or history outlives the run (the test clusters are thrown away).
// durable configures it as in production (fsync, synchronous_commit and
// full_page_writes on, pg_stat_statements loaded), for figures meant to be
// read as such; without it durability is off, as on the tests' server, for
// data that can be generated again. The server listens on a free loopback
// port and on a unix socket in data; settings are more "name=value" server
// settings. It returns the admin URL (database postgres) and stop, which
// shuts the server down (a fast shutdown) and keeps the data.
func StartKeptCluster(data string, durable bool, settings ...string) (admin string, stop func(), err error) {
	initdb, err := pgBin("initdb")
	if err != nil {
		return "", nil, err
	}
	postgres, err := pgBin("postgres")
	if err != nil {
		return "", nil, err
	}
	cred, uid, gid, err := runAs()
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := os.MkdirAll(data, 0o700); err != nil {
			return "", nil, errf("mkdir %s: %v", data, err)
		}
		if cred != nil {
			if err := os.Chown(data, uid, gid); err != nil {
				return "", nil, errf("chown %s: %v", data, err)
			}
		}
		args := []string{"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"}
		if !durable {
			args = append(args, "--no-sync")
		}
		cmd := exec.Command(initdb, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", nil, errf("initdb: %v: %s", err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	onOff := "off"
	if durable {
		onOff = "on"
	}
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", data,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
		"-c", "fsync=" + onOff, "-c", "synchronous_commit=" + onOff, "-c", "full_page_writes=" + onOff,
		"-c", "shared_buffers=512MB", "-c", "max_wal_size=4GB"}
	if durable {
		args = append(args, "-c", "shared_preload_libraries=pg_stat_statements")
	}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	var logs bytes.Buffer
	srv := exec.Command(postgres, args...)
	srv.Stdout = &logs
	srv.Stderr = &logs
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := srv.Start(); err != nil {
		return "", nil, errf("start postgres: %v", err)
	}
	stop = func() {
		// SIGINT is PostgreSQL's fast shutdown: it ends with a checkpoint,
		// which after a large build takes a while.
		_ = srv.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { _ = srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			_ = srv.Process.Kill()
		}
	}
	admin = "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/postgres?sslmode=disable"
	// A crash recovery may come first: wait longer than for a new cluster.
	if err := waitReady(admin, 5*time.Minute, 100*time.Millisecond); err != nil {
		stop()
		return "", nil, errf("%v\n%s", err, logs.String())
	}
	return admin, stop, nil
}

// KeptDatabase returns the URL of the database name on the kept cluster
// whose admin URL is admin, creating it when missing.
func KeptDatabase(admin, name string) (string, error) {
	c, err := sql.Open("pgx", admin)
	if err != nil {
		return "", errf("open %s: %v", admin, err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return "", errf("look up database %s: %v", name, err)
	}
	if n == 0 {
		if _, err := c.Exec(`CREATE DATABASE "` + name + `"`); err != nil {
			return "", errf("create database %s: %v", name, err)
		}
	}
	return withDatabase(admin, name), nil
}
