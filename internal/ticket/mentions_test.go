package ticket

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var mentionAgents = []MentionCandidate{
	{ID: 1, Name: "Ann Lee", Email: "ann@example.com"},
	{ID: 2, Name: "Ann", Email: "ann.k@example.com"},
	{ID: 3, Name: "Bob Smith", Email: "bob@example.com"},
	{ID: 4, Name: "Bob Smith", Email: "bob.smith@example.org"}, // same name as 3
	{ID: 5, Name: "Åsa Öberg", Email: "asa@example.se"},
	{ID: 6, Name: "  Kari   Nordmann ", Email: " kari@example.no "},
	{ID: 7, Name: "", Email: ""},
}

func TestFindMentions(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []int64 // agent ids in order of the matches
		span []string
	}{
		{"full name", "Hi @Ann Lee, can you look?", []int64{1}, []string{"@Ann Lee"}},
		{"case-insensitive", "@ann lee please", []int64{1}, []string{"@ann lee"}},
		{"longest name wins", "@Ann Lee and @Ann", []int64{1, 2}, []string{"@Ann Lee", "@Ann"}},
		{"email", "cc @bob@example.com.", []int64{3}, []string{"@bob@example.com"}},
		{"email case-insensitive", "@BOB@Example.COM", []int64{3}, []string{"@BOB@Example.COM"}},
		{"ambiguous name is no mention", "@Bob Smith can you", nil, nil},
		{"ambiguous name, email works", "@Bob Smith or @bob.smith@example.org", []int64{4}, []string{"@bob.smith@example.org"}},
		{"start of text", "@Ann", []int64{2}, []string{"@Ann"}},
		{"after punctuation", "(@Ann) and \"@Ann Lee\"", []int64{2, 1}, []string{"@Ann", "@Ann Lee"}},
		{"after newline", "Thanks\n@Ann Lee", []int64{1}, []string{"@Ann Lee"}},
		{"no word boundary after", "@Annabel is not Ann", nil, nil},
		{"hyphen continues the name", "@Ann-Marie", nil, nil},
		{"email address is not a mention", "write to ann@example.com", nil, nil},
		{"url is not a mention", "https://social.example/@Ann", nil, nil},
		{"domain continues", "@ann@example.com.au", nil, nil},
		{"sentence full stop", "Ask @Ann Lee.", []int64{1}, []string{"@Ann Lee"}},
		{"possessive", "@Ann Lee's ticket", []int64{1}, []string{"@Ann Lee"}},
		{"no-break space", "@Ann\u00a0Lee", []int64{1}, []string{"@Ann\u00a0Lee"}},
		{"two spaces fall back to the shorter name", "@Ann  Lee", []int64{2}, []string{"@Ann"}},
		{"unicode case folding", "@åSA öBERG hei", []int64{5}, []string{"@åSA öBERG"}},
		{"name with extra spaces in the directory", "@Kari Nordmann", []int64{6}, []string{"@Kari Nordmann"}},
		{"trimmed email", "@kari@example.no", []int64{6}, []string{"@kari@example.no"}},
		{"repeated mention", "@Ann, @Ann!", []int64{2, 2}, []string{"@Ann", "@Ann"}},
		{"double at", "@@Ann", nil, nil},
		{"lonely at", "@ nobody @", nil, nil},
		{"no at", "Ann Lee", nil, nil},
		{"empty", "", nil, nil},
		{"invalid utf-8 before", "\xff@Ann", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindMentions(tt.text, mentionAgents)
			var ids []int64
			var spans []string
			for _, m := range got {
				ids = append(ids, m.AgentID)
				spans = append(spans, tt.text[m.Start:m.End])
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.span, spans); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMentionedIDs(t *testing.T) {
	got := MentionedIDs(FindMentions("@Ann, @Ann Lee, @ann, @bob@example.com", mentionAgents))
	if diff := cmp.Diff([]int64{2, 1, 3}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := FindMentions("@Ann", nil); got != nil {
		t.Errorf("no candidates: %v", got)
	}
}

// FuzzMentions checks that any text gives well-formed matches: in order,
// not overlapping, inside the text, each an "@" followed by exactly one
// candidate's name or address.
func FuzzMentions(f *testing.F) {
	for _, s := range []string{"Hi @Ann Lee, can you look?", "@bob@example.com.", "@Bob Smith", "@@Ann", "a@Ann", "@Ann\u00a0Lee.", "@åSA öBERG", "\xff@Ann", "@Kari Nordmann's", "@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ms := FindMentions(text, mentionAgents)
		prev := 0
		for _, m := range ms {
			if m.Start < prev || m.End <= m.Start+1 || m.End > len(text) {
				t.Fatalf("bad span %+v after %d in %q", m, prev, text)
			}
			prev = m.End
			if text[m.Start] != '@' {
				t.Fatalf("match %+v does not start with @ in %q", m, text)
			}
			got := strings.ReplaceAll(text[m.Start+1:m.End], "\u00a0", " ")
			var keys []string
			for _, c := range mentionAgents {
				if c.ID != m.AgentID {
					continue
				}
				keys = append(keys, strings.Join(strings.Fields(c.Name), " "), strings.TrimSpace(c.Email))
			}
			if !slices.ContainsFunc(keys, func(k string) bool { return k != "" && strings.EqualFold(k, got) }) {
				t.Fatalf("match %q is not a name or address of agent %d", got, m.AgentID)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("match %q is not valid UTF-8", got)
			}
			if m.AgentID == 3 || m.AgentID == 4 {
				// Their shared name is ambiguous: only addresses mention them.
				if strings.EqualFold(got, "Bob Smith") {
					t.Fatalf("ambiguous name matched agent %d in %q", m.AgentID, text)
				}
			}
		}
	})
}
