package email

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
)

// Connection security for SMTP relays and IMAP sources.
const (
	SecurityNone     = "none"
	SecuritySTARTTLS = "starttls"
	SecurityTLS      = "tls"
)

var securities = []string{SecurityNone, SecuritySTARTTLS, SecurityTLS}

// Mailbox is a support address: where its mail routes, how replies leave
// and, optionally, an IMAP folder to collect mail from.
type Mailbox struct {
	ID      int64       `json:"id"`
	Address string      `json:"address"`
	Name    string      `json:"name"`
	Aliases []string    `json:"aliases"`
	TeamID  *int64      `json:"team_id"`
	Active  bool        `json:"active"`
	SMTP    Relay       `json:"smtp"`
	IMAP    *IMAPSource `json:"imap"`
	// AllowInsecureAuth lets the SMTP and IMAP passwords go over a
	// connection without TLS (security "none"); off, they are refused.
	AllowInsecureAuth bool      `json:"allow_insecure_auth"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Relay is the SMTP server replies are sent through. The password is
// write-only: reads report only whether one is set. Inside the package it
// holds the stored, sealed value (internal/secret), opened only to log in.
type Relay struct {
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Security    string `json:"security"`
	Username    string `json:"username"`
	Password    string `json:"-"`
	HasPassword bool   `json:"has_password"`
}

// IMAPSource is a folder polled for new mail.
type IMAPSource struct {
	Host            string `json:"host"`
	Port            int    `json:"port"`
	Security        string `json:"security"`
	Username        string `json:"username"`
	Password        string `json:"-"`
	HasPassword     bool   `json:"has_password"`
	Folder          string `json:"folder"`
	ProcessedFolder string `json:"processed_folder"`
	IntervalSeconds int    `json:"interval_seconds"`
}

// RelayInput sets a mailbox's SMTP relay; a nil Password keeps the old one.
type RelayInput struct {
	Host     string  `json:"host"`
	Port     int     `json:"port"`
	Security string  `json:"security"`
	Username string  `json:"username"`
	Password *string `json:"password"`
}

// IMAPInput sets a mailbox's IMAP source; a nil Password keeps the old one.
type IMAPInput struct {
	Host            string  `json:"host"`
	Port            int     `json:"port"`
	Security        string  `json:"security"`
	Username        string  `json:"username"`
	Password        *string `json:"password"`
	Folder          string  `json:"folder"`
	ProcessedFolder string  `json:"processed_folder"`
	IntervalSeconds int     `json:"interval_seconds"`
}

// MailboxInput creates a mailbox. PATCH uses the same shape: fields left
// out keep their value; "imap": null removes the IMAP source and
// "team_id": 0 the team.
type MailboxInput struct {
	Address *string              `json:"address"`
	Name    *string              `json:"name"`
	Aliases *[]string            `json:"aliases"`
	TeamID  *int64               `json:"team_id"`
	Active  *bool                `json:"active"`
	SMTP    *RelayInput          `json:"smtp"`
	IMAP    opt.Value[IMAPInput] `json:"imap"`
	// AllowInsecureAuth: see Mailbox.
	AllowInsecureAuth *bool `json:"allow_insecure_auth"`
}

// normalizeAddress returns a bare lower-case address, or "" when s is not one.
func normalizeAddress(s string) string {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
		return ""
	}
	return strings.ToLower(a.Address)
}

// baseAddress strips plus-addressing: support+t12@x → support@x.
func baseAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	local := addr[:at]
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + addr[at:]
}

func checkHostPort(fe apperr.FieldErrors, prefix, host string, port int, security string, required bool) {
	if host == "" {
		if required {
			fe.Add(prefix+".host", "is required")
		}
		return
	}
	if len(host) > 253 || strings.ContainsAny(host, " /:@") {
		fe.Add(prefix+".host", "must be a host name or IP address")
	}
	if port < 1 || port > 65535 {
		fe.Add(prefix+".port", "must be 1 to 65535")
	}
	if !slices.Contains(securities, security) {
		fe.Add(prefix+".security", "must be one of none, starttls, tls")
	}
}

// apply validates in against m (the current mailbox, zero when creating)
// and returns the new state.
func (in MailboxInput) apply(m Mailbox, creating bool) (Mailbox, error) {
	fe := apperr.FieldErrors{}
	if in.Address != nil || creating {
		a := ""
		if in.Address != nil {
			a = normalizeAddress(*in.Address)
		}
		if a == "" {
			fe.Add("address", "must be an email address like support@example.com")
		} else if baseAddress(a) != a {
			fe.Add("address", "must not contain '+': plus-addressing is added automatically")
		}
		m.Address = a
	}
	if in.Name != nil || creating {
		n := ""
		if in.Name != nil {
			n = strings.TrimSpace(*in.Name)
		}
		if n == "" || utf8.RuneCountInString(n) > 200 || strings.ContainsAny(n, "\r\n") {
			fe.Add("name", "must be 1 to 200 characters on one line")
		}
		m.Name = n
	}
	if in.Aliases != nil {
		m.Aliases = []string{}
		aliases := *in.Aliases
		if fe.MaxItems("aliases", len(aliases), MaxAliases) {
			aliases = nil
		}
		for i, a := range aliases {
			n := normalizeAddress(a)
			if n == "" {
				fe.Add(fmt.Sprintf("aliases[%d]", i), "must be an email address")
				continue
			}
			if n != m.Address && !slices.Contains(m.Aliases, n) {
				m.Aliases = append(m.Aliases, n)
			}
		}
	}
	if m.Aliases == nil {
		m.Aliases = []string{}
	}
	if in.TeamID != nil {
		if *in.TeamID == 0 {
			m.TeamID = nil
		} else {
			m.TeamID = in.TeamID
		}
	}
	if in.Active != nil {
		m.Active = *in.Active
	} else if creating {
		m.Active = true
	}
	if in.SMTP != nil {
		r := in.SMTP
		if r.Security == "" {
			r.Security = SecuritySTARTTLS
		}
		if r.Port == 0 && r.Host != "" {
			r.Port = map[string]int{SecurityNone: 25, SecuritySTARTTLS: 587, SecurityTLS: 465}[r.Security]
		}
		checkHostPort(fe, "smtp", r.Host, r.Port, r.Security, false)
		pw := m.SMTP.Password
		if r.Password != nil {
			pw = *r.Password
		}
		m.SMTP = Relay{Host: r.Host, Port: r.Port, Security: r.Security, Username: r.Username, Password: pw, HasPassword: pw != ""}
	}
	if m.SMTP.Security == "" {
		m.SMTP.Security = SecuritySTARTTLS
	}
	if in.AllowInsecureAuth != nil {
		m.AllowInsecureAuth = *in.AllowInsecureAuth
	}
	switch {
	case in.IMAP.Null:
		m.IMAP = nil
	case in.IMAP.Set:
		r := in.IMAP.V
		if r.Security == "" {
			r.Security = SecurityTLS
		}
		if r.Port == 0 {
			r.Port = map[string]int{SecurityNone: 143, SecuritySTARTTLS: 143, SecurityTLS: 993}[r.Security]
		}
		if r.Folder == "" {
			r.Folder = "INBOX"
		}
		if r.IntervalSeconds == 0 {
			r.IntervalSeconds = 60
		}
		checkHostPort(fe, "imap", r.Host, r.Port, r.Security, true)
		if r.Username == "" {
			fe.Add("imap.username", "is required")
		}
		if r.IntervalSeconds < 10 || r.IntervalSeconds > 86400 {
			fe.Add("imap.interval_seconds", "must be 10 to 86400")
		}
		if r.ProcessedFolder == r.Folder {
			fe.Add("imap.processed_folder", "must differ from folder")
		}
		pw := ""
		if m.IMAP != nil {
			pw = m.IMAP.Password
		}
		if r.Password != nil {
			pw = *r.Password
		}
		if pw == "" {
			fe.Add("imap.password", "is required")
		}
		m.IMAP = &IMAPSource{Host: r.Host, Port: r.Port, Security: r.Security, Username: r.Username, Password: pw, HasPassword: pw != "",
			Folder: r.Folder, ProcessedFolder: r.ProcessedFolder, IntervalSeconds: r.IntervalSeconds}
	}
	return m, fe.Err()
}

const mailboxCols = `id, address, name, team_id, active, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password,
	imap_host, imap_port, imap_security, imap_username, imap_password, imap_folder, imap_processed_folder, imap_interval_seconds,
	allow_insecure_auth, created_at, updated_at`

func scanMailbox(s interface{ Scan(...any) error }) (Mailbox, error) {
	var m Mailbox
	var team sql.NullInt64
	var im IMAPSource
	var created, updated int64
	err := s.Scan(&m.ID, &m.Address, &m.Name, &team, &m.Active, &m.SMTP.Host, &m.SMTP.Port, &m.SMTP.Security, &m.SMTP.Username, &m.SMTP.Password,
		&im.Host, &im.Port, &im.Security, &im.Username, &im.Password, &im.Folder, &im.ProcessedFolder, &im.IntervalSeconds, &m.AllowInsecureAuth, &created, &updated)
	if err != nil {
		return m, err
	}
	if team.Valid {
		m.TeamID = &team.Int64
	}
	m.SMTP.HasPassword = m.SMTP.Password != ""
	if im.Host != "" {
		im.HasPassword = im.Password != ""
		m.IMAP = &im
	}
	m.CreatedAt, m.UpdatedAt = db.Time(created), db.Time(updated)
	m.Aliases = []string{}
	return m, nil
}

func getMailbox(ctx context.Context, q db.Querier, id int64) (Mailbox, error) {
	m, err := scanMailbox(q.QueryRowContext(ctx, `SELECT `+mailboxCols+` FROM mailboxes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFound("mailbox", id)
	}
	if err != nil {
		return m, fmt.Errorf("email: mailbox %d: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT address FROM mailbox_addresses WHERE mailbox_id = ? AND is_alias ORDER BY address`, id)
	if err != nil {
		return m, fmt.Errorf("email: mailbox %d aliases: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return m, err
		}
		m.Aliases = append(m.Aliases, a)
	}
	return m, rows.Err()
}

func mailboxArgs(m Mailbox) []any {
	im := IMAPSource{Security: SecurityTLS, Folder: "INBOX", IntervalSeconds: 60}
	if m.IMAP != nil {
		im = *m.IMAP
	}
	return []any{m.Address, m.Name, db.NullInt(derefID(m.TeamID)), m.Active, m.SMTP.Host, m.SMTP.Port, m.SMTP.Security, m.SMTP.Username, m.SMTP.Password,
		im.Host, im.Port, im.Security, im.Username, im.Password, im.Folder, im.ProcessedFolder, im.IntervalSeconds, m.AllowInsecureAuth}
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// saveAddresses replaces a mailbox's address rows; an address another
// mailbox owns is a conflict naming the field.
func saveAddresses(ctx context.Context, tx *db.Tx, m Mailbox) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mailbox_addresses WHERE mailbox_id = ?`, m.ID); err != nil {
		return fmt.Errorf("email: clear addresses: %w", err)
	}
	all := append([]string{m.Address}, m.Aliases...)
	for i, a := range all {
		var owner int64
		err := tx.QueryRowContext(ctx, `SELECT mailbox_id FROM mailbox_addresses WHERE address = ?`, a).Scan(&owner)
		if err == nil {
			field := "address"
			if i > 0 {
				field = fmt.Sprintf("aliases[%d]", i-1)
			}
			return apperr.Conflict(field, fmt.Sprintf("%s belongs to mailbox %d", a, owner))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("email: check address: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mailbox_addresses (address, mailbox_id, is_alias) VALUES (?, ?, ?)`, a, m.ID, i > 0); err != nil {
			return fmt.Errorf("email: save address: %w", err)
		}
	}
	return nil
}

func checkTeam(ctx context.Context, tx *db.Tx, id *int64) error {
	if id == nil {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, *id).Scan(&n); err != nil {
		return fmt.Errorf("email: check team: %w", err)
	}
	if n == 0 {
		return apperr.InvalidField("team_id", "no such team")
	}
	return nil
}

// CreateMailbox adds a support address (admins only).
func (s *Service) CreateMailbox(ctx context.Context, actor authz.Actor, in MailboxInput) (Mailbox, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Mailbox{}, err
	}
	if err := in.checkSizes(); err != nil {
		return Mailbox{}, err
	}
	in, err := s.sealPasswords(in)
	if err != nil {
		return Mailbox{}, err
	}
	m, err := in.apply(Mailbox{}, true)
	if err != nil {
		return Mailbox{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if err := checkTeam(ctx, tx, m.TeamID); err != nil {
			return err
		}
		now := db.Millis(s.now())
		id, err := tx.InsertID(ctx, `INSERT INTO mailboxes (address, name, team_id, active, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password,
			imap_host, imap_port, imap_security, imap_username, imap_password, imap_folder, imap_processed_folder, imap_interval_seconds, allow_insecure_auth,
			created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(mailboxArgs(m), now, now)...)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("address", "a mailbox with this address exists")
		}
		if err != nil {
			return fmt.Errorf("email: create mailbox: %w", err)
		}
		m.ID = id
		if err := saveAddresses(ctx, tx, m); err != nil {
			return err
		}
		if m, err = getMailbox(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "mailbox.create", fmt.Sprintf("mailbox:%d", id), audit.Change(nil, m))
	})
	if err != nil {
		return Mailbox{}, err
	}
	s.mailboxesChanged()
	return m, nil
}

// UpdateMailbox changes a mailbox (admins only).
func (s *Service) UpdateMailbox(ctx context.Context, actor authz.Actor, id int64, in MailboxInput) (Mailbox, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return Mailbox{}, err
	}
	if err := in.checkSizes(); err != nil {
		return Mailbox{}, err
	}
	in, err := s.sealPasswords(in)
	if err != nil {
		return Mailbox{}, err
	}
	var m Mailbox
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := getMailbox(ctx, tx, id)
		if err != nil {
			return err
		}
		m, err = in.apply(cur, false)
		if err != nil {
			return err
		}
		if err := checkTeam(ctx, tx, m.TeamID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE mailboxes SET address = ?, name = ?, team_id = ?, active = ?, smtp_host = ?, smtp_port = ?, smtp_security = ?,
			smtp_username = ?, smtp_password = ?, imap_host = ?, imap_port = ?, imap_security = ?, imap_username = ?, imap_password = ?, imap_folder = ?,
			imap_processed_folder = ?, imap_interval_seconds = ?, allow_insecure_auth = ?, updated_at = ? WHERE id = ?`, append(mailboxArgs(m), db.Millis(s.now()), id)...)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("address", "a mailbox with this address exists")
		}
		if err != nil {
			return fmt.Errorf("email: update mailbox %d: %w", id, err)
		}
		if err := saveAddresses(ctx, tx, m); err != nil {
			return err
		}
		if m, err = getMailbox(ctx, tx, id); err != nil {
			return err
		}
		// Passwords are not part of a mailbox's JSON; has_password says
		// whether one is set.
		return audit.Record(ctx, tx, s.now(), actor, "mailbox.update", fmt.Sprintf("mailbox:%d", id), audit.Change(cur, m))
	})
	if err != nil {
		return Mailbox{}, err
	}
	s.mailboxesChanged()
	return m, nil
}

// DeleteMailbox removes a mailbox; its tickets and stored mail stay.
func (s *Service) DeleteMailbox(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := getMailbox(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mailboxes WHERE id = ?`, id); err != nil {
			return fmt.Errorf("email: delete mailbox %d: %w", id, err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "mailbox.delete", fmt.Sprintf("mailbox:%d", id), audit.Change(cur, nil))
	})
	if err != nil {
		return err
	}
	s.mailboxesChanged()
	return nil
}

// GetMailbox returns one mailbox (admins and managers).
func (s *Service) GetMailbox(ctx context.Context, actor authz.Actor, id int64) (Mailbox, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return Mailbox{}, err
	}
	return getMailbox(ctx, s.db, id)
}

// ListMailboxes returns every mailbox ordered by address.
func (s *Service) ListMailboxes(ctx context.Context, actor authz.Actor) (page.List[Mailbox], error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return page.List[Mailbox]{}, err
	}
	ms, err := s.mailboxes(ctx)
	if err != nil {
		return page.List[Mailbox]{}, err
	}
	return page.All(ms), nil
}

func (s *Service) mailboxes(ctx context.Context) ([]Mailbox, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM mailboxes ORDER BY address`)
	if err != nil {
		return nil, fmt.Errorf("email: list mailboxes: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Mailbox, 0, len(ids))
	for _, id := range ids {
		m, err := getMailbox(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// MailboxFor returns the active mailbox that receives mail for addr
// (plus-addressing allowed), or NotFound.
func (s *Service) MailboxFor(ctx context.Context, addr string) (Mailbox, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if m, ok := s.cache.lookup(baseAddress(addr)); ok {
		return m, nil
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT a.mailbox_id FROM mailbox_addresses a JOIN mailboxes m ON m.id = a.mailbox_id
		WHERE a.address = ? AND m.active`, baseAddress(addr)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Mailbox{}, apperr.NotFound("mailbox", addr)
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("email: mailbox for %s: %w", addr, err)
	}
	m, err := getMailbox(ctx, s.db, id)
	if err != nil {
		return Mailbox{}, err
	}
	s.cache.store(baseAddress(addr), m)
	return m, nil
}
