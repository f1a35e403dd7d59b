package messaging_test

import (
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/channel/messaging"
)

func refusedWell(t *testing.T, err error) {
	t.Helper()
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.CodeInvalid || len(ae.Fields) == 0 {
		t.Fatalf("error %v is not invalid input naming a field", err)
	}
}

// FuzzParse: any body is accepted with its invariants or refused as
// invalid input naming a field.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"type":"message","message_id":"m1","conversation_id":"c","sender":{"handle":"h","phone":"+4791234567"},"text":"hi"}`))
	f.Add([]byte(`{"type":"message","message_id":"m1","conversation_id":"c","sender":{"handle":"h"},"media":[{"url":"https://m.example/a.png","size":3}]}`))
	f.Add([]byte(`{"type":"status","message_id":"m1","status":"read"}`))
	f.Add([]byte(`{"type":"message","sent_at":"x","media":[{"size":-1}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := messaging.Parse(b)
		if err != nil {
			refusedWell(t, err)
			return
		}
		if p.MessageID == "" || len(p.MessageID) > messaging.MaxID {
			t.Fatalf("accepted %+v", p)
		}
		if p.Type == messaging.TypeMessage && (p.Sender == nil || p.Sender.Handle == "" || p.ConversationID == "" || p.Text == "" && len(p.Media) == 0 || len(p.Media) > messaging.MaxMedia) {
			t.Fatalf("accepted %+v", p)
		}
	})
}

// FuzzParseTelegram: any Update is a message with its parts, ignored, or
// refused as invalid input naming a field.
func FuzzParseTelegram(f *testing.F) {
	f.Add([]byte(`{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},"from":{"id":7,"first_name":"A"},"text":"hi"}}`))
	f.Add([]byte(`{"update_id":2,"message":{"message_id":6,"chat":{"id":7},"from":{"id":7,"username":"a"},"photo":[{"file_id":"x"},{"file_id":"y"}],"caption":"c"}}`))
	f.Add([]byte(`{"update_id":3,"message":{"message_id":6,"chat":{"id":7},"from":{"id":7},"contact":{"phone_number":"+4791234567","user_id":7}}}`))
	f.Add([]byte(`{"update_id":4,"edited_message":{}}`))
	f.Add([]byte(`{"message":{"message_id":"x"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ignored, err := messaging.ParseTelegram(b)
		if err != nil {
			refusedWell(t, err)
			return
		}
		if ignored {
			return
		}
		if p.MessageID == "" || p.ConversationID == "" || p.Sender == nil || p.Sender.Handle == "" || p.Text == "" && len(p.Media) == 0 || len(p.Media) > messaging.MaxMedia {
			t.Fatalf("accepted %+v", p)
		}
		for _, m := range p.Media {
			if m.FileID == "" || m.MimeType == "" || m.Filename == "" {
				t.Fatalf("media %+v", m)
			}
		}
	})
}
