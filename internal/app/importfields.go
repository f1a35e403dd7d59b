package app

import (
	"context"
	"slices"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/ticket"
)

// EnsureField finds the custom field with f's key or creates it. A
// dropdown that exists gains the options it lacks, and a field an admin
// switched off is switched on again: the tickets that follow hold values
// of it, and an inactive field takes none. It returns the field's type,
// which for a field that exists may differ from f's.
func (d directory) EnsureField(ctx context.Context, f importer.Field) (string, error) {
	defs, err := d.s.Tickets.ListFields(ctx, authz.System)
	if err != nil {
		return "", err
	}
	for _, def := range defs {
		if def.Key != f.Key {
			continue
		}
		p := ticket.FieldPatch{}
		if def.Type == "dropdown" && f.Type == "dropdown" {
			opts := slices.Clone(def.Options)
			for _, o := range f.Options {
				if !slices.Contains(opts, o) {
					opts = append(opts, o)
				}
			}
			if len(opts) > len(def.Options) {
				p.Options = &opts
			}
		}
		if !def.Active {
			on := true
			p.Active = &on
		}
		if p.Options == nil && p.Active == nil {
			return def.Type, nil
		}
		_, err := d.s.Tickets.UpdateField(ctx, authz.System, def.ID, p)
		return def.Type, err
	}
	_, err = d.s.Tickets.CreateField(ctx, authz.System, ticket.FieldInput{Key: f.Key, Label: f.Label, Type: f.Type, Options: f.Options, Position: len(defs)})
	return f.Type, err
}
