package web_test

import "fmt"

// walkPulse creates a team pulse survey for every agent, answers it as the
// caller (an admin is invited too), reads its aggregates and closes it.
func (w *walk) walkPulse() {
	f := fmt.Sprintf
	s := idOf(w.t, w.do("POST /api/v1/pulse/surveys", "", `{"title":"Spring pulse","questions":["I have the tools I need"],"min_group":3}`, 201))
	w.do("GET /api/v1/pulse/surveys", "", nil, 200)
	w.do("GET /api/v1/pulse/surveys/{id}", f("/api/v1/pulse/surveys/%d", s), nil, 200)
	w.do("GET /api/v1/pulse/invitations", "", nil, 200)
	w.do("POST /api/v1/pulse/surveys/{id}/answers", f("/api/v1/pulse/surveys/%d/answers", s), `{"score":9,"ratings":[4],"comment":"Good tools"}`, 204)
	w.do("GET /api/v1/pulse/surveys/{id}/results", f("/api/v1/pulse/surveys/%d/results", s), nil, 200)
	w.do("POST /api/v1/pulse/surveys/{id}/close", f("/api/v1/pulse/surveys/%d/close", s), nil, 200)
}
