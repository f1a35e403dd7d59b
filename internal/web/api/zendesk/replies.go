package zendesk

// The answers' shapes, named in the route table for the OpenAPI document.
// Handlers build the same JSON (lists add the pagination fields of the
// form asked for: offset or cursor).

// Lists carry the pagination fields of the form asked for: next_page,
// previous_page and count for offset pages; meta and links for cursor
// pages.

// CursorMeta is a cursor page's meta.
type CursorMeta struct {
	HasMore      bool    `json:"has_more"`
	AfterCursor  *string `json:"after_cursor"`
	BeforeCursor *string `json:"before_cursor"`
}

// Links are a cursor page's links.
type Links struct {
	Next *string `json:"next"`
	Prev *string `json:"prev"`
}

// TicketList answers the ticket list.
type TicketList struct {
	Tickets      []Ticket    `json:"tickets"`
	NextPage     *string     `json:"next_page,omitempty"`
	PreviousPage *string     `json:"previous_page,omitempty"`
	Count        *int        `json:"count,omitempty"`
	Meta         *CursorMeta `json:"meta,omitempty"`
	Links        *Links      `json:"links,omitempty"`
}

// TicketReply answers one ticket.
type TicketReply struct {
	Ticket Ticket `json:"ticket"`
}

// CommentList answers a ticket's comments.
type CommentList struct {
	Comments     []Comment   `json:"comments"`
	NextPage     *string     `json:"next_page,omitempty"`
	PreviousPage *string     `json:"previous_page,omitempty"`
	Count        *int        `json:"count,omitempty"`
	Meta         *CursorMeta `json:"meta,omitempty"`
	Links        *Links      `json:"links,omitempty"`
}

// SearchReply answers a search: tickets, users or organizations, each
// with its result_type.
type SearchReply struct {
	Results []any   `json:"results"`
	Facets  any     `json:"facets"`
	Next    *string `json:"next_page"`
	Prev    *string `json:"previous_page"`
	Count   int     `json:"count"`
}

// ExportReply answers the time-based incremental export.
type ExportReply struct {
	Tickets     []Ticket `json:"tickets"`
	Count       int      `json:"count"`
	EndTime     int64    `json:"end_time"`
	EndOfStream bool     `json:"end_of_stream"`
	NextPage    string   `json:"next_page"`
}

// CursorExportReply answers the cursor-based incremental export.
type CursorExportReply struct {
	Tickets      []Ticket `json:"tickets"`
	AfterCursor  string   `json:"after_cursor"`
	AfterURL     string   `json:"after_url"`
	BeforeCursor *string  `json:"before_cursor"`
	BeforeURL    *string  `json:"before_url"`
	EndOfStream  bool     `json:"end_of_stream"`
}

// UserList answers a user list or user search.
type UserList struct {
	Users        []User      `json:"users"`
	NextPage     *string     `json:"next_page,omitempty"`
	PreviousPage *string     `json:"previous_page,omitempty"`
	Count        *int        `json:"count,omitempty"`
	Meta         *CursorMeta `json:"meta,omitempty"`
	Links        *Links      `json:"links,omitempty"`
}

// UserReply answers one user.
type UserReply struct {
	User User `json:"user"`
}

// OrganizationList answers the organization list.
type OrganizationList struct {
	Organizations []Organization `json:"organizations"`
	NextPage      *string        `json:"next_page,omitempty"`
	PreviousPage  *string        `json:"previous_page,omitempty"`
	Count         *int           `json:"count,omitempty"`
	Meta          *CursorMeta    `json:"meta,omitempty"`
	Links         *Links         `json:"links,omitempty"`
}

// OrganizationReply answers one organization.
type OrganizationReply struct {
	Organization Organization `json:"organization"`
}
