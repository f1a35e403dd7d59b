package db

import (
	"bytes"
	"context"
	"testing"
	"unsafe"

	"modernc.org/libc"
)

// TestPageSlots: a database that Open opened caches its pages in the slot
// allocator's slots (pagealloc.go), not in the C library's 8 KiB ones.
func TestPageSlots(t *testing.T) {
	ctx := context.Background()
	d := openMigrated(t)
	if slotErr != nil {
		t.Fatalf("SQLite kept its own allocator: %v", slotErr)
	}
	before := slotsUsed()
	err := d.Write(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE slot_probe (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
			INSERT INTO slot_probe (body) SELECT printf('%.500c', 'x') FROM n`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM slot_probe WHERE body LIKE '%y%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	// 2,000 rows of 500 bytes are ≈ 250 pages, in the writer's cache
	// and in a reader's.
	if used := slotsUsed() - before; used < 200 {
		t.Errorf("%d pages came from slots, want at least 200", used)
	}
}

// TestSlotAllocator: blocks keep their size and their bytes through
// reallocation within a slot, into one, out of one and in the C library.
func TestSlotAllocator(t *testing.T) {
	if err := separatePageCaches(); err != nil { // installs the allocator, once per process
		t.Fatal(err)
	}
	if slotErr != nil {
		t.Fatalf("SQLite kept its own allocator: %v", slotErr)
	}
	tls := libc.NewTLS()
	defer tls.Close()
	cases := []struct {
		name        string
		from, to    int32
		slot, slot2 bool // whether the block is a slot before and after
	}{
		{"small to small", 24, 200, false, false},
		{"page within its slot", 4368, 4200, true, true},
		{"page shrinks below the class", 4368, 100, true, true},
		{"small grows into a page", 100, 4368, false, true},
		{"page grows past the class", 4368, 9000, true, false},
		{"large shrinks into a page", 9000, 4300, false, true},
		{"exactly a page is not a slot", 4096, 4097, false, true},
		{"the class's largest", pageSlotMax, pageSlotMax + 1, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := slotMalloc(tls, c.from)
			if p == 0 {
				t.Fatal("malloc failed")
			}
			if got := inSlots(p - blockHeader); got != c.slot {
				t.Errorf("malloc(%d) in a slot: %v, want %v", c.from, got, c.slot)
			}
			if p%8 != 0 {
				t.Errorf("malloc(%d) = %#x, not 8-byte aligned", c.from, p)
			}
			want := bytes.Repeat([]byte(c.name), int(c.from))[:c.from]
			copy(unsafe.Slice((*byte)(cPtr(p)), c.from), want)
			q := slotRealloc(tls, p, c.to)
			if q == 0 {
				t.Fatal("realloc failed")
			}
			if got := inSlots(q - blockHeader); got != c.slot2 {
				t.Errorf("realloc to %d in a slot: %v, want %v", c.to, got, c.slot2)
			}
			if got := slotSize(tls, q); got != c.to {
				t.Errorf("size %d, want %d", got, c.to)
			}
			k := min(c.from, c.to)
			if got := unsafe.Slice((*byte)(cPtr(q)), k); !bytes.Equal(got, want[:k]) {
				t.Errorf("realloc lost the block's bytes")
			}
			slotFree(tls, q)
		})
	}
	// A freed slot is handed out again before a new one is carved.
	a := slotMalloc(tls, 4368)
	slotFree(tls, a)
	if b := slotMalloc(tls, 4300); b != a {
		t.Errorf("a freed slot was not reused: %#x then %#x", a, b)
	} else {
		slotFree(tls, b)
	}
}
