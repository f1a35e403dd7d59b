package email

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email/imapsource"
)

// IMAPSources runs one poller for every active mailbox with an IMAP
// source, and restarts a mailbox's poller when its settings change.
//
// Several instances sharing a PostgreSQL database may all poll the same
// folder: whichever commits a message first imports it, the others find it
// already stored (Message-ID dedupe), and all of them then mark it.
type IMAPSources struct {
	svc     *Service
	refresh time.Duration
	mu      sync.Mutex
	running map[int64]*runningPoller
}

type runningPoller struct {
	cfg    imapsource.Config
	cancel context.CancelFunc
	done   chan struct{}
}

// NewIMAPSources returns the poller manager; refresh is how often it
// re-reads the mailbox settings (default 30 s).
func NewIMAPSources(svc *Service, refresh time.Duration) *IMAPSources {
	if refresh <= 0 {
		refresh = 30 * time.Second
	}
	return &IMAPSources{svc: svc, refresh: refresh, running: map[int64]*runningPoller{}}
}

// Run keeps the pollers in step with the mailboxes until ctx is done, then
// stops them all (each finishes the message it is committing).
func (m *IMAPSources) Run(ctx context.Context) error {
	defer m.stopAll()
	for {
		if err := m.sync(ctx); err != nil && ctx.Err() == nil {
			m.svc.log.Error("imap: read mailboxes", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(m.refresh):
		}
	}
}

func (m *IMAPSources) sync(ctx context.Context) error {
	boxes, err := m.svc.mailboxes(ctx)
	if err != nil {
		return err
	}
	want := map[int64]imapsource.Config{}
	for _, b := range boxes {
		if !b.Active || b.IMAP == nil {
			continue
		}
		pw, err := m.svc.imapPassword(b)
		if err != nil {
			m.svc.log.Error("imap: not polling", "mailbox_id", b.ID, "err", err)
			continue
		}
		want[b.ID] = imapsource.Config{Host: b.IMAP.Host, Port: b.IMAP.Port, Security: b.IMAP.Security, Username: b.IMAP.Username,
			Password: pw, Folder: b.IMAP.Folder, ProcessedFolder: b.IMAP.ProcessedFolder, AllowInsecureAuth: b.AllowInsecureAuth}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.running {
		if cfg, ok := want[id]; !ok || cfg != r.cfg {
			r.cancel()
			<-r.done
			delete(m.running, id)
		}
	}
	for _, b := range boxes {
		cfg, ok := want[b.ID]
		if _, running := m.running[b.ID]; !ok || running {
			continue
		}
		m.start(ctx, b.ID, cfg, time.Duration(b.IMAP.IntervalSeconds)*time.Second)
	}
	return nil
}

func (m *IMAPSources) start(ctx context.Context, mailboxID int64, cfg imapsource.Config, interval time.Duration) {
	pctx, cancel := context.WithCancel(ctx)
	r := &runningPoller{cfg: cfg, cancel: cancel, done: make(chan struct{})}
	log := m.svc.log.With("mailbox_id", mailboxID, "imap", fmt.Sprintf("%s@%s", cfg.Username, cfg.Host))
	deliver := func(ctx context.Context, raw []byte) error {
		_, err := m.svc.Receive(ctx, Inbound{MailboxID: mailboxID, Source: "imap", Raw: raw})
		return err
	}
	p := imapsource.New(cfg, deliver, imapsource.Options{Interval: interval, Logger: log, MaxMessageBytes: m.svc.opts.MaxMessageBytes})
	m.running[mailboxID] = r
	go func() {
		defer close(r.done)
		if err := p.Run(pctx); err != nil && pctx.Err() == nil {
			log.Error("imap: poller stopped", "err", err)
		}
	}()
}

func (m *IMAPSources) stopAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.running {
		r.cancel()
		<-r.done
		delete(m.running, id)
	}
}

// CheckIMAP tries a mailbox's IMAP settings (login and folder) so the admin
// sees a clear error before saving them.
func (s *Service) CheckIMAP(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return err
	}
	b, err := getMailbox(ctx, s.db, id)
	if err != nil {
		return err
	}
	if b.IMAP == nil {
		return fmt.Errorf("mailbox %d has no IMAP source", id)
	}
	pw, err := s.imapPassword(b)
	if err != nil {
		return err
	}
	return imapsource.CheckConfig(ctx, imapsource.Config{Host: b.IMAP.Host, Port: b.IMAP.Port, Security: b.IMAP.Security,
		Username: b.IMAP.Username, Password: pw, Folder: b.IMAP.Folder, ProcessedFolder: b.IMAP.ProcessedFolder, AllowInsecureAuth: b.AllowInsecureAuth})
}
