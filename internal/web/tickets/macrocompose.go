package tickets

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// A previewed macro's text goes into the composer and its field changes
// beside it as pending changes, each with a checkbox: sending the
// composer, however much its text was edited, makes the changes still
// ticked (automation.SendWithMacro). The macro's status presets "Submit
// as" instead of being a pending change of its own.

// macroChange is one field change of a macro, in words; Key names it in
// the form (automation.MacroChangeKeys), empty for the status.
type macroChange struct {
	Key  string
	Text string
}

// macroPreviewFor renders macro macroID for ticket id as the composer
// shows it: the preview and the text for the composer. dropped are the
// pending changes the agent had removed.
func (u *UI) macroPreviewFor(r *http.Request, id, macroID int64, dropped map[string]bool) (*macroPreview, string, error) {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	m, err := u.Automation.GetMacro(ctx, actor, macroID)
	if err != nil {
		return nil, "", err
	}
	pv, err := u.Automation.PreviewMacro(ctx, actor, id, macroID)
	if err != nil {
		return nil, "", err
	}
	p := &macroPreview{MacroID: macroID, Name: m.Name, Public: true, Dropped: dropped}
	draft := ""
	for i, c := range pv.Comments {
		if i == 0 {
			draft, p.Public = c.Body, c.Public
			continue
		}
		p.Replies = append(p.Replies, c.Body)
	}
	if st, ok := pv.Changes["status"]; ok {
		p.Status = strings.TrimSpace(toString(st))
	}
	if p.Changes, err = u.describeChanges(ctx, actor, u.lang(r), pv.Changes); err != nil {
		return nil, "", err
	}
	return p, draft, nil
}

func toString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case ticket.Status:
		return string(s)
	}
	return ""
}

// describeChanges says in words, in lang, what a macro's field changes will
// do, naming teams and agents rather than their ids.
func (u *UI) describeChanges(ctx context.Context, actor authz.Actor, lang string, ch map[string]any) ([]macroChange, error) {
	t := func(key string, args ...any) string { return u.i18n.T(lang, key, args...) }
	keys := make([]string, 0, len(ch))
	for k := range ch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var agentIDs []int64
	if p, _ := ch["assignee_id"].(*int64); p != nil {
		agentIDs = append(agentIDs, *p)
	}
	if ids, ok := ch["follower_ids"].([]int64); ok {
		agentIDs = append(agentIDs, ids...)
	}
	agents, err := u.Agents.Brief(ctx, agentIDs)
	if err != nil {
		return nil, err
	}
	agentName := func(id int64) string {
		if n := agents[id].Name; n != "" {
			return n
		}
		return t("a former agent")
	}
	out := []macroChange{}
	for _, k := range keys {
		v := ch[k]
		var text string
		switch k {
		case "status":
			text = t("Set status to %s", u.labelIn(lang, v))
		case "priority":
			text = t("Set priority to %s", u.labelIn(lang, v))
		case "type":
			text = t("Set type to %s", u.labelIn(lang, v))
		case "assignee_id":
			if p, _ := v.(*int64); p != nil {
				text = t("Assign to %s", agentName(*p))
			} else {
				text = t("Unassign the ticket")
			}
		case "team_id":
			if p, _ := v.(*int64); p != nil {
				text = t("Team: %s", u.teamName(ctx, actor, lang, *p))
			} else {
				text = t("Remove the team")
			}
		case "add_tags":
			text = t("Add tags: %s", strings.Join(toStrings(v), ", "))
		case "remove_tags":
			text = t("Remove tags: %s", strings.Join(toStrings(v), ", "))
		case "follower_ids":
			ids, _ := v.([]int64)
			names := make([]string, 0, len(ids))
			for _, id := range ids {
				names = append(names, agentName(id))
			}
			text = t("Followers: %s", strings.Join(names, ", "))
		default:
			text = t("Change %s", u.labelIn(lang, k))
		}
		key := k
		if k == "status" || !slices.Contains(automation.MacroChangeKeys, k) {
			key = ""
		}
		out = append(out, macroChange{Key: key, Text: text})
	}
	return out, nil
}

// teamName names a team for a preview; an agent who may not list teams,
// or a team since deleted, reads a word instead of a number.
func (u *UI) teamName(ctx context.Context, actor authz.Actor, lang string, id int64) string {
	if ts, err := u.Agents.ListTeams(ctx, actor); err == nil {
		for _, tm := range ts.Data {
			if tm.ID == id {
				return tm.Name
			}
		}
	}
	return u.i18n.T(lang, "another team")
}

// sendComment posts the composer: with a previewed macro (macro_id), its
// ticked pending changes (macro_change) go with the comment. A refused
// send returns the preview to show again, with the changes as ticked.
func (u *UI) sendComment(r *http.Request, id int64, in ticket.CommentInput, values map[string][]string) (*macroPreview, error) {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	raw := strings.TrimSpace(first(values["macro_id"]))
	if raw == "" || u.Automation == nil {
		_, err := u.Tickets.AddComment(ctx, actor, id, in)
		return nil, err
	}
	macroID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || macroID <= 0 {
		return nil, apperr.InvalidField("macro_id", "choose a macro")
	}
	keep := values["macro_change"]
	_, err = u.Automation.SendWithMacro(ctx, actor, id, macroID, keep, in)
	if err == nil {
		return nil, nil
	}
	dropped := map[string]bool{}
	for _, k := range automation.MacroChangeKeys {
		if !slices.Contains(keep, k) {
			dropped[k] = true
		}
	}
	p, _, perr := u.macroPreviewFor(r, id, macroID, dropped)
	if perr != nil {
		return nil, err
	}
	p.Status = string(in.Status) // what the agent chose stays chosen
	return p, err
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
