package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Report is the returns report of a period [From, To) (docs/metrics.md):
// cases opened in the period by reason and the quantities of their
// products (cancelled cases left out), and the refunds made in the period
// per currency (cases whose status became refunded then).
type Report struct {
	From      time.Time     `json:"from"`
	To        time.Time     `json:"to"`
	ByReason  []ReasonCount `json:"by_reason"`
	ByProduct []ProductQty  `json:"by_product"`
	Refunds   []RefundTotal `json:"refunds"`
}

// ReasonCount is how many cases gave a reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Cases  int    `json:"cases"`
}

// ProductQty is how many of a product came back, in how many cases.
type ProductQty struct {
	Product  string `json:"product"`
	Quantity int    `json:"quantity"`
	Cases    int    `json:"cases"`
}

// RefundTotal is the sum refunded in one currency.
type RefundTotal struct {
	Currency    string `json:"currency"`
	Cases       int    `json:"cases"`
	AmountMinor int64  `json:"amount_minor"`
	Amount      string `json:"amount"`
}

// MaxReportDays bounds a report's period.
const MaxReportDays = 731

// ReportFor computes the returns report of [from, to).
func (s *Service) ReportFor(ctx context.Context, actor authz.Actor, from, to time.Time) (Report, error) {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return Report{}, err
	}
	if !to.After(from) {
		return Report{}, apperr.InvalidField("to", "must be after from")
	}
	if to.Sub(from) > MaxReportDays*24*time.Hour {
		return Report{}, apperr.InvalidField("from", fmt.Sprintf("the period may be at most %d days", MaxReportDays))
	}
	f, t := db.Millis(from), db.Millis(to)
	r := Report{From: from.UTC(), To: to.UTC(), ByReason: []ReasonCount{}, ByProduct: []ProductQty{}, Refunds: []RefundTotal{}}
	rows, err := s.db.QueryContext(ctx, `SELECT reason, COUNT(*) FROM return_cases WHERE created_at >= ? AND created_at < ? AND status <> 'cancelled'
		GROUP BY reason ORDER BY COUNT(*) DESC, reason`, f, t)
	if err != nil {
		return r, fmt.Errorf("orders: report by reason: %w", err)
	}
	for rows.Next() {
		var x ReasonCount
		if err := rows.Scan(&x.Reason, &x.Cases); err != nil {
			rows.Close()
			return r, err
		}
		r.ByReason = append(r.ByReason, x)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT i.product, SUM(i.quantity), COUNT(DISTINCT c.id) FROM return_items i JOIN return_cases c ON c.id = i.case_id
		WHERE c.created_at >= ? AND c.created_at < ? AND c.status <> 'cancelled'
		GROUP BY i.product ORDER BY SUM(i.quantity) DESC, i.product LIMIT 100`, f, t)
	if err != nil {
		return r, fmt.Errorf("orders: report by product: %w", err)
	}
	for rows.Next() {
		var x ProductQty
		if err := rows.Scan(&x.Product, &x.Quantity, &x.Cases); err != nil {
			rows.Close()
			return r, err
		}
		r.ByProduct = append(r.ByProduct, x)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT currency, COUNT(*), SUM(amount_minor) FROM return_cases
		WHERE status = 'refunded' AND refunded_at >= ? AND refunded_at < ? GROUP BY currency ORDER BY currency`, f, t)
	if err != nil {
		return r, fmt.Errorf("orders: report refunds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x RefundTotal
		if err := rows.Scan(&x.Currency, &x.Cases, &x.AmountMinor); err != nil {
			return r, err
		}
		x.Amount = FormatAmount(x.AmountMinor)
		r.Refunds = append(r.Refunds, x)
	}
	return r, rows.Err()
}
