package web_test

import "fmt"

// walkPortalForms adds, reads, changes and deletes a portal request form
// asking the walk's text field, and checks a refusal naming the field.
func (w *walk) walkPortalForms() {
	f := idOf(w.t, w.do("POST /api/v1/portal/forms", "", `{"name":"Walk form","description":"From the walk","fields":[{"key":"walk_ref","required":true,"label":"Your reference","help":"On the invoice"}]}`, 201))
	w.do("POST /api/v1/portal/forms", "", `{"name":"Walk form","fields":[{"key":"no_such_field"}]}`, 400)
	w.do("GET /api/v1/portal/forms", "", nil, 200)
	w.do("GET /api/v1/portal/forms/{id}", fmt.Sprintf("/api/v1/portal/forms/%d", f), nil, 200)
	w.do("PATCH /api/v1/portal/forms/{id}", fmt.Sprintf("/api/v1/portal/forms/%d", f), `{"enabled":false}`, 200)
	w.do("DELETE /api/v1/portal/forms/{id}", fmt.Sprintf("/api/v1/portal/forms/%d", f), nil, 204)
}
