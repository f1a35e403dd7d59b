package mailtest

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Debian installs the server here; PATH is only a fallback because test
// runners often have /usr/sbin missing from PATH for non-root users.
const dovecotPath = "/usr/sbin/dovecot"

const (
	dovecotStartTimeout = 20 * time.Second
	dovecotStopTimeout  = 10 * time.Second
	imapDialTimeout     = 10 * time.Second
)

// MailboxMessage is one message as stored in a Dovecot folder.
type MailboxMessage struct {
	UID   uint32
	Flags []string
	Raw   []byte
}

// Dovecot is a running (or stopped, see Stop) Dovecot IMAP server private to
// one test.
type Dovecot struct {
	bin      string
	dir      string
	runDir   string // Dovecot's base_dir: sockets and pid file
	confPath string
	users    string // directory of per-user passwd-files
	logPath  string
	greeting string // unique per server, proves we reached our own process
	port     int
	tlsPort  int
	ids      dovecotIDs
	cert     *selfSigned
	caps     string

	mu    sync.Mutex
	mtime map[string]time.Time // user → mtime given to their passwd-file
	proc  *dovecotProc         // nil while stopped
}

type dovecotProc struct {
	cmd    *exec.Cmd
	output *lockedBuffer
	done   chan struct{} // closed when the master process has exited
}

// dovecotIDs are the system identities Dovecot runs under. As root, Dovecot
// insists on unprivileged users for its internal and login processes and
// refuses mail access as UID 0, so the mail files belong to a system user;
// as a normal user everything runs as that user.
type dovecotIDs struct {
	root          bool
	internalUser  string
	internalGroup string
	loginUser     string
	mailUID       int
	mailGID       int
}

// DovecotOption changes how StartDovecot configures the server.
type DovecotOption func(*Dovecot)

// WithIMAPCapability replaces the capability list Dovecot advertises after
// login (Dovecot's imap_capability setting), e.g. "IMAP4rev1 UIDPLUS" to make
// a client believe MOVE and IDLE are missing. Dovecot still accepts the
// commands; only the advertisement changes.
func WithIMAPCapability(caps string) DovecotOption {
	return func(d *Dovecot) { d.caps = caps }
}

// StartDovecot starts a Dovecot IMAP server on free 127.0.0.1 ports with its
// configuration, mail and state under t.TempDir(). Plain IMAP (with
// plaintext LOGIN allowed, and STARTTLS offered) listens on Addr; implicit
// TLS with a freshly generated self-signed certificate on TLSAddr. It is
// stopped when the test ends.
func StartDovecot(t testing.TB, opts ...DovecotOption) *Dovecot {
	t.Helper()
	bin, err := findDovecot()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if err := checkDovecotVersion(bin); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	ids, err := lookupDovecotIDs()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	dir := t.TempDir()
	if ids.root {
		// The test's temp directories are root-only (0700); Dovecot's
		// unprivileged processes must reach the passwd-files and mail homes.
		for _, p := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatalf("mailtest: %v", err)
			}
		}
	}
	runDir, err := shortTempDir()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(runDir) }) // after the stop below
	if ids.root {
		if err := os.Chmod(runDir, 0o755); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
	}
	cert, err := newSelfSigned()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	d := &Dovecot{
		bin:      bin,
		dir:      dir,
		runDir:   runDir,
		confPath: filepath.Join(dir, "dovecot.conf"),
		users:    filepath.Join(dir, "users"),
		logPath:  filepath.Join(dir, "dovecot.log"),
		greeting: "mailtest-" + randomHex(6),
		ids:      ids,
		cert:     cert,
		mtime:    map[string]time.Time{},
	}
	for _, o := range opts {
		o(d)
	}
	for _, sub := range []string{"home", "state", "users"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), cert.certPEM, 0o644); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), cert.keyPEM, 0o600); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Logf("mailtest: %v", err)
		}
	})

	// Ports are chosen by briefly listening on :0 and handing the number to
	// Dovecot, so another process may grab one in between; try again then.
	for attempt := 1; ; attempt++ {
		if d.port, err = freePort(); err == nil {
			d.tlsPort, err = freePort()
		}
		if err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		if err := d.writeConfig(); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		err = d.launch()
		if err == nil {
			return d
		}
		if !errors.Is(err, errPortInUse) || attempt == 5 {
			t.Fatalf("mailtest: start dovecot: %v", err)
		}
	}
}

// Addr is the host:port of plain IMAP (STARTTLS offered, not required).
func (d *Dovecot) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(d.port)) }

// TLSAddr is the host:port of IMAP over implicit TLS.
func (d *Dovecot) TLSAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(d.tlsPort)) }

// CertPool trusts the server's self-signed certificate (valid for
// 127.0.0.1 and localhost).
func (d *Dovecot) CertPool() *x509.CertPool { return d.cert.pool }

// LogPath is Dovecot's log file, worth reading when a test fails.
func (d *Dovecot) LogPath() string { return d.logPath }

// AddUser adds a user, or changes the password of an existing one. Each
// user has a passwd-file of their own, which Dovecot opens at that user's
// first login, so adding a user needs no restart. Dovecot checks a file it
// has already read for changes at most once a second, so a password change
// waits for the next second before returning.
func (d *Dovecot) AddUser(t testing.TB, name, password string) {
	t.Helper()
	if name == "" || strings.ContainsAny(name, ":/%\r\n\t ") || strings.ContainsAny(password, ":\r\n") {
		t.Fatalf("mailtest: AddUser(%q): user names must be non-empty without ':', '/', '%%' or white space; passwords without ':' or newlines", name)
	}
	home := filepath.Join(d.dir, "home", name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if d.ids.root {
		if err := os.Chown(home, d.ids.mailUID, d.ids.mailGID); err != nil {
			t.Fatalf("mailtest: %v", err)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	prev, existed := d.mtime[name]
	// Dovecot compares mtime (in seconds) and size to notice a change, so
	// a rewrite gets a later mtime even within the same second.
	mtime := time.Now().Truncate(time.Second)
	if existed && !mtime.After(prev) {
		mtime = prev.Add(time.Second)
	}
	line := fmt.Sprintf("%s:{PLAIN}%s:%d:%d::%s::\n", name, password, d.ids.mailUID, d.ids.mailGID, home)
	if err := writeFileAtomic(filepath.Join(d.users, name), []byte(line), mtime); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	d.mtime[name] = mtime
	if existed {
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	}
}

// Append stores raw in folder of user's mailbox through IMAP APPEND,
// creating the folder first when it does not exist.
func (d *Dovecot) Append(t testing.TB, user, password, folder string, raw []byte) {
	t.Helper()
	c := d.login(t, user, password)
	defer logout(c)
	if !strings.EqualFold(folder, "INBOX") {
		if err := c.Create(folder, nil).Wait(); err != nil && !isIMAPCode(err, imap.ResponseCodeAlreadyExists) {
			t.Fatalf("mailtest: create folder %q: %v", folder, err)
		}
	}
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatalf("mailtest: append to %q: %v", folder, err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatalf("mailtest: append to %q: %v", folder, err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("mailtest: append to %q: %v", folder, err)
	}
}

// Messages returns every message in folder in UID order, read without
// changing anything (EXAMINE and BODY.PEEK[]). A missing folder fails the
// test.
func (d *Dovecot) Messages(t testing.TB, user, password, folder string) []MailboxMessage {
	t.Helper()
	c := d.login(t, user, password)
	defer logout(c)
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("mailtest: examine %q: %v", folder, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	body := &imap.FetchItemBodySection{Peek: true}
	bufs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID:         true,
		Flags:       true,
		BodySection: []*imap.FetchItemBodySection{body},
	}).Collect()
	if err != nil {
		t.Fatalf("mailtest: fetch %q: %v", folder, err)
	}
	msgs := make([]MailboxMessage, 0, len(bufs))
	for _, b := range bufs {
		flags := make([]string, 0, len(b.Flags))
		for _, f := range b.Flags {
			flags = append(flags, string(f))
		}
		slices.Sort(flags)
		msgs = append(msgs, MailboxMessage{UID: uint32(b.UID), Flags: flags, Raw: b.FindBodySection(body)})
	}
	slices.SortFunc(msgs, func(a, b MailboxMessage) int { return cmp.Compare(a.UID, b.UID) })
	return msgs
}

// Stop stops the server as if it had crashed or been taken down, keeping
// its configuration and mail; Start brings it back on the same ports.
// Clients see their connections drop.
func (d *Dovecot) Stop(t testing.TB) {
	t.Helper()
	if err := d.stop(); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
}

// Start restarts a server stopped with Stop, on the same ports and data.
func (d *Dovecot) Start(t testing.TB) {
	t.Helper()
	d.mu.Lock()
	running := d.proc != nil
	d.mu.Unlock()
	if running {
		t.Fatalf("mailtest: dovecot is already running")
	}
	// Stop killed Dovecot mid-flight, like a crash. Its dot-lock files
	// would make the restarted server wait minutes for them to go stale;
	// with no Dovecot process left, every one of them is stale now.
	if err := removeStaleLocks(filepath.Join(d.dir, "home")); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	// The old listening sockets are gone once the master has exited, but a
	// stray process could have taken a port meanwhile; give it a moment.
	var err error
	for attempt := 1; attempt <= 5; attempt++ {
		if err = d.launch(); err == nil || !errors.Is(err, errPortInUse) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("mailtest: restart dovecot: %v", err)
	}
}

func (d *Dovecot) login(t testing.TB, user, password string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(d.Addr(), &imapclient.Options{Dialer: &net.Dialer{Timeout: imapDialTimeout}})
	if err != nil {
		t.Fatalf("mailtest: dial %s: %v", d.Addr(), err)
	}
	if err := c.Login(user, password).Wait(); err != nil {
		c.Close()
		t.Fatalf("mailtest: login %q: %v (log: %s)", user, err, d.LogPath())
	}
	return c
}

func logout(c *imapclient.Client) {
	// The server's answer to LOGOUT changes nothing for a test.
	_ = c.Logout().Wait()
	_ = c.Close()
}

func isIMAPCode(err error, code imap.ResponseCode) bool {
	var ie *imap.Error
	return errors.As(err, &ie) && ie.Code == code
}

var errPortInUse = errors.New("port already in use")

// launch starts the master process and waits until it greets on the plain
// port with this server's unique greeting.
func (d *Dovecot) launch() error {
	out := &lockedBuffer{}
	cmd := exec.Command(d.bin, "-F", "-c", d.confPath)
	cmd.Dir = d.dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", d.bin, err)
	}
	p := &dovecotProc{cmd: cmd, output: out, done: make(chan struct{})}
	go func() {
		// The exit status matters only through done and the log.
		_ = cmd.Wait()
		close(p.done)
	}()

	deadline := time.Now().Add(dovecotStartTimeout)
	for {
		select {
		case <-p.done:
			return d.startFailure(p)
		default:
		}
		if d.greets() {
			d.mu.Lock()
			d.proc = p
			d.mu.Unlock()
			return nil
		}
		if time.Now().After(deadline) {
			killGroup(cmd)
			<-p.done
			return fmt.Errorf("no greeting on %s after %v: %s", d.Addr(), dovecotStartTimeout, d.diagnostics(p))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (d *Dovecot) startFailure(p *dovecotProc) error {
	diag := d.diagnostics(p)
	if strings.Contains(diag, "Address already in use") {
		return fmt.Errorf("%w: %s", errPortInUse, diag)
	}
	return fmt.Errorf("dovecot exited during start-up: %s", diag)
}

func (d *Dovecot) diagnostics(p *dovecotProc) string {
	logText, _ := os.ReadFile(d.logPath)
	return fmt.Sprintf("output: %q; log %s: %q", p.output.String(), d.logPath, lastLines(string(logText), 20))
}

// greets reports whether our server answers on the plain port. The unique
// greeting tells it apart from another program that took the port.
func (d *Dovecot) greets() bool {
	conn, err := net.DialTimeout("tcp", d.Addr(), time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK") && strings.Contains(line, d.greeting)
}

func (d *Dovecot) stop() error {
	d.mu.Lock()
	p := d.proc
	d.proc = nil
	d.mu.Unlock()
	if p == nil {
		return nil
	}
	// A test server has nothing worth a graceful shutdown (which costs the
	// master a second or so), and Stop is meant to look like a crash.
	killGroup(p.cmd)
	select {
	case <-p.done:
		return nil
	case <-time.After(dovecotStopTimeout):
		return fmt.Errorf("dovecot (pid %d) still running %v after SIGKILL", p.cmd.Process.Pid, dovecotStopTimeout)
	}
}

// writeFileAtomic replaces path so that a reader sees either the old or the
// new content, never a partial file.
func writeFileAtomic(path string, data []byte, mtime time.Time) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chtimes(tmp, mtime, mtime); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var dovecotConf = template.Must(template.New("dovecot.conf").Parse(`# Written by mailtest for one test; nothing is read from /etc/dovecot.
protocols = imap
listen = 127.0.0.1
base_dir = {{.RunDir}}
state_dir = {{.Dir}}/state
log_path = {{.Dir}}/dovecot.log
login_greeting = {{.Greeting}}
default_internal_user = {{.IDs.InternalUser}}
default_internal_group = {{.IDs.InternalGroup}}
default_login_user = {{.IDs.LoginUser}}
first_valid_uid = {{.IDs.MailUID}}
last_valid_uid = {{.IDs.MailUID}}
first_valid_gid = {{.IDs.MailGID}}
last_valid_gid = {{.IDs.MailGID}}

# Tests log in with plain passwords over loopback.
disable_plaintext_auth = no
auth_mechanisms = plain login
# Wrong-password tests need no brute-force protection.
auth_failure_delay = 0
ssl = yes
ssl_cert = <{{.Dir}}/cert.pem
ssl_key = <{{.Dir}}/key.pem
ssl_min_protocol = TLSv1.2

mail_location = maildir:~/Maildir
# IDLE falls back to polling the folder when inotify is unavailable.
mailbox_idle_check_interval = 1 secs
namespace inbox {
  inbox = yes
  separator = /
}
# One passwd-file per user: see AddUser.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {{.Dir}}/users/%u
}
userdb {
  driver = passwd-file
  args = username_format=%u {{.Dir}}/users/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = {{.Port}}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = {{.TLSPort}}
    ssl = yes
  }
{{- if not .IDs.Root}}
  # Only root can chroot.
  chroot =
{{- end}}
}
# Tests that try a wrong password must not slow down the logins after them.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
{{- if not .IDs.Root}}
  chroot =
{{- end}}
}
{{- if .Caps}}
protocol imap {
  imap_capability = {{.Caps}}
}
{{- end}}
`))

func (d *Dovecot) writeConfig() error {
	type ids struct {
		Root                                   bool
		InternalUser, InternalGroup, LoginUser string
		MailUID, MailGID                       int
	}
	data := struct {
		Dir, RunDir, Greeting, Caps string
		Port, TLSPort               int
		IDs                         ids
	}{
		Dir: d.dir, RunDir: d.runDir, Greeting: d.greeting, Caps: d.caps, Port: d.port, TLSPort: d.tlsPort,
		IDs: ids{d.ids.root, d.ids.internalUser, d.ids.internalGroup, d.ids.loginUser, d.ids.mailUID, d.ids.mailGID},
	}
	var b bytes.Buffer
	if err := dovecotConf.Execute(&b, data); err != nil {
		return fmt.Errorf("render dovecot.conf: %w", err)
	}
	if err := os.WriteFile(d.confPath, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write dovecot.conf: %w", err)
	}
	return nil
}

func findDovecot() (string, error) {
	if _, err := os.Stat(dovecotPath); err == nil {
		return dovecotPath, nil
	}
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	return "", errors.New("dovecot not found: install Debian's dovecot-imapd (scripts/test.sh does)")
}

// checkDovecotVersion refuses versions whose configuration syntax differs
// from the one written here: Dovecot 2.4 renamed many settings.
func checkDovecotVersion(bin string) error {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", bin, err)
	}
	v := strings.TrimSpace(string(out))
	if !strings.HasPrefix(v, "2.3.") {
		return fmt.Errorf("dovecot %s: mailtest writes Dovecot 2.3 configuration and needs Debian 12's dovecot-imapd (2.3.x)", v)
	}
	return nil
}

func lookupDovecotIDs() (dovecotIDs, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return dovecotIDs{}, fmt.Errorf("current user: %w", err)
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return dovecotIDs{}, fmt.Errorf("current group: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return dovecotIDs{
			internalUser: u.Username, internalGroup: g.Name, loginUser: u.Username,
			mailUID: uid, mailGID: gid,
		}, nil
	}
	ids := dovecotIDs{root: true}
	internal, err := user.Lookup("dovecot")
	if err != nil {
		return ids, fmt.Errorf("running as root needs the dovecot system user (Debian's dovecot-core creates it): %w", err)
	}
	g, err := user.LookupGroupId(internal.Gid)
	if err != nil {
		return ids, fmt.Errorf("group of the dovecot user: %w", err)
	}
	ids.internalUser, ids.internalGroup = internal.Username, g.Name
	ids.loginUser = "dovenull"
	if _, err := user.Lookup("dovenull"); err != nil {
		return ids, fmt.Errorf("running as root needs the dovenull system user (Debian's dovecot-core creates it): %w", err)
	}
	// Mail belongs to Debian's "mail" system user: unprivileged, always
	// present, and distinct from the users Dovecot's own processes run as.
	owner, err := user.Lookup("mail")
	if err != nil {
		return ids, fmt.Errorf("running as root needs the mail system user: %w", err)
	}
	ids.mailUID, _ = strconv.Atoi(owner.Uid)
	ids.mailGID, _ = strconv.Atoi(owner.Gid)
	return ids, nil
}

// shortTempDir makes a directory for Dovecot's UNIX sockets: their paths
// must fit in 108 bytes, which t.TempDir() (named after the test) may not.
func shortTempDir() (string, error) {
	parent := os.TempDir()
	if len(parent) > 40 {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "dovecot-")
	if err != nil {
		return "", fmt.Errorf("make run directory: %w", err)
	}
	return dir, nil
}

func removeStaleLocks(root string) error {
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".lock") {
			return os.Remove(path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove stale locks: %w", err)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lockedBuffer collects a child's output while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
