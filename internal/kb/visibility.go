package kb

import (
	"strings"

	"github.com/ombud/ombud/internal/authz"
)

// Viewer is who reads articles. The zero Viewer is an anonymous visitor of
// the help center: published public articles only. A customer (Actor of
// kind customer) also sees published articles for their organizations.
// Agents with kb.read see drafts and internal articles, except internal
// ones kept to teams they are not in; publishers see everything.
type Viewer struct {
	Actor authz.Actor
	Orgs  []int64 // a customer's organizations
}

// Anonymous is the help center's visitor who is not signed in.
var Anonymous = Viewer{}

// agent reports whether the viewer reads as an agent.
func (v Viewer) agent() bool {
	return v.Actor.Kind == authz.KindSystem || (v.Actor.IsAgent() && authz.Can(v.Actor, authz.KBRead))
}

// filter is the SQL condition on kb_articles a (and its args) that keeps
// what v may read. Every read path goes through it, so a guessed id, a
// search and a list answer alike.
func (v Viewer) filter() (string, []any) {
	switch {
	case v.Actor.Kind == authz.KindSystem || (v.agent() && canPublish(v.Actor)):
		return "1 = 1", nil
	case v.agent():
		return `(a.visibility <> 'internal'
			OR NOT EXISTS (SELECT 1 FROM kb_article_teams x WHERE x.article_id = a.id)
			OR EXISTS (SELECT 1 FROM kb_article_teams x JOIN team_members m ON m.team_id = x.team_id WHERE x.article_id = a.id AND m.agent_id = ?))`, []any{v.Actor.ID}
	case v.Actor.Kind == authz.KindCustomer && len(v.Orgs) > 0:
		args := make([]any, len(v.Orgs))
		for i, o := range v.Orgs {
			args[i] = o
		}
		return `a.state = 'published' AND (a.visibility = 'public' OR (a.visibility = 'orgs' AND EXISTS (
			SELECT 1 FROM kb_article_orgs o WHERE o.article_id = a.id AND o.org_id IN (?` + strings.Repeat(", ?", len(v.Orgs)-1) + `))))`, args
	}
	return "a.state = 'published' AND a.visibility = 'public'", nil
}
