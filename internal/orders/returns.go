package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// Case kinds.
const (
	KindReturn   = "return"
	KindExchange = "exchange"
	KindRefund   = "refund"
)

// Kinds lists the case kinds.
var Kinds = []string{KindReturn, KindExchange, KindRefund}

// Case statuses.
const (
	Requested = "requested"
	Approved  = "approved"
	LabelSent = "label_sent"
	Received  = "received"
	Refunded  = "refunded"
	Exchanged = "exchanged"
	Rejected  = "rejected"
	Cancelled = "cancelled"
)

// Statuses lists the statuses in workflow order.
var Statuses = []string{Requested, Approved, LabelSent, Received, Refunded, Exchanged, Rejected, Cancelled}

// next is where each status may go. Refunded is for returns and refunds,
// exchanged for exchanges (allowed checks the kind).
var next = map[string][]string{
	Requested: {Approved, Rejected, Cancelled},
	Approved:  {LabelSent, Received, Refunded, Cancelled},
	LabelSent: {Received, Cancelled},
	Received:  {Refunded, Exchanged},
}

// Next lists the statuses a case of kind may move to from status.
func Next(kind, status string) []string {
	var out []string
	for _, to := range next[status] {
		if allowed(kind, status, to) {
			out = append(out, to)
		}
	}
	return out
}

func allowed(kind, from, to string) bool {
	if !slices.Contains(next[from], to) {
		return false
	}
	switch to {
	case Exchanged:
		return kind == KindExchange
	case Refunded:
		// A refund needs no parcel back; a return is refunded once received.
		return kind == KindRefund || (kind == KindReturn && from == Received)
	}
	return true
}

// Ticket history event types.
const (
	EvReturnOpened = "return_opened"
	EvReturnStatus = "return_status"
)

// Limits.
const (
	MaxItems   = 50
	maxProduct = 200
	maxNote    = 2000
	maxOrderNo = 100
)

// CaseItem is one product of a case.
type CaseItem struct {
	Product  string `json:"product"`
	Quantity int    `json:"quantity"`
}

// Case is a return, exchange or refund on a ticket.
type Case struct {
	ID          int64      `json:"id"`
	TicketID    int64      `json:"ticket_id"`
	Kind        string     `json:"kind"`
	OrderNumber string     `json:"order_number"`
	Reason      string     `json:"reason"`
	Note        string     `json:"note"`
	Amount      string     `json:"amount"` // decimal, e.g. 49.90
	AmountMinor int64      `json:"amount_minor"`
	Currency    string     `json:"currency"`
	Status      string     `json:"status"`
	Items       []CaseItem `json:"items"`
	CreatedBy   *int64     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	RefundedAt  *time.Time `json:"refunded_at"`
	// Next are the statuses the case may move to.
	Next []string `json:"next"`
}

// CaseInput opens a case.
type CaseInput struct {
	Kind        string     `json:"kind"`
	OrderNumber string     `json:"order_number"`
	Reason      string     `json:"reason"`
	Note        string     `json:"note"`
	Amount      string     `json:"amount"` // decimal with at most 2 decimals, e.g. 49.90; "" is 0
	Currency    string     `json:"currency"`
	Items       []CaseItem `json:"items"`
}

// TransitionInput moves a case.
type TransitionInput struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// ParseAmount reads a decimal amount such as 49.90 into minor units.
func ParseAmount(s string) (int64, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
	if s == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || strings.HasPrefix(whole, "+") {
		return 0, false
	}
	return w*100 + f, true
}

// FormatAmount writes minor units as a decimal: 4990 is 49.90.
func FormatAmount(minor int64) string {
	return fmt.Sprintf("%d.%02d", minor/100, minor%100)
}

func (s *Service) validateCase(ctx context.Context, in *CaseInput) (int64, error) {
	fe := apperr.FieldErrors{}
	if !slices.Contains(Kinds, in.Kind) {
		fe.Add("kind", "must be return, exchange or refund")
	}
	in.OrderNumber = strings.TrimSpace(in.OrderNumber)
	switch {
	case in.OrderNumber == "":
		fe.Add("order_number", "is required")
	case len(in.OrderNumber) > maxOrderNo:
		fe.Add("order_number", fmt.Sprintf("must be at most %d characters", maxOrderNo))
	default:
		if p := textcheck.Line(in.OrderNumber); p != "" {
			fe.Add("order_number", p)
		}
	}
	reasons, err := s.Reasons(ctx)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(reasons, in.Reason) {
		fe.Add("reason", "is not one of the return reasons")
	}
	in.Note = strings.TrimSpace(in.Note)
	if len(in.Note) > maxNote {
		fe.Add("note", fmt.Sprintf("must be at most %d characters", maxNote))
	}
	amount, ok := ParseAmount(in.Amount)
	if !ok {
		fe.Add("amount", "must be an amount such as 49.90")
	}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	switch {
	case in.Currency == "" && amount > 0:
		fe.Add("currency", "is required with an amount")
	case in.Currency != "" && !currencyCode.MatchString(in.Currency):
		fe.Add("currency", "must be a three-letter currency code such as EUR")
	}
	if in.Kind == KindRefund && amount == 0 {
		fe.Add("amount", "a refund needs an amount")
	}
	if !fe.MaxItems("items", len(in.Items), MaxItems) {
		for i := range in.Items {
			it := &in.Items[i]
			it.Product = strings.TrimSpace(it.Product)
			key := fmt.Sprintf("items.%d", i)
			if it.Product == "" || len(it.Product) > maxProduct || textcheck.Line(it.Product) != "" {
				fe.Add(key+".product", fmt.Sprintf("is required, one line of at most %d characters", maxProduct))
			}
			if it.Quantity < 1 || it.Quantity > 10000 {
				fe.Add(key+".quantity", "must be between 1 and 10000")
			}
		}
	}
	if in.Kind != KindRefund && len(in.Items) == 0 && len(fe) == 0 {
		fe.Add("items", "name at least one product")
	}
	return amount, fe.Err()
}

// Create opens a case on a ticket, an event on the ticket's history.
func (s *Service) Create(ctx context.Context, actor authz.Actor, ticketID int64, in CaseInput) (Case, error) {
	if err := authz.Check(actor, authz.ReturnsManage); err != nil {
		return Case{}, err
	}
	amount, err := s.validateCase(ctx, &in)
	if err != nil {
		return Case{}, err
	}
	now := s.now()
	var id, customer int64
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var by sql.NullInt64
		if actor.IsAgent() {
			by = sql.NullInt64{Int64: actor.ID, Valid: true}
		}
		var err error
		err = tx.QueryRowContext(ctx, `SELECT requester_id FROM tickets WHERE id = ?`, ticketID).Scan(&customer)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("ticket", ticketID)
		}
		if err != nil {
			return fmt.Errorf("orders: ticket %d: %w", ticketID, err)
		}
		id, err = tx.InsertID(ctx, `INSERT INTO return_cases (ticket_id, kind, order_number, reason, note, amount_minor, currency, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ticketID, in.Kind, in.OrderNumber, in.Reason, in.Note, amount, in.Currency, Requested, by, db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("orders: create case: %w", err)
		}
		items := make([]any, 0, len(in.Items))
		for i, it := range in.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO return_items (case_id, position, product, quantity) VALUES (?, ?, ?, ?)`, id, i, it.Product, it.Quantity); err != nil {
				return fmt.Errorf("orders: case item: %w", err)
			}
			items = append(items, map[string]any{"product": it.Product, "quantity": it.Quantity})
		}
		// RecordTx checks the ticket exists (not found otherwise).
		return s.tickets.RecordTx(ctx, tx, actor, ticketID, EvReturnOpened, map[string]any{
			"case_id": id, "kind": in.Kind, "order_number": in.OrderNumber, "reason": in.Reason,
			"amount": FormatAmount(amount), "currency": in.Currency, "items": items, "status": Requested})
	})
	if err != nil {
		return Case{}, err
	}
	s.cache.forget(customer) // the shop's answer about their orders is about to change
	return s.Get(ctx, actor, id)
}

// Transition moves a case to another status, an event on the ticket.
func (s *Service) Transition(ctx context.Context, actor authz.Actor, id int64, in TransitionInput) (Case, error) {
	if err := authz.Check(actor, authz.ReturnsManage); err != nil {
		return Case{}, err
	}
	if !slices.Contains(Statuses, in.Status) || in.Status == Requested {
		return Case{}, apperr.InvalidField("status", "must be approved, label_sent, received, refunded, exchanged, rejected or cancelled")
	}
	in.Note = strings.TrimSpace(in.Note)
	if len(in.Note) > maxNote {
		return Case{}, apperr.InvalidField("note", fmt.Sprintf("must be at most %d characters", maxNote))
	}
	now := s.now()
	var customer int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var ticketID, amount int64
		var kind, status, currency string
		err := tx.QueryRowContext(ctx, `SELECT ticket_id, kind, status, amount_minor, currency FROM return_cases WHERE id = ?`, id).Scan(&ticketID, &kind, &status, &amount, &currency)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("return case", id)
		}
		if err != nil {
			return fmt.Errorf("orders: case %d: %w", id, err)
		}
		if !allowed(kind, status, in.Status) {
			return apperr.Conflict("status", fmt.Sprintf("a %s case cannot go from %s to %s", kind, status, in.Status))
		}
		var refunded sql.NullInt64
		if in.Status == Refunded {
			refunded = sql.NullInt64{Int64: db.Millis(now), Valid: true}
		}
		res, err := tx.ExecContext(ctx, `UPDATE return_cases SET status = ?, updated_at = ?, refunded_at = COALESCE(?, refunded_at) WHERE id = ? AND status = ?`,
			in.Status, db.Millis(now), refunded, id, status)
		if err != nil {
			return fmt.Errorf("orders: move case %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("status", "the case changed meanwhile; reload")
		}
		data := map[string]any{"case_id": id, "kind": kind, "from": status, "to": in.Status}
		if in.Status == Refunded {
			data["amount"] = FormatAmount(amount)
			data["currency"] = currency
		}
		if in.Note != "" {
			data["note"] = in.Note
		}
		if customer, err = requesterOf(ctx, tx, ticketID); err != nil {
			return err
		}
		return s.tickets.RecordTx(ctx, tx, actor, ticketID, EvReturnStatus, data)
	})
	if err != nil {
		return Case{}, err
	}
	s.cache.forget(customer) // a refund or a return received changes the orders
	return s.Get(ctx, actor, id)
}

const caseCols = `id, ticket_id, kind, order_number, reason, note, amount_minor, currency, status, created_by, created_at, updated_at, refunded_at`

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var by, refunded sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.TicketID, &c.Kind, &c.OrderNumber, &c.Reason, &c.Note, &c.AmountMinor, &c.Currency, &c.Status, &by, &created, &updated, &refunded); err != nil {
		return c, err
	}
	if by.Valid {
		c.CreatedBy = &by.Int64
	}
	if refunded.Valid {
		t := db.Time(refunded.Int64)
		c.RefundedAt = &t
	}
	c.CreatedAt, c.UpdatedAt = db.Time(created), db.Time(updated)
	c.Amount = FormatAmount(c.AmountMinor)
	c.Next = Next(c.Kind, c.Status)
	if c.Next == nil {
		c.Next = []string{}
	}
	c.Items = []CaseItem{}
	return c, nil
}

// Get reads one case.
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Case, error) {
	if err := authz.Check(actor, authz.ReturnsRead); err != nil {
		return Case{}, err
	}
	c, err := scanCase(s.db.QueryRowContext(ctx, `SELECT `+caseCols+` FROM return_cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, apperr.NotFound("return case", id)
	}
	if err != nil {
		return Case{}, fmt.Errorf("orders: case %d: %w", id, err)
	}
	cs := []Case{c}
	if err := s.fillItems(ctx, cs); err != nil {
		return Case{}, err
	}
	return cs[0], nil
}

// Filter narrows a case list.
type Filter struct {
	TicketID int64
	Status   string
	Reason   string
	Kind     string
	Limit    int
	BeforeID int64 // cursor: cases with a smaller id
}

// List returns cases, newest first.
func (s *Service) List(ctx context.Context, actor authz.Actor, f Filter) ([]Case, error) {
	if err := authz.Check(actor, authz.ReturnsRead); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, apperr.InvalidField("status", "must be one of "+strings.Join(Statuses, ", "))
	}
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		return nil, apperr.InvalidField("kind", "must be return, exchange or refund")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 200
	}
	q := `SELECT ` + caseCols + ` FROM return_cases WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) { q += " AND " + cond; args = append(args, v) }
	if f.TicketID != 0 {
		add("ticket_id = ?", f.TicketID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Reason != "" {
		add("reason = ?", f.Reason)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.BeforeID != 0 {
		add("id < ?", f.BeforeID)
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(f.Limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("orders: list cases: %w", err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("orders: list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fillItems(ctx, out)
}

func (s *Service) fillItems(ctx context.Context, cs []Case) error {
	if len(cs) == 0 {
		return nil
	}
	byID := map[int64]int{}
	ph := make([]string, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		byID[c.ID] = i
		ph[i] = "?"
		args[i] = c.ID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT case_id, product, quantity FROM return_items WHERE case_id IN (`+strings.Join(ph, ",")+`) ORDER BY case_id, position`, args...)
	if err != nil {
		return fmt.Errorf("orders: case items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var it CaseItem
		if err := rows.Scan(&id, &it.Product, &it.Quantity); err != nil {
			return err
		}
		cs[byID[id]].Items = append(cs[byID[id]].Items, it)
	}
	return rows.Err()
}
