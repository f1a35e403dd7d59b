package email

import (
	"context"
	"fmt"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
)

// The purposes mailbox passwords are sealed for: the column each lives in,
// so a sealed value moved to another column does not open.
const (
	purposeSMTPPassword = "mailboxes.smtp_password"
	purposeIMAPPassword = "mailboxes.imap_password"
)

// sealPasswords returns in with the passwords it sets sealed, so that the
// plain text never reaches a row. The caller's input is left as it was.
func (s *Service) sealPasswords(in MailboxInput) (MailboxInput, error) {
	if in.SMTP != nil && in.SMTP.Password != nil {
		sealed, err := s.opts.Secrets.Seal(purposeSMTPPassword, *in.SMTP.Password)
		if err != nil {
			return in, fmt.Errorf("email: seal smtp password: %w", err)
		}
		r := *in.SMTP
		r.Password = &sealed
		in.SMTP = &r
	}
	if in.IMAP.Set && !in.IMAP.Null && in.IMAP.V.Password != nil {
		sealed, err := s.opts.Secrets.Seal(purposeIMAPPassword, *in.IMAP.V.Password)
		if err != nil {
			return in, fmt.Errorf("email: seal imap password: %w", err)
		}
		in.IMAP.V.Password = &sealed
	}
	return in, nil
}

// smtpPassword opens a mailbox's stored relay password.
func (s *Service) smtpPassword(m Mailbox) (string, error) {
	pw, err := s.opts.Secrets.Open(purposeSMTPPassword, m.SMTP.Password)
	if err != nil {
		return "", fmt.Errorf("mailbox %s: the stored SMTP password cannot be read (enter it again, or configure the key it was stored with): %w", m.Address, err)
	}
	return pw, nil
}

// imapPassword opens a mailbox's stored IMAP password.
func (s *Service) imapPassword(m Mailbox) (string, error) {
	if m.IMAP == nil {
		return "", nil
	}
	pw, err := s.opts.Secrets.Open(purposeIMAPPassword, m.IMAP.Password)
	if err != nil {
		return "", fmt.Errorf("mailbox %s: the stored IMAP password cannot be read (enter it again, or configure the key it was stored with): %w", m.Address, err)
	}
	return pw, nil
}

// SealSecrets makes one pass over the stored mailbox passwords: plain text
// left from before encryption is sealed, and with rotate, values sealed
// with a previous key are sealed again with the current one. It runs at
// every start (then it usually finds nothing to do) and from
// `ombud secrets rotate`. A row an admin changes meanwhile is left to that
// change (the update only applies to the value that was read).
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		t = secret.Tally{}
		type row struct {
			id         int64
			smtp, imap string
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, smtp_password, imap_password FROM mailboxes WHERE smtp_password <> '' OR imap_password <> '' ORDER BY id`)
		if err != nil {
			return fmt.Errorf("email: read mailbox passwords: %w", err)
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.smtp, &r.imap); err != nil {
				rows.Close()
				return fmt.Errorf("email: read mailbox passwords: %w", err)
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("email: read mailbox passwords: %w", err)
		}
		for _, r := range all {
			smtp, w1 := s.opts.Secrets.Sweep(purposeSMTPPassword, r.smtp, rotate, &t)
			imap, w2 := s.opts.Secrets.Sweep(purposeIMAPPassword, r.imap, rotate, &t)
			if !w1 && !w2 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE mailboxes SET smtp_password = ?, imap_password = ? WHERE id = ? AND smtp_password = ? AND imap_password = ?`,
				smtp, imap, r.id, r.smtp, r.imap); err != nil {
				return fmt.Errorf("email: seal mailbox %d passwords: %w", r.id, err)
			}
		}
		return nil
	})
	if err != nil {
		return secret.Tally{}, err
	}
	if t.Sealed > 0 {
		s.mailboxesChanged()
	}
	return t, nil
}
