package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Paths says where a generic JSON answer keeps each part of an order:
// dot-separated keys ("data.orders", "customer.email"); Orders "" means
// the answer itself is the list. Item paths are relative to one item.
type Paths struct {
	Orders      string `json:"orders"`
	Number      string `json:"number"`
	Email       string `json:"email"`
	CreatedAt   string `json:"created_at"`
	Status      string `json:"status"`
	Fulfillment string `json:"fulfillment"`
	Total       string `json:"total"`
	Currency    string `json:"currency"`
	Items       string `json:"items"`
	Product     string `json:"product"`
	SKU         string `json:"sku"`
	Quantity    string `json:"quantity"`
	Price       string `json:"price"`
}

// DefaultPaths fit an answer like {"orders":[{"number":"1001","email":…,
// "created_at":…,"status":…,"total":"59.90","currency":"EUR",
// "items":[{"product":…,"quantity":1,"price":…}]}]}.
func DefaultPaths() Paths {
	return Paths{Orders: "orders", Number: "number", Email: "email", CreatedAt: "created_at", Status: "status", Fulfillment: "fulfillment",
		Total: "total", Currency: "currency", Items: "items", Product: "product", SKU: "sku", Quantity: "quantity", Price: "price"}
}

// JSON reads orders from any JSON endpoint: URLTemplate has {email},
// {phone} and {number} in it (filled in query-escaped), the token goes
// as "Authorization: Bearer …" when set, and Paths picks the fields.
type JSON struct {
	URLTemplate string
	Token       string
	Paths       Paths
	Client      *http.Client
}

// Find asks the endpoint once.
func (j *JSON) Find(ctx context.Context, q Query) ([]Order, error) {
	if q.empty() {
		return nil, nil
	}
	u := strings.NewReplacer("{email}", url.QueryEscape(q.Email), "{phone}", url.QueryEscape(q.Phone), "{number}", url.QueryEscape(q.Number)).Replace(j.URLTemplate)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	req.Header.Set("Accept", "application/json")
	if j.Token != "" {
		req.Header.Set("Authorization", "Bearer "+j.Token)
	}
	var doc any
	if _, err := doJSON(j.Client, req, &doc); err != nil {
		return nil, err
	}
	list, ok := at(doc, j.Paths.Orders).([]any)
	if !ok {
		return nil, fmt.Errorf("%w: no list at %q", ErrUnreachable, j.Paths.Orders)
	}
	p := j.Paths
	var out []Order
	for _, raw := range list {
		if len(out) == MaxOrders {
			break
		}
		o := Order{Number: text(at(raw, p.Number)), Email: text(at(raw, p.Email)), Status: text(at(raw, p.Status)),
			Fulfillment: text(at(raw, p.Fulfillment)), Total: text(at(raw, p.Total)), Currency: text(at(raw, p.Currency))}
		if t, err := time.Parse(time.RFC3339, text(at(raw, p.CreatedAt))); err == nil {
			o.CreatedAt = t.UTC()
		}
		items, _ := at(raw, p.Items).([]any)
		for _, it := range items {
			n, _ := strconv.Atoi(text(at(it, p.Quantity)))
			o.Items = append(o.Items, Item{Product: text(at(it, p.Product)), SKU: text(at(it, p.SKU)), Quantity: n, Price: text(at(it, p.Price))})
		}
		out = append(out, o)
	}
	return out, nil
}

// at follows a dot path into decoded JSON; "" is v itself.
func at(v any, path string) any {
	if path == "" {
		return v
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// text is a JSON scalar as text ("" for anything else).
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	return ""
}
