package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// Tickets is what the portal uses of the ticket service.
type Tickets interface {
	CreateTx(ctx context.Context, tx *db.Tx, actor authz.Actor, in ticket.CreateInput) (ticket.Ticket, error)
	CommentTx(ctx context.Context, tx *db.Tx, actor authz.Actor, ticketID int64, in ticket.CommentInput) (ticket.Comment, ticket.Ticket, error)
	List(ctx context.Context, actor authz.Actor, f ticket.Filter, pr page.Request) (page.List[ticket.Ticket], error)
	Get(ctx context.Context, actor authz.Actor, id int64) (ticket.Ticket, error)
	ListComments(ctx context.Context, actor authz.Actor, ticketID int64, pr page.Request) (page.List[ticket.Comment], error)
	AttachTx(ctx context.Context, tx *db.Tx, a ticket.Attachment) (ticket.Attachment, error)
	SolveByRequester(ctx context.Context, customerID, ticketID int64) (ticket.Ticket, error)
	PutFile(ctx context.Context, actor authz.Actor, filename, contentType string, r io.Reader, max int64) (ticket.Attachment, error)
	OpenAttachment(ctx context.Context, actor authz.Actor, id int64) (ticket.Attachment, *os.File, error)
	ListFields(ctx context.Context, actor authz.Actor) ([]ticket.Field, error)
}

// Limits of what a customer sends through the portal.
const (
	MaxFiles    = 5
	MaxFileSize = 10 << 20
	maxComments = 1000 // a request page shows at most this many messages
)

// Message is one public message of a request, as the customer sees it.
type Message struct {
	ticket.Comment
	Mine   bool   // written by this customer
	Author string // the agent's or the colleague's name, or "" for the customer's own
}

// Request is a request with its public conversation.
type Request struct {
	Ticket   ticket.Ticket
	Messages []Message
	Mine     bool   // the customer asked it (else a colleague did: the organization view)
	Form     string // the request form it was filed with, if any
}

// Requests lists the customer's requests, most recently updated first.
func (s *Service) Requests(ctx context.Context, c Customer, pr page.Request) (page.List[ticket.Ticket], error) {
	return s.tickets.List(ctx, authz.System, ticket.Filter{RequesterID: c.ID, Sort: "updated"}, pr)
}

// own loads a ticket the customer asked for; any other is "not found", the
// same answer as for an id that does not exist.
func (s *Service) own(ctx context.Context, c Customer, id int64) (ticket.Ticket, error) {
	return s.visible(ctx, c, id, false)
}

// visible loads a ticket the customer may see: their own, or with org
// true and their organization sharing its requests, one of the
// organization's. Any other is "not found".
func (s *Service) visible(ctx context.Context, c Customer, id int64, org bool) (ticket.Ticket, error) {
	t, err := s.tickets.Get(ctx, authz.System, id)
	mine := err == nil && c.ID != 0 && t.RequesterID == c.ID
	colleague := err == nil && org && c.OrgShared && c.OrganizationID != 0 && t.OrganizationID != nil && *t.OrganizationID == c.OrganizationID
	if err != nil || !(mine || colleague) {
		if err != nil && !apperr.Is(err, apperr.CodeNotFound) {
			return ticket.Ticket{}, err
		}
		return ticket.Ticket{}, apperr.NotFound("request", id)
	}
	return t, nil
}

// Request returns one of the customer's requests with its public messages
// (internal notes are never read here).
func (s *Service) Request(ctx context.Context, c Customer, id int64) (Request, error) {
	t, err := s.visible(ctx, c, id, true)
	if err != nil {
		return Request{}, err
	}
	out := Request{Ticket: t, Mine: t.RequesterID == c.ID}
	if out.Form, err = s.FormOfTicket(ctx, t.ID); err != nil {
		return Request{}, err
	}
	pr := page.Request{Limit: page.MaxLimit}
	agents, customers := map[int64]bool{}, map[int64]bool{}
	for len(out.Messages) < maxComments {
		l, err := s.tickets.ListComments(ctx, authz.System, t.ID, pr)
		if err != nil {
			return Request{}, err
		}
		for _, cm := range l.Data {
			if !cm.Public {
				continue
			}
			m := Message{Comment: cm, Mine: cm.AuthorType == "customer" && cm.AuthorID == c.ID}
			switch {
			case cm.AuthorType == "agent":
				agents[cm.AuthorID] = true
			case cm.AuthorType == "customer" && !m.Mine:
				customers[cm.AuthorID] = true
			}
			out.Messages = append(out.Messages, m)
		}
		if l.NextCursor == nil {
			break
		}
		if pr.Cursor, err = page.Decode(*l.NextCursor); err != nil {
			return Request{}, err
		}
	}
	names, err := s.names(ctx, "agents", agents)
	if err != nil {
		return Request{}, err
	}
	colleagues, err := s.names(ctx, "customers", customers)
	if err != nil {
		return Request{}, err
	}
	for i, m := range out.Messages {
		switch {
		case m.AuthorType == "agent":
			out.Messages[i].Author = names[m.AuthorID]
		case m.AuthorType == "customer" && !m.Mine:
			out.Messages[i].Author = colleagues[m.AuthorID]
		}
	}
	return out, nil
}

// names reads the names of the agents (table "agents") or colleagues
// ("customers") who wrote on a request, in one query.
func (s *Service) names(ctx context.Context, table string, ids map[int64]bool) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids))
	for id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM `+table+` WHERE id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("portal: agent names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("portal: agent names: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// Upload is one file a customer sends.
type Upload struct {
	Name        string
	ContentType string
	Body        io.Reader
}

// files stores the uploads in the blob store (the comment that carries
// them records them in its transaction).
func (s *Service) files(ctx context.Context, ups []Upload) ([]ticket.Attachment, error) {
	if len(ups) > MaxFiles {
		return nil, apperr.InvalidField("attachments", fmt.Sprintf("at most %d files", MaxFiles))
	}
	var out []ticket.Attachment
	for i, u := range ups {
		a, err := s.tickets.PutFile(ctx, authz.System, u.Name, u.ContentType, u.Body, MaxFileSize)
		if err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) {
				return nil, apperr.InvalidField(fmt.Sprintf("attachments[%d]", i), ae.Message)
			}
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Reply adds the customer's message to their request, as a message by
// mail would: public, reopening a pending or solved request.
func (s *Service) Reply(ctx context.Context, c Customer, id int64, body string, ups []Upload) error {
	t, err := s.visible(ctx, c, id, true)
	if err != nil {
		return err
	}
	if strings.TrimSpace(body) == "" {
		return apperr.InvalidField("body", "is required")
	}
	if t.Status == ticket.StatusClosed || t.MergedIntoID != nil {
		return apperr.Unprocessable("body", "this request is closed; start a new request instead")
	}
	files, err := s.files(ctx, ups)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		_, _, err := s.tickets.CommentTx(ctx, tx, c.Actor(), t.ID, ticket.CommentInput{Body: body, Files: files, AsCustomer: true, CustomerID: c.ID, Channel: "web"})
		return err
	})
}

// Solve marks the customer's request solved.
func (s *Service) Solve(ctx context.Context, c Customer, id int64) error {
	if _, err := s.own(ctx, c, id); err != nil {
		return err
	}
	_, err := s.tickets.SolveByRequester(ctx, c.ID, id)
	return err
}

// NewRequest is a request filed in the portal.
type NewRequest struct {
	Subject     string
	Description string
	Language    string
	Files       []Upload
	// FormID is the request form filled in (0: none, allowed only while
	// no form is enabled); Answers its fields' values as typed, by key.
	FormID  int64
	Answers map[string]string
}

// Create files a new request for the customer, on the web channel.
func (s *Service) Create(ctx context.Context, c Customer, in NewRequest) (ticket.Ticket, error) {
	fe := apperr.FieldErrors{}
	if strings.TrimSpace(in.Subject) == "" {
		fe.Add("subject", "is required")
	}
	if strings.TrimSpace(in.Description) == "" {
		fe.Add("description", "is required")
	}
	var values map[string]any
	if in.FormID != 0 {
		_, asked, err := s.OpenForm(ctx, in.FormID)
		if err != nil {
			return ticket.Ticket{}, err
		}
		values = Answers(asked, in.Answers, fe)
	} else {
		forms, err := s.EnabledForms(ctx)
		if err != nil {
			return ticket.Ticket{}, err
		}
		if len(forms) > 0 {
			fe.Add("form", "choose a form")
		}
	}
	if err := fe.Err(); err != nil {
		return ticket.Ticket{}, err
	}
	files, err := s.files(ctx, in.Files)
	if err != nil {
		return ticket.Ticket{}, err
	}
	var t ticket.Ticket
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		// The files ride on the first message, as a mail's attachments do.
		var ids []int64
		for _, f := range files {
			a, err := s.tickets.AttachTx(ctx, tx, f)
			if err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		var err error
		t, err = s.tickets.CreateTx(ctx, tx, c.Actor(), ticket.CreateInput{Subject: in.Subject, Description: in.Description,
			RequesterID: c.ID, Channel: "web", Language: in.Language, AttachmentIDs: ids, CustomFields: values})
		if err != nil || in.FormID == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_form_tickets (ticket_id, form_id) VALUES (?, ?)`, t.ID, in.FormID); err != nil {
			return fmt.Errorf("portal: form of request: %w", err)
		}
		return nil
	})
	return t, err
}

// OpenFile opens a file of a public message on the customer's own
// request; any other file is "not found".
func (s *Service) OpenFile(ctx context.Context, c Customer, id int64) (ticket.Attachment, *os.File, error) {
	var ticketID int64
	var public bool
	err := s.db.QueryRowContext(ctx, `SELECT cm.ticket_id, cm.public FROM attachments a JOIN comments cm ON cm.id = a.comment_id WHERE a.id = ?`, id).
		Scan(&ticketID, &public)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !public) {
		return ticket.Attachment{}, nil, apperr.NotFound("file", id)
	}
	if err != nil {
		return ticket.Attachment{}, nil, fmt.Errorf("portal: file %d: %w", id, err)
	}
	if _, err := s.visible(ctx, c, ticketID, true); err != nil {
		return ticket.Attachment{}, nil, apperr.NotFound("file", id)
	}
	return s.tickets.OpenAttachment(ctx, authz.System, id)
}

// ErrNoOrgView is the answer to a customer whose organization does not
// share its requests.
var ErrNoOrgView = apperr.NotFound("organization requests", 0)

// OrgRequests lists the requests of the customer's organization (their
// colleagues' and their own), most recently updated first, when the
// organization lets its members see them; else ErrNoOrgView.
func (s *Service) OrgRequests(ctx context.Context, c Customer, pr page.Request) (page.List[ticket.Ticket], error) {
	if !c.OrgShared || c.OrganizationID == 0 {
		return page.List[ticket.Ticket]{}, ErrNoOrgView
	}
	return s.tickets.List(ctx, authz.System, ticket.Filter{OrganizationID: c.OrganizationID, Sort: "updated"}, pr)
}

// Requesters names the customers who asked the given requests.
func (s *Service) Requesters(ctx context.Context, ts []ticket.Ticket) (map[int64]string, error) {
	ids := map[int64]bool{}
	for _, t := range ts {
		ids[t.RequesterID] = true
	}
	return s.names(ctx, "customers", ids)
}
