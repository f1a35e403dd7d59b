package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file holds the admin pages of the email channel (mailboxes and the
// inbound mail log) and the "original email" view of a ticket comment.
// The email service checks every permission itself; the route table checks
// them again before a body is read.

// mailboxForm is the mailbox form as the admin filled it in, so a refused
// form comes back with everything typed. Passwords are kept apart and are
// never rendered: a page must not carry a secret back to the browser.
type mailboxForm struct {
	Address, Name, Aliases, TeamID string
	Active                         bool

	SMTPHost, SMTPPort, SMTPSecurity, SMTPUsername string

	IMAPHost, IMAPPort, IMAPSecurity, IMAPUsername string
	IMAPFolder, IMAPProcessed, IMAPInterval        string
	RemoveIMAP                                     bool

	// AllowInsecureAuth: send the passwords over connections without TLS.
	AllowInsecureAuth bool

	// What the stored mailbox has (editing only): whether to say "leave
	// empty to keep" and whether an empty IMAP host means a mistake.
	HasIMAP, SMTPHasPassword, IMAPHasPassword bool

	smtpPassword, imapPassword string
}

func formFromMailbox(m email.Mailbox) mailboxForm {
	f := mailboxForm{
		Address: m.Address, Name: m.Name, Aliases: strings.Join(m.Aliases, ", "), Active: m.Active, AllowInsecureAuth: m.AllowInsecureAuth,
		SMTPHost: m.SMTP.Host, SMTPSecurity: m.SMTP.Security, SMTPUsername: m.SMTP.Username, SMTPHasPassword: m.SMTP.HasPassword,
		IMAPSecurity: email.SecurityTLS, IMAPFolder: "INBOX",
	}
	if m.TeamID != nil {
		f.TeamID = strconv.FormatInt(*m.TeamID, 10)
	}
	if m.SMTP.Host != "" {
		f.SMTPPort = strconv.Itoa(m.SMTP.Port)
	}
	if im := m.IMAP; im != nil {
		f.HasIMAP, f.IMAPHasPassword = true, im.HasPassword
		f.IMAPHost, f.IMAPPort, f.IMAPSecurity, f.IMAPUsername = im.Host, strconv.Itoa(im.Port), im.Security, im.Username
		f.IMAPFolder, f.IMAPProcessed, f.IMAPInterval = im.Folder, im.ProcessedFolder, strconv.Itoa(im.IntervalSeconds)
	}
	return f
}

// newMailboxForm is the empty "add a mailbox" form.
func newMailboxForm() mailboxForm {
	return mailboxForm{Active: true, SMTPSecurity: email.SecuritySTARTTLS, IMAPSecurity: email.SecurityTLS, IMAPFolder: "INBOX"}
}

func parseMailboxForm(r *http.Request) (mailboxForm, error) {
	if err := r.ParseForm(); err != nil {
		return mailboxForm{}, apperr.InvalidField("body", "is not a form")
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return mailboxForm{
		Address: v("address"), Name: v("name"), Aliases: v("aliases"), TeamID: v("team_id"), Active: r.PostFormValue("active") != "",
		SMTPHost: v("smtp_host"), SMTPPort: v("smtp_port"), SMTPSecurity: v("smtp_security"), SMTPUsername: v("smtp_username"),
		IMAPHost: v("imap_host"), IMAPPort: v("imap_port"), IMAPSecurity: v("imap_security"), IMAPUsername: v("imap_username"),
		IMAPFolder: v("imap_folder"), IMAPProcessed: v("imap_processed_folder"), IMAPInterval: v("imap_interval_seconds"),
		RemoveIMAP:        r.PostFormValue("remove_imap") != "",
		AllowInsecureAuth: r.PostFormValue("allow_insecure_auth") != "",
		// Passwords are taken exactly as typed: spaces may belong to them.
		smtpPassword: r.PostFormValue("smtp_password"), imapPassword: r.PostFormValue("imap_password"),
	}, nil
}

// aliasList splits the aliases field on commas, semicolons and white space.
func aliasList(s string) []string {
	out := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if out == nil {
		out = []string{} // an empty list removes every alias
	}
	return out
}

func formInt(fe apperr.FieldErrors, field, s string) int {
	if s == "" {
		return 0 // the service fills in the default
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fe.Add(field, "must be a whole number")
	}
	return n
}

// password turns an empty password field into "keep the stored one".
func password(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// input turns the form into a service call. Only what the service cannot
// see (text where a number belongs) is checked here; every rule of a
// mailbox is the service's.
func (f mailboxForm) input(editing bool) (email.MailboxInput, apperr.FieldErrors) {
	fe := apperr.FieldErrors{}
	aliases := aliasList(f.Aliases)
	in := email.MailboxInput{Address: &f.Address, Name: &f.Name, Aliases: &aliases, Active: &f.Active, AllowInsecureAuth: &f.AllowInsecureAuth}
	var team int64
	if f.TeamID != "" {
		n, err := strconv.ParseInt(f.TeamID, 10, 64)
		if err != nil || n < 0 {
			fe.Add("team_id", "must be one of the teams")
		}
		team = n
	}
	// On update, team 0 is how the service is told to remove the team.
	if team != 0 || editing {
		in.TeamID = &team
	}
	in.SMTP = &email.RelayInput{Host: f.SMTPHost, Port: formInt(fe, "smtp_port", f.SMTPPort), Security: f.SMTPSecurity,
		Username: f.SMTPUsername, Password: password(f.smtpPassword)}
	switch {
	case editing && f.RemoveIMAP:
		in.IMAP = opt.Null[email.IMAPInput]()
	case f.IMAPHost != "" || (editing && f.HasIMAP):
		// A stored source with its host erased is sent as it is, so the
		// service says the host is required rather than the source being
		// dropped silently: removing it is the explicit checkbox.
		in.IMAP = opt.Of(email.IMAPInput{Host: f.IMAPHost, Port: formInt(fe, "imap_port", f.IMAPPort), Security: f.IMAPSecurity,
			Username: f.IMAPUsername, Password: password(f.imapPassword), Folder: f.IMAPFolder, ProcessedFolder: f.IMAPProcessed,
			IntervalSeconds: formInt(fe, "imap_interval_seconds", f.IMAPInterval)})
	}
	return in, fe
}

// formErrors maps the service's field names (smtp.port, aliases[2]) onto
// the form's (smtp_port, aliases).
func formErrors(fields map[string]string, aliases []string) map[string]string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]string{}
	for _, k := range keys {
		name, msg := strings.ReplaceAll(k, ".", "_"), fields[k]
		if rest, ok := strings.CutPrefix(k, "aliases["); ok {
			name = "aliases"
			i, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
			if err == nil && i >= 0 && i < len(aliases) && !strings.Contains(msg, aliases[i]) {
				msg = aliases[i] + ": " + msg
			}
		}
		if out[name] != "" {
			msg = out[name] + "; " + msg
		}
		out[name] = msg
	}
	return out
}

var securityLabels = []option{{Value: email.SecurityTLS, Label: "TLS"}, {Value: email.SecuritySTARTTLS, Label: "STARTTLS"}, {Value: email.SecurityNone, Label: "None (unencrypted)"}}

func securityOptions(cur string) []option {
	out := slices.Clone(securityLabels)
	for i := range out {
		out[i].Selected = out[i].Value == cur
	}
	return out
}

// fieldsets lays the form out; errs is keyed by form field name.
func (f mailboxForm) fieldsets(teams []agentsvc.Team, errs map[string]string, editing bool) []fieldset {
	teamOpts := []option{{Value: "", Label: "No team", Selected: f.TeamID == ""}}
	for _, t := range teams {
		id := strconv.FormatInt(t.ID, 10)
		teamOpts = append(teamOpts, option{Value: id, Label: t.Name, Selected: id == f.TeamID})
	}
	pwHint := func(has bool) string {
		if editing && has {
			return "A password is stored; leave empty to keep it."
		}
		if editing {
			return "No password is stored; leave empty to keep it that way."
		}
		return ""
	}
	imapPwHint := pwHint(f.IMAPHasPassword)
	if !f.HasIMAP {
		imapPwHint = "Required when an IMAP host is given."
	}
	// A refused form comes back without the passwords typed into it.
	smtpPwHint := pwHint(f.SMTPHasPassword)
	const again = "Type the password again: it is not sent back to the browser."
	if f.smtpPassword != "" {
		smtpPwHint = again
	}
	if f.imapPassword != "" {
		imapPwHint = again
	}
	sets := []fieldset{
		{Legend: "Address", Fields: []formField{
			{Name: "address", Label: "Address", Type: "email", Value: f.Address, Required: true, Autocomplete: "off",
				Hint: "The support address customers write to, like support@example.com. Plus-addressing (support+x@…) is handled automatically."},
			{Name: "name", Label: "Name", Type: "text", Value: f.Name, Required: true, Hint: "The sender name on replies, like “Example Support”."},
			{Name: "aliases", Label: "Aliases", Type: "text", Value: f.Aliases, Autocomplete: "off", Hint: "Other addresses delivered to this mailbox, separated by commas."},
			{Name: "team_id", Label: "Team", Type: "select", Options: teamOpts, Hint: "New tickets from this mailbox go to this team."},
			{Name: "active", Label: "Active", Type: "checkbox", Checked: f.Active, Hint: "An inactive mailbox receives no mail."},
		}},
		{Legend: "Outgoing mail (SMTP relay)", Short: "SMTP", Hint: "Replies to tickets of this mailbox are sent through this server; without a host they cannot be sent.", Fields: []formField{
			{Name: "smtp_host", Label: "Host", Type: "text", Value: f.SMTPHost, Autocomplete: "off"},
			{Name: "smtp_port", Label: "Port", Type: "number", Value: f.SMTPPort, Min: "1", Max: "65535", Hint: "Empty: 465 for TLS, 587 for STARTTLS, 25 without encryption."},
			{Name: "smtp_security", Label: "Security", Type: "select", Options: securityOptions(f.SMTPSecurity)},
			{Name: "smtp_username", Label: "Username", Type: "text", Value: f.SMTPUsername, Autocomplete: "off"},
			{Name: "smtp_password", Label: "Password", Type: "password", Autocomplete: "new-password", Hint: smtpPwHint},
		}},
		{Legend: "Incoming mail (IMAP source, optional)", Short: "IMAP", Hint: "Ombud collects new mail from this folder. Leave the host empty when mail arrives by SMTP instead.", Fields: []formField{
			{Name: "imap_host", Label: "Host", Type: "text", Value: f.IMAPHost, Autocomplete: "off"},
			{Name: "imap_port", Label: "Port", Type: "number", Value: f.IMAPPort, Min: "1", Max: "65535", Hint: "Empty: 993 for TLS, 143 otherwise."},
			{Name: "imap_security", Label: "Security", Type: "select", Options: securityOptions(f.IMAPSecurity)},
			{Name: "imap_username", Label: "Username", Type: "text", Value: f.IMAPUsername, Autocomplete: "off"},
			{Name: "imap_password", Label: "Password", Type: "password", Autocomplete: "new-password", Hint: imapPwHint},
			{Name: "imap_folder", Label: "Folder", Type: "text", Value: f.IMAPFolder, Hint: "Empty: INBOX."},
			{Name: "imap_processed_folder", Label: "Move processed mail to", Type: "text", Value: f.IMAPProcessed, Hint: "A folder name, or empty to only mark mail as read."},
			{Name: "imap_interval_seconds", Label: "Check every (seconds)", Type: "number", Value: f.IMAPInterval, Min: "10", Max: "86400", Hint: "Empty: 60. Servers that support IDLE deliver sooner."},
		}},
	}
	// Last, apart from both servers it covers: a setting to leave off.
	sets = append(sets, fieldset{Legend: "Unencrypted connections", Fields: []formField{
		{Name: "allow_insecure_auth", Label: "Allow passwords over unencrypted connections", Type: "checkbox", Checked: f.AllowInsecureAuth,
			Hint: "Off: the SMTP and IMAP passwords are only sent inside TLS (STARTTLS or TLS), and a server set to “None (unencrypted)” gets no password. Turn on only for a server on a network you trust."},
	}})
	if editing && f.HasIMAP {
		sets[2].Fields = append(sets[2].Fields, formField{Name: "remove_imap", Label: "Remove the IMAP source", Type: "checkbox", Checked: f.RemoveIMAP,
			Hint: "Stops collecting mail from this folder when you save."})
	}
	for i := range sets {
		for j := range sets[i].Fields {
			sets[i].Fields[j].Error = errs[sets[i].Fields[j].Name]
		}
	}
	return sets
}

// mailboxRow is a mailbox as the list shows it.
type mailboxRow struct {
	email.Mailbox
	Team     string
	SMTPText string
	IMAPText string
}

// relayText is "host:port / security" with the security's label in the
// agent's language ("None (unencrypted)" is words, not a name).
func (u *UI) relayText(r *http.Request, host string, port int, security string) string {
	if host == "" {
		return ""
	}
	name := security
	for _, o := range securityLabels {
		if o.Value == security {
			name = u.i18n.String(u.lang(r), o.Label)
		}
	}
	return fmt.Sprintf("%s:%d / %s", host, port, name)
}

// Mailboxes lists the support mailboxes, with the form to add one for admins.
func (u *UI) Mailboxes(w http.ResponseWriter, r *http.Request) error {
	msg := ""
	if r.URL.Query().Get("deleted") != "" {
		msg = "Mailbox deleted."
	}
	return u.mailboxesPage(w, r, http.StatusOK, newMailboxForm(), nil, msg)
}

func (u *UI) mailboxesPage(w http.ResponseWriter, r *http.Request, status int, form mailboxForm, errs map[string]string, flash string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Email.ListMailboxes(ctx, actor)
	if err != nil {
		return err
	}
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	rows := make([]mailboxRow, 0, len(list.Data))
	for _, m := range list.Data {
		row := mailboxRow{Mailbox: m, SMTPText: u.relayText(r, m.SMTP.Host, m.SMTP.Port, m.SMTP.Security)}
		if m.TeamID != nil {
			row.Team = names[*m.TeamID]
		}
		if m.IMAP != nil {
			row.IMAPText = u.tr(r, "%s, folder %s, as %s", u.relayText(r, m.IMAP.Host, m.IMAP.Port, m.IMAP.Security), m.IMAP.Folder, m.IMAP.Username)
		}
		rows = append(rows, row)
	}
	sets := form.fieldsets(teams, errs, false)
	return u.render(w, r, status, "mailboxes", pageData{Title: "Mailboxes", Nav: "mailboxes", Flash: flash, Data: map[string]any{
		"Rows": rows, "Fieldsets": sets, "Errors": summary(sets, errs), "CanWrite": authz.Can(actor, authz.ChannelWrite),
	}})
}

// fieldsOf returns the error's field messages; a refusal without fields
// (there should be none) is shown under "form".
func fieldsOf(e *apperr.Error, aliases []string) map[string]string {
	if e.Code != apperr.CodeInvalid {
		// A conflict counts aliases after duplicates are dropped, so its
		// index may not be the typed one; its message names the address.
		aliases = nil
	}
	errs := formErrors(e.Fields, aliases)
	if len(errs) == 0 {
		errs = map[string]string{"form": e.Message}
	}
	return errs
}

// CreateMailbox adds a mailbox from the form.
func (u *UI) CreateMailbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	form, err := parseMailboxForm(r)
	if err != nil {
		return err
	}
	in, fe := form.input(false)
	if len(fe) > 0 {
		return u.mailboxesPage(w, r, http.StatusBadRequest, form, fe, "")
	}
	m, err := u.Email.CreateMailbox(ctx, httpx.Actor(ctx), in)
	if err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.mailboxesPage(w, r, httpx.Status(e.Code), form, fieldsOf(e, *in.Aliases), "")
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/mailboxes/%d?saved=1", m.ID), http.StatusSeeOther)
	return nil
}

// imapCheck is the result of "Test IMAP connection".
type imapCheck struct {
	OK      bool
	Message string
}

// MailboxPage shows one mailbox's edit form.
func (u *UI) MailboxPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	m, err := u.Email.GetMailbox(ctx, httpx.Actor(ctx), id)
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Mailbox saved."
	}
	return u.mailboxPage(w, r, http.StatusOK, m, formFromMailbox(m), nil, flash, nil)
}

func (u *UI) mailboxPage(w http.ResponseWriter, r *http.Request, status int, m email.Mailbox, form mailboxForm, errs map[string]string, flash string, check *imapCheck) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	teams, err := u.teams(ctx, actor)
	if err != nil {
		return err
	}
	sets := form.fieldsets(teams, errs, true)
	return u.render(w, r, status, "mailbox", pageData{Title: m.Address, Nav: "mailboxes", Flash: flash, Data: map[string]any{
		"M": m, "Fieldsets": sets, "Errors": summary(sets, errs), "CanWrite": authz.Can(actor, authz.ChannelWrite), "Check": check,
		"Created": when(u.lang(r), m.CreatedAt, location(r)), "Updated": when(u.lang(r), m.UpdatedAt, location(r)),
	}})
}

// UpdateMailbox saves the edit form.
func (u *UI) UpdateMailbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	form, err := parseMailboxForm(r)
	if err != nil {
		return err
	}
	cur, err := u.Email.GetMailbox(ctx, actor, id)
	if err != nil {
		return err
	}
	form.HasIMAP, form.SMTPHasPassword = cur.IMAP != nil, cur.SMTP.HasPassword
	form.IMAPHasPassword = cur.IMAP != nil && cur.IMAP.HasPassword
	in, fe := form.input(true)
	if len(fe) > 0 {
		return u.mailboxPage(w, r, http.StatusBadRequest, cur, form, fe, "", nil)
	}
	if _, err := u.Email.UpdateMailbox(ctx, actor, id, in); err != nil {
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.mailboxPage(w, r, httpx.Status(e.Code), cur, form, fieldsOf(e, *in.Aliases), "", nil)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/mailboxes/%d?saved=1", id), http.StatusSeeOther)
	return nil
}

// DeleteMailbox removes a mailbox; its tickets and stored mail stay.
func (u *UI) DeleteMailbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	if err := u.Email.DeleteMailbox(ctx, httpx.Actor(ctx), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/mailboxes?deleted=1", http.StatusSeeOther)
	return nil
}

// imapCheckTimeout bounds "Test IMAP connection": an unreachable host
// should fail while the admin is still looking at the page.
const imapCheckTimeout = 30 * time.Second

// CheckIMAP tries the stored IMAP settings and shows the outcome on the
// mailbox page. The page is rendered in answer to the POST rather than
// after a redirect, since the outcome is not stored anywhere; sending it
// again only tests again.
func (u *UI) CheckIMAP(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "mailbox")
	if err != nil {
		return err
	}
	m, err := u.Email.GetMailbox(ctx, actor, id)
	if err != nil {
		return err
	}
	check := &imapCheck{OK: true, Message: u.i18n.String(u.lang(r), "Connected: signed in and found the folder.")}
	if m.IMAP == nil {
		check = &imapCheck{Message: u.i18n.String(u.lang(r), "This mailbox has no IMAP source. Fill in the IMAP fields and save first.")}
	} else {
		cctx, cancel := context.WithTimeout(ctx, imapCheckTimeout)
		err := u.Email.CheckIMAP(cctx, actor, id)
		cancel()
		if err != nil {
			// Only a refusal of the call itself is an error page. Anything
			// else is what the IMAP server or the network said, which is
			// what the admin asked to see.
			if c := apperr.CodeOf(err); c == apperr.CodeForbidden || c == apperr.CodeNotFound || c == apperr.CodeUnauthenticated {
				return err
			}
			check = &imapCheck{Message: err.Error()}
		}
	}
	return u.mailboxPage(w, r, http.StatusOK, m, formFromMailbox(m), nil, "", check)
}

// mailStates are the mail log's filters, in the order of the links.
var mailStates = []option{{Value: "", Label: "All"}, {Value: "failed", Label: "Failed"}, {Value: "ignored", Label: "Ignored"}, {Value: "processed", Label: "Processed"}}

// mailRow is one message of the mail log.
type mailRow struct {
	email.InboundMessage
	Mailbox  string
	Received string
	Retry    bool // failed or ignored: may be processed again
}

// MailLog shows the inbound mail log, newest first.
func (u *UI) MailLog(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	pr, err := page.Parse("50", qs.Get("cursor"))
	if err != nil {
		return err
	}
	var done *email.InboundMessage
	if s := qs.Get("done"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return apperr.InvalidField("done", "must be a message id")
		}
		m, err := u.Email.GetInbound(r.Context(), httpx.Actor(r.Context()), id)
		if err != nil {
			return err
		}
		done = &m
	}
	return u.mailLog(w, r, http.StatusOK, qs.Get("state"), pr, done, "")
}

func (u *UI) mailLog(w http.ResponseWriter, r *http.Request, status int, state string, pr page.Request, done *email.InboundMessage, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Email.ListInbound(ctx, actor, email.InboundFilter{State: state, Page: pr})
	if err != nil {
		return err
	}
	boxes, err := u.Email.ListMailboxes(ctx, actor)
	if err != nil {
		return err
	}
	addr := map[int64]string{}
	for _, b := range boxes.Data {
		addr[b.ID] = b.Address
	}
	loc, lang := location(r), u.lang(r)
	rows := make([]mailRow, 0, len(list.Data))
	for _, m := range list.Data {
		row := mailRow{InboundMessage: m, Received: when(lang, m.ReceivedAt, loc), Retry: m.State == "failed" || m.State == "ignored"}
		switch {
		case m.MailboxID == nil:
			row.Mailbox = u.i18n.String(lang, "(deleted)")
		case addr[*m.MailboxID] != "":
			row.Mailbox = addr[*m.MailboxID]
		default:
			row.Mailbox = u.i18n.T(lang, "mailbox %s", strconv.FormatInt(*m.MailboxID, 10))
		}
		rows = append(rows, row)
	}
	filters := slices.Clone(mailStates)
	for i := range filters {
		filters[i].Selected = filters[i].Value == state
	}
	next := ""
	if list.NextCursor != nil {
		v := url.Values{"cursor": {*list.NextCursor}}
		if state != "" {
			v.Set("state", state)
		}
		next = "/admin/mail?" + v.Encode()
	}
	flash := ""
	if done != nil {
		st := u.labelIn(lang, done.State)
		if done.Outcome != "" {
			st += " (" + u.labelIn(lang, done.Outcome) + ")"
		}
		flash = u.i18n.T(lang, "Message %s was processed again: now %s.", strconv.FormatInt(done.ID, 10), st)
	}
	return u.render(w, r, status, "maillog", pageData{Title: "Mail log", Nav: "maillog", Flash: flash, Error: errMsg, Data: map[string]any{
		"Rows": rows, "Filters": filters, "State": state, "Next": next, "Done": done, "CanWrite": authz.Can(actor, authz.ChannelWrite),
		"Paged": pr.Cursor != nil,
	}})
}

// ReprocessMail runs a failed or ignored message through ingest again and
// returns to the log, which then says what became of it.
func (u *UI) ReprocessMail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpx.PathID(r, "id", "inbound message")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	state := r.PostFormValue("state")
	if !slices.ContainsFunc(mailStates, func(o option) bool { return o.Value == state }) {
		state = ""
	}
	m, err := u.Email.Reprocess(ctx, httpx.Actor(ctx), id)
	if err != nil {
		// "Processed already" and "its mailbox was deleted" are answers
		// the admin can act on: show them above the log.
		e, ok := refusal(err)
		if !ok {
			return err
		}
		return u.mailLog(w, r, httpx.Status(e.Code), state, page.Request{Limit: 50}, nil, u.tr(r, "Message %s was not processed again: %s", strconv.FormatInt(id, 10), e.Message))
	}
	v := url.Values{"done": {strconv.FormatInt(m.ID, 10)}}
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, "/admin/mail?"+v.Encode(), http.StatusSeeOther)
	return nil
}
