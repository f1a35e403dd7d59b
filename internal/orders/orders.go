// Package orders looks up a customer's orders in the shop and runs the
// return, exchange and refund cases agents open on tickets.
//
// An installation has one order-lookup connector (Connector): a
// Shopify-style REST shop (shopify.go) or any JSON endpoint described by a
// URL template and field paths (jsonconn.go). Its settings and access
// token, sealed like every stored credential, are in order_settings
// (settings.go). A case (returns.go) moves requested → approved → label
// sent → received → refunded or exchanged (or rejected, cancelled), and
// every step is an event on the ticket, so the reports (report.go) can be
// explained event by event. docs/orders.md describes it all.
package orders

import (
	"context"
	"errors"
	"time"
)

// Order is one order as the shop reports it.
type Order struct {
	Number      string    `json:"number"` // what the customer calls it, e.g. #1001
	Email       string    `json:"email"`
	CreatedAt   time.Time `json:"created_at"`
	Status      string    `json:"status"`      // the shop's financial status, e.g. paid
	Fulfillment string    `json:"fulfillment"` // e.g. fulfilled, "" when not yet
	Total       string    `json:"total"`       // as the shop writes it, e.g. 59.90
	Currency    string    `json:"currency"`
	Items       []Item    `json:"items"`
}

// Item is one line of an order.
type Item struct {
	Product  string `json:"product"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Price    string `json:"price"`
}

// Query names whose orders to find: any of a customer's email, phone and
// an order number the customer gave. Customer is whose they are: the
// cache's key (cache.go), 0 for none; connectors do not use it.
type Query struct {
	Email    string
	Phone    string
	Number   string
	Customer int64
}

func (q Query) empty() bool { return q.Email == "" && q.Phone == "" && q.Number == "" }

// Connector finds orders in a shop.
type Connector interface {
	Find(ctx context.Context, q Query) ([]Order, error)
}

// ErrUnreachable wraps every failure to get an answer from the shop:
// network, timeout, refused credentials, an answer of the wrong shape.
var ErrUnreachable = errors.New("orders: the shop did not answer")

// MaxOrders is how many orders a lookup returns at most.
const MaxOrders = 50
