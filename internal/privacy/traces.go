package privacy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
)

// Traces looks for text in every column of every table of the database
// (tables are enumerated from the catalogue, so new ones are covered
// without a change here) and in every stored blob, case-insensitively, and
// returns where it found it (bytes columns are searched for the lower-case
// text as is) ("table.column" or "blob <path>"). It reads
// everything: it proves an erasure, it is not for serving requests.
func Traces(ctx context.Context, d *db.DB, blobs *blob.Store, text string) ([]string, error) {
	needle := strings.ToLower(text)
	var found []string
	var err error
	if d.Dialect() == db.Postgres {
		found, err = tracesPostgres(ctx, d, needle)
	} else {
		found, err = tracesSQLite(ctx, d, needle)
	}
	if err != nil || blobs == nil {
		return found, err
	}
	err = blobs.Walk(func(p string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("privacy: traces: %w", err)
		}
		if bytes.Contains(bytes.ToLower(b), []byte(needle)) {
			found = append(found, "blob "+p)
		}
		return nil
	})
	return found, err
}

func strings1(ctx context.Context, d *db.DB, q string, a ...any) ([]string, error) {
	rows, err := d.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("privacy: traces: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("privacy: traces: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func tracesSQLite(ctx context.Context, d *db.DB, needle string) ([]string, error) {
	// Virtual tables and their shadow tables (the full-text indexes) too.
	tables, err := strings1(ctx, d, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, t := range tables {
		cols, err := strings1(ctx, d, `SELECT name FROM pragma_table_info(?)`, t)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			q := `SELECT COUNT(*) FROM ` + quoteIdent(t) + ` WHERE instr(lower(CAST(` + quoteIdent(c) + ` AS TEXT)), ?) > 0
				OR instr(CAST(` + quoteIdent(c) + ` AS BLOB), CAST(? AS BLOB)) > 0`
			var n int
			if err := d.QueryRowContext(ctx, q, needle, needle).Scan(&n); err != nil {
				return nil, fmt.Errorf("privacy: traces %s.%s: %w", t, c, err)
			}
			if n > 0 {
				found = append(found, t+"."+c)
			}
		}
	}
	return found, nil
}

func tracesPostgres(ctx context.Context, d *db.DB, needle string) ([]string, error) {
	tables, err := strings1(ctx, d, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, t := range tables {
		// A row as text holds every column, tsvector lexemes included;
		// bytea shows as hex there, so those columns are searched as bytes.
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(t)+` x WHERE strpos(lower(x::text), ?) > 0`, needle).Scan(&n); err != nil {
			return nil, fmt.Errorf("privacy: traces %s: %w", t, err)
		}
		if n > 0 {
			found = append(found, t)
		}
		bcols, err := strings1(ctx, d, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? AND data_type = 'bytea'`, t)
		if err != nil {
			return nil, err
		}
		for _, c := range bcols {
			q := `SELECT COUNT(*) FROM ` + quoteIdent(t) + ` WHERE position(convert_to(?, 'UTF8') in ` + quoteIdent(c) + `) > 0`
			if err := d.QueryRowContext(ctx, q, needle).Scan(&n); err != nil {
				return nil, fmt.Errorf("privacy: traces %s.%s: %w", t, c, err)
			}
			if n > 0 {
				found = append(found, t+"."+c)
			}
		}
	}
	return found, nil
}
