package opt

import (
	"encoding/json"
	"testing"
)

func TestValue(t *testing.T) {
	type patch struct {
		A Value[int64] `json:"a"`
	}
	tests := []struct {
		in   string
		want Value[int64]
		err  bool
	}{
		{`{}`, Value[int64]{}, false},
		{`{"a":null}`, Value[int64]{Set: true, Null: true}, false},
		{`{"a":7}`, Value[int64]{Set: true, V: 7}, false},
		{`{"a":"x"}`, Value[int64]{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p patch
			err := json.Unmarshal([]byte(tt.in), &p)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v", err)
			}
			if !tt.err && p.A != tt.want {
				t.Fatalf("got %+v, want %+v", p.A, tt.want)
			}
		})
	}
}
