package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Shopify reads orders from a Shopify-style REST Admin API:
// GET <base>/admin/api/<version>/orders.json?status=any&email=… with the
// X-Shopify-Access-Token header, following the Link header's rel="next"
// page_info links. Orders are looked up by email or by order name; the
// API has no phone filter, so a phone-only query finds nothing.
type Shopify struct {
	BaseURL string // https://shop.example.com (the shop's admin host)
	Version string // e.g. 2024-10
	Token   string
	Client  *http.Client
	// MaxPages bounds the pages followed (default 3).
	MaxPages int
}

type shopifyOrders struct {
	Orders []struct {
		Name              string  `json:"name"`
		OrderNumber       int64   `json:"order_number"`
		Email             string  `json:"email"`
		CreatedAt         string  `json:"created_at"`
		Currency          string  `json:"currency"`
		TotalPrice        string  `json:"total_price"`
		FinancialStatus   string  `json:"financial_status"`
		FulfillmentStatus *string `json:"fulfillment_status"`
		LineItems         []struct {
			Title    string `json:"title"`
			Name     string `json:"name"`
			SKU      string `json:"sku"`
			Quantity int    `json:"quantity"`
			Price    string `json:"price"`
		} `json:"line_items"`
	} `json:"orders"`
}

// Find lists the customer's orders, newest first as the shop sends them.
func (s *Shopify) Find(ctx context.Context, q Query) ([]Order, error) {
	v := url.Values{"status": {"any"}, "limit": {"50"}}
	switch {
	case q.Number != "":
		n := strings.TrimSpace(q.Number)
		if !strings.HasPrefix(n, "#") {
			n = "#" + n
		}
		v.Set("name", n)
	case q.Email != "":
		v.Set("email", q.Email)
	default:
		return nil, nil
	}
	next := strings.TrimRight(s.BaseURL, "/") + "/admin/api/" + url.PathEscape(s.Version) + "/orders.json?" + v.Encode()
	pages := s.MaxPages
	if pages <= 0 {
		pages = 3
	}
	var out []Order
	for i := 0; i < pages && next != "" && len(out) < MaxOrders; i++ {
		var page shopifyOrders
		link, err := s.get(ctx, next, &page)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Orders {
			number := o.Name
			if number == "" && o.OrderNumber != 0 {
				number = "#" + strconv.FormatInt(o.OrderNumber, 10)
			}
			if q.Email != "" && q.Number == "" && !strings.EqualFold(o.Email, q.Email) {
				continue // a shop that ignores the filter answers everyone's
			}
			created, _ := time.Parse(time.RFC3339, o.CreatedAt)
			ord := Order{Number: number, Email: o.Email, CreatedAt: created.UTC(), Status: o.FinancialStatus, Total: o.TotalPrice, Currency: o.Currency}
			if o.FulfillmentStatus != nil {
				ord.Fulfillment = *o.FulfillmentStatus
			}
			for _, li := range o.LineItems {
				name := li.Title
				if name == "" {
					name = li.Name
				}
				ord.Items = append(ord.Items, Item{Product: name, SKU: li.SKU, Quantity: li.Quantity, Price: li.Price})
			}
			out = append(out, ord)
		}
		next = sameHost(next, nextLink(link)) // the token goes to the shop only
	}
	if len(out) > MaxOrders {
		out = out[:MaxOrders]
	}
	return out, nil
}

func (s *Shopify) get(ctx context.Context, u string, into any) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	req.Header.Set("X-Shopify-Access-Token", s.Token)
	req.Header.Set("Accept", "application/json")
	return doJSON(s.Client, req, into)
}

// doJSON sends req and decodes a 200 answer's JSON into into; it returns
// the Link header.
func doJSON(c *http.Client, req *http.Request, into any) (string, error) {
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: status %d", ErrUnreachable, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(into); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	return resp.Header.Get("Link"), nil
}

// nextLink is the rel="next" URL of a Link header, or "".
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		u, params, ok := strings.Cut(part, ";")
		if !ok {
			continue
		}
		if strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
			u = strings.TrimSpace(u)
			return strings.TrimSuffix(strings.TrimPrefix(u, "<"), ">")
		}
	}
	return ""
}

// sameHost returns next when it is on from's scheme and host, else "".
func sameHost(from, next string) string {
	a, err1 := url.Parse(from)
	b, err2 := url.Parse(next)
	if next == "" || err1 != nil || err2 != nil || a.Scheme != b.Scheme || a.Host != b.Host {
		return ""
	}
	return next
}
