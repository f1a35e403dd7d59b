package message

import (
	"testing"
	"time"
)

func TestParseCalendar(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want Calendar
	}{
		{
			name: "utc times and folding",
			in: "BEGIN:VCALENDAR\r\nMETHOD:request\r\nBEGIN:VEVENT\r\nSUMMARY:Quarterly review of the support\r\n  backlog\r\n" +
				"DTSTART:20240305T090000Z\r\nDTEND:20240305T100000Z\r\nLOCATION:Room 1\\, floor 2\r\n" +
				"ORGANIZER:mailto:Boss@Example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			want: Calendar{Method: "REQUEST", Summary: "Quarterly review of the support backlog", Location: "Room 1, floor 2",
				Organizer: "boss@example.com", Start: time.Date(2024, 3, 5, 9, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)},
		},
		{
			name: "iana tzid and quoted cn with colon",
			in: "BEGIN:VCALENDAR\nMETHOD:CANCEL\nBEGIN:VEVENT\nORGANIZER;CN=\"Team: Support\":MAILTO:support@ombud.example\n" +
				"DTSTART;TZID=Europe/Oslo:20240701T083000\nDTEND;TZID=\"Europe/Oslo\":20240701T090000\nSUMMARY:Standup\nEND:VEVENT\nEND:VCALENDAR\n",
			want: Calendar{Method: "CANCEL", Summary: "Standup", Organizer: "Team: Support <support@ombud.example>",
				Start: time.Date(2024, 7, 1, 8, 30, 0, 0, oslo), End: time.Date(2024, 7, 1, 9, 0, 0, 0, oslo)},
		},
		{
			name: "all-day event and alarm description ignored",
			in: "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20241224\nDTEND;VALUE=DATE:20241225\nSUMMARY:Closed\n" +
				"BEGIN:VALARM\nSUMMARY:Alarm\nEND:VALARM\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Second event\nEND:VEVENT\nEND:VCALENDAR\n",
			want: Calendar{Summary: "Closed", Start: time.Date(2024, 12, 24, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC)},
		},
		{
			name: "unknown tzid falls back to utc",
			in:   "BEGIN:VEVENT\nDTSTART;TZID=Mars/Olympus:20240101T120000\nEND:VEVENT\n",
			want: Calendar{Start: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)},
		},
		{
			name: "garbage",
			in:   "not a calendar at all",
			want: Calendar{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseCalendar(tt.in)
			if got.Method != tt.want.Method || got.Summary != tt.want.Summary || got.Location != tt.want.Location ||
				got.Organizer != tt.want.Organizer || !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) {
				t.Errorf("parseCalendar()\n got: %+v\nwant: %+v", *got, tt.want)
			}
		})
	}
}
