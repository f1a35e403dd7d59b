package authz

import "testing"

func TestCan(t *testing.T) {
	tests := []struct {
		role Role
		perm Perm
		want bool
	}{
		{Admin, Import, true},
		{Manager, Import, false},
		{Manager, AgentWrite, true},
		{Manager, AgentAdminWrite, false},
		{Admin, SecretReveal, true},
		{Manager, SecretReveal, false},
		{Agent, SecretReveal, false},
		{Agent, TicketReply, true},
		{Agent, TeamWrite, false},
		{QAReviewer, TicketNote, true},
		{QAReviewer, TicketReply, false},
		{QAReviewer, TicketUpdate, false},
		{Collaborator, TicketRead, true},
		{Collaborator, CustomerWrite, false},
		{Collaborator, FeedbackRead, true},
		{Collaborator, FeedbackManage, false},
		{Manager, FeedbackManage, true},
		{Agent, FeedbackRead, false},
		{QAReviewer, QAReview, true},
		{QAReviewer, QAManage, false},
		{QAReviewer, QAOwn, false},
		{Agent, QAOwn, true},
		{Agent, QAReview, false},
		{Agent, QAManage, false},
		{Manager, QAManage, true},
		{Collaborator, QAOwn, false},
		{Manager, PulseManage, true},
		{Agent, PulseManage, false},
		{Agent, PulseAnswer, true},
		{QAReviewer, PulseManage, false},
		{Collaborator, PulseAnswer, false},
		{Collaborator, PulseManage, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+"/"+string(tt.perm), func(t *testing.T) {
			a := Actor{Kind: KindAgent, ID: 1, Role: tt.role}
			if got := Can(a, tt.perm); got != tt.want {
				t.Fatalf("Can(%s, %s) = %v, want %v", tt.role, tt.perm, got, tt.want)
			}
		})
	}
	if Can(Actor{Kind: KindCustomer, ID: 1}, TicketRead) {
		t.Fatal("customers must not get agent permissions")
	}
	if !Can(System, Import) {
		t.Fatal("system may do everything")
	}
	for _, r := range Roles {
		if _, ok := grants[r]; !ok {
			t.Errorf("role %s has no grants", r)
		}
	}
}
