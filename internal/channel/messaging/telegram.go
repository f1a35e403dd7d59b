package messaging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/jobs"
)

// This file is the reference adapter for Telegram's Bot API: Update
// objects posted to the integration's Telegram route (checked by the
// X-Telegram-Bot-Api-Secret-Token header), getFile and the file download
// for media, and sendMessage for replies, all against the integration's
// reply URL (https://api.telegram.org unless set).

// TelegramSecretHeader carries the secret_token given to setWebhook.
const TelegramSecretHeader = "X-Telegram-Bot-Api-Secret-Token"

type tgUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

type tgFile struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
	FileSize int64  `json:"file_size"`
}

type tgMessage struct {
	MessageID int64   `json:"message_id"`
	From      *tgUser `json:"from"`
	Chat      *struct {
		ID int64 `json:"id"`
	} `json:"chat"`
	Date     int64    `json:"date"`
	Text     string   `json:"text"`
	Caption  string   `json:"caption"`
	Photo    []tgFile `json:"photo"`
	Document *tgFile  `json:"document"`
	Voice    *tgFile  `json:"voice"`
	Video    *tgFile  `json:"video"`
	Contact  *struct {
		PhoneNumber string `json:"phone_number"`
		UserID      int64  `json:"user_id"`
	} `json:"contact"`
}

// ParseTelegram reads a Bot API Update. Updates other than a new message
// (edits, button presses, a bot's own posts) answer ignored: Telegram
// wants a 2xx for them, or it sends them again.
func ParseTelegram(body []byte) (p Payload, ignored bool, err error) {
	var u struct {
		UpdateID *int64    `json:"update_id"`
		Message  tgMessage `json:"message"`
	}
	if err := decodeOne(body, &u); err != nil {
		return Payload{}, false, err
	}
	if u.UpdateID == nil {
		return Payload{}, false, apperr.InvalidField("update_id", "is required")
	}
	m := u.Message
	if m.Chat == nil || m.From == nil || m.MessageID == 0 || m.From.IsBot {
		return Payload{}, true, nil
	}
	chat := strconv.FormatInt(m.Chat.ID, 10)
	p = Payload{Type: TypeMessage, MessageID: chat + ":" + strconv.FormatInt(m.MessageID, 10), ConversationID: chat,
		Text: strings.TrimSpace(m.Text)}
	if p.Text == "" {
		p.Text = strings.TrimSpace(m.Caption)
	}
	if len(p.Text) > MaxText {
		return Payload{}, false, apperr.InvalidField("message.text", fmt.Sprintf("must be at most %d bytes", MaxText))
	}
	name := strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
	if m.From.Username != "" {
		if name == "" {
			name = "@" + m.From.Username
		} else {
			name += " (@" + m.From.Username + ")"
		}
	}
	if len(name) > maxHandle {
		name = name[:maxHandle]
	}
	p.Sender = &Sender{Handle: strconv.FormatInt(m.From.ID, 10), Name: name}
	if m.Contact != nil && m.Contact.UserID == m.From.ID && phoneLike(m.Contact.PhoneNumber) {
		p.Sender.Phone = m.Contact.PhoneNumber
		if p.Text == "" {
			p.Text = m.Contact.PhoneNumber
		}
	}
	if m.Date > 0 {
		p.SentAt = time.Unix(m.Date, 0).UTC()
	}
	add := func(f *tgFile, mime, name string) {
		if f == nil || f.FileID == "" || len(f.FileID) > MaxURL || len(p.Media) >= MaxMedia {
			return
		}
		if f.MimeType != "" && len(f.MimeType) <= 200 {
			mime = f.MimeType
		}
		if f.FileName != "" && len(f.FileName) <= 255 {
			name = f.FileName
		}
		p.Media = append(p.Media, Media{FileID: f.FileID, MimeType: mime, Filename: name, Size: max(f.FileSize, 0)})
	}
	if n := len(m.Photo); n > 0 { // sizes, smallest first: keep the largest
		add(&m.Photo[n-1], "image/jpeg", "photo.jpg")
	}
	add(m.Document, "application/octet-stream", "document")
	add(m.Voice, "audio/ogg", "voice.ogg")
	add(m.Video, "video/mp4", "video.mp4")
	if p.Text == "" && len(p.Media) == 0 {
		return Payload{}, true, nil // a sticker, a poll…: nothing to read
	}
	return p, false, nil
}

// tgCall posts one Bot API method and decodes its result. A 429 or 5xx
// is worth a retry; other refusals are final.
func (s *Service) tgCall(ctx context.Context, base, token, method string, params any, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return jobs.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/bot"+token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(fmt.Errorf("telegram: %s: bad address", method))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, redact(err, token))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&r); err != nil || !r.OK {
		msg := fmt.Errorf("telegram: %s: HTTP %d %s", method, resp.StatusCode, truncate(r.Description, 300))
		switch {
		case resp.StatusCode == http.StatusTooManyRequests && r.Parameters.RetryAfter > 0:
			return jobs.RetryAfter(msg, time.Duration(r.Parameters.RetryAfter)*time.Second)
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || err != nil && resp.StatusCode < 300:
			return msg
		}
		return jobs.Permanent(msg)
	}
	if result != nil {
		if err := json.Unmarshal(r.Result, result); err != nil {
			return fmt.Errorf("telegram: %s: unexpected result", method)
		}
	}
	return nil
}

// tgFileURL resolves a file id to its download address (getFile).
func (s *Service) tgFileURL(ctx context.Context, base, token, fileID string) (string, error) {
	var f struct {
		FilePath string `json:"file_path"`
	}
	if err := s.tgCall(ctx, base, token, "getFile", map[string]string{"file_id": fileID}, &f); err != nil {
		return "", err
	}
	if f.FilePath == "" || strings.Contains(f.FilePath, "..") {
		return "", fmt.Errorf("telegram: getFile: no file path")
	}
	return base + "/file/bot" + token + "/" + strings.TrimPrefix(f.FilePath, "/"), nil
}

// tgSend sends a reply and returns Telegram's message id as our provider
// message id (chat:message).
func (s *Service) tgSend(ctx context.Context, base, token, chatID, text string) (string, error) {
	var m struct {
		MessageID int64 `json:"message_id"`
	}
	if err := s.tgCall(ctx, base, token, "sendMessage", map[string]string{"chat_id": chatID, "text": text}, &m); err != nil {
		return "", err
	}
	return chatID + ":" + strconv.FormatInt(m.MessageID, 10), nil
}

// redact keeps the bot token out of errors that name the URL.
func redact(err error, token string) error {
	if token == "" {
		return err
	}
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %s", ue.Op, strings.ReplaceAll(ue.Err.Error(), token, "…"))
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), token, "…"))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
