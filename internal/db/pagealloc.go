package db

import (
	"fmt"
	"sync"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite's page cache allocates one block per cached page: the 4,096-byte
// page with SQLite's headers, 4,368 bytes with modernc.org/sqlite v1.63.0.
// The driver's C library serves every allocation from power-of-two slots
// (modernc.org/memory: 8 KiB for that block, seven to a 64 KiB region),
// so a page cache cost twice its cache_size in resident memory: a 64 MiB
// cache filled by a scan held 127 MiB more than the empty one, and the
// readers' and the writer's caches that Ombud sizes at 48 MiB
// (sqlitemem.go) up to ≈ 105 MiB (docs/benchmarks.md, 2026-12-07 04:40).
//
// So SQLite's allocator is replaced, before SQLite initializes, by one
// that serves the page-sized requests (pageSlotMin < n ≤ pageSlotMax)
// from slots of one size, carved in order from a reserved mapping that
// is committed only as slots are first used; freed slots are reused first
// and are not returned to the system (a cache that filled once fills
// again). Every other request goes to the C library as SQLite's own
// allocator sends it: each block carries its size in a word before it,
// so sqlite3_msize works alike for both. The same scan then held 68 MiB
// where it held 127. The allocator is process-wide, as SQLite's is;
// should the mapping fail or SQLite already be initialized by another
// opener, SQLite keeps its own.

const (
	// pageSlotMin and pageSlotMax bound the requests served from slots:
	// a 4,096-byte page and up to 288 bytes of SQLite's headers beside it
	// (272 with modernc.org/sqlite v1.63.0). A slot is 4,400 bytes with
	// its size word, ≈ 4 % more than the pager counts a page (4,232).
	pageSlotMin = 4096
	pageSlotMax = 4096 + 288
	// pageSlotReserve is the address space reserved for slots: 225,000
	// pages' worth, far above any configured caches; past it, page
	// blocks go to the C library.
	pageSlotReserve = 1 << 30
	// blockHeader is the word before each block that holds its size.
	blockHeader = 8
)

// pageSlots is the slot allocator's state; mu guards free and next.
var pageSlots struct {
	mu        sync.Mutex
	slot      uintptr // a slot's size, header included
	base, end uintptr // the reserved mapping
	next      uintptr // the first slot never handed out
	free      uintptr // freed slots, each holding the next one's address
	mapping   []byte  // the reserved mapping, never unmapped
}

// installPageSlots makes SQLite allocate through the slot allocator. It
// runs once, before sqlite3_initialize (pagecache.go); a failure leaves
// SQLite's own allocator in place and is returned for the log.
func installPageSlots(tls *libc.TLS) error {
	mem, err := reserve(pageSlotReserve)
	if err != nil {
		return fmt.Errorf("db: reserve page slots: %w", err)
	}
	methods := libc.Xmalloc(tls, types.Size_t(unsafe.Sizeof(sqlite3.Tsqlite3_mem_methods{})))
	va := libc.Xmalloc(tls, types.Size_t(unsafe.Sizeof(uintptr(0))))
	defer libc.Xfree(tls, methods) // SQLite copies the methods
	defer libc.Xfree(tls, va)
	if methods == 0 || va == 0 {
		release(mem)
		return fmt.Errorf("db: install page slots: out of memory")
	}
	*(*sqlite3.Tsqlite3_mem_methods)(cPtr(methods)) = sqlite3.Tsqlite3_mem_methods{
		FxMalloc:   cFunc(slotMalloc),
		FxFree:     cFunc(slotFree),
		FxRealloc:  cFunc(slotRealloc),
		FxSize:     cFunc(slotSize),
		FxRoundup:  cFunc(slotRoundup),
		FxInit:     cFunc(slotInit),
		FxShutdown: cFunc(slotShutdown),
	}
	// The slots are set before SQLite can call the methods, and unset
	// if it refuses them (an empty range serves no request).
	s := &pageSlots
	s.mapping = mem
	s.slot = (pageSlotMax + blockHeader + 15) &^ 15
	s.base = uintptr(unsafe.Pointer(&mem[0]))
	s.end = s.base + uintptr(len(mem))
	s.next = s.base
	if rc := sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_MALLOC, libc.VaList(va, methods)); rc != sqlite3.SQLITE_OK {
		s.mapping, s.base, s.end, s.next = nil, 0, 0, 0
		release(mem)
		return fmt.Errorf("db: install page slots: sqlite3_config code %d", rc)
	}
	return nil
}

// cFunc is a Go function as the C function pointer the driver's
// translated code calls (the representation of golang.org/s/go11func:
// a function value is a pointer to its code pointer, in read-only data).
func cFunc[T any](f T) uintptr {
	return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f}))
}

// cPtr is C memory's address as a pointer (through a variable: vet
// checks conversions of uintptr expressions, meant for Go memory).
func cPtr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// inSlots reports whether block b (its header's address) is a slot.
func inSlots(b uintptr) bool { return b >= pageSlots.base && b < pageSlots.end }

// slotsUsed returns how many slots have been handed out at least once.
func slotsUsed() int {
	s := &pageSlots
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slot == 0 {
		return 0
	}
	return int((s.next - s.base) / s.slot)
}

func slotMalloc(tls *libc.TLS, n int32) uintptr {
	if n <= 0 {
		return 0
	}
	var b uintptr
	if n > pageSlotMin && n <= pageSlotMax {
		s := &pageSlots
		s.mu.Lock()
		if b = s.free; b != 0 {
			s.free = *(*uintptr)(cPtr(b))
		} else if s.next+s.slot <= s.end {
			b = s.next
			s.next += s.slot
		}
		s.mu.Unlock()
	}
	if b == 0 {
		if b = libc.Xmalloc(tls, types.Size_t(n)+blockHeader); b == 0 {
			return 0
		}
	}
	*(*int64)(cPtr(b)) = int64(n)
	return b + blockHeader
}

func slotFree(tls *libc.TLS, p uintptr) {
	if p == 0 {
		return
	}
	b := p - blockHeader
	if !inSlots(b) {
		libc.Xfree(tls, b)
		return
	}
	s := &pageSlots
	s.mu.Lock()
	*(*uintptr)(cPtr(b)) = s.free
	s.free = b
	s.mu.Unlock()
}

func slotSize(_ *libc.TLS, p uintptr) int32 {
	if p == 0 {
		return 0
	}
	return int32(*(*int64)(cPtr(p - blockHeader)))
}

func slotRealloc(tls *libc.TLS, p uintptr, n int32) uintptr {
	if p == 0 {
		return slotMalloc(tls, n)
	}
	b := p - blockHeader
	slot := inSlots(b)
	switch {
	case n <= 0:
		return 0
	case slot && n <= pageSlotMax:
		*(*int64)(cPtr(b)) = int64(n) // fits its slot
		return p
	case slot || n > pageSlotMin && n <= pageSlotMax:
		// Between a slot and the C library: a new block and a copy.
		q := slotMalloc(tls, n)
		if q == 0 {
			return 0
		}
		k := min(slotSize(tls, p), n)
		copy(unsafe.Slice((*byte)(cPtr(q)), k), unsafe.Slice((*byte)(cPtr(p)), k))
		slotFree(tls, p)
		return q
	}
	r := libc.Xrealloc(tls, b, types.Size_t(n)+blockHeader)
	if r == 0 {
		return 0
	}
	*(*int64)(cPtr(r)) = int64(n)
	return r + blockHeader
}

func slotRoundup(_ *libc.TLS, n int32) int32 { return (n + 7) &^ 7 }

func slotInit(*libc.TLS, uintptr) int32 { return sqlite3.SQLITE_OK }

func slotShutdown(*libc.TLS, uintptr) {}
