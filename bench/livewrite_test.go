//go:build linux

package bench

import (
	"bufio"
	"bytes"
	"net"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLoopbackWrite measures what BenchmarkLiveSSE's fan-out cannot
// go below on this machine: one write(2) of a live-update frame (170
// bytes, the size of a comment_added event) to each of
// OMBUD_BENCH_WRITE_CONNS loopback TCP sockets (default 9,000: two
// descriptors a connection in one process, under the 20,000 open-file
// limit), from a tight loop on the raw descriptors — no Go net code, no
// locks, no frames (docs/benchmarks.md, "live-update fan-out").
//
//   - idle: nobody waits on the other ends (plain blocking sockets,
//     outside Go's poller): the write's own cost, loopback included (the
//     sender's system call also runs the receiving side's TCP);
//   - readers: each other end has a goroutine reading it through Go's
//     poller, as a browser's tab would, so each write also wakes a
//     reader; the time until the last reader has the frame is the
//     fan-out's floor on this machine.
//
// Each with one writer thread and with one writer per CPU. The writer's
// CPU is its thread's (getrusage RUSAGE_THREAD).
//
//	go test ./bench/ -run '^$' -bench LoopbackWrite -benchtime 1x
func BenchmarkLoopbackWrite(b *testing.B) {
	n := envInt("OMBUD_BENCH_WRITE_CONNS", 9000)
	rounds := envInt("OMBUD_BENCH_WRITE_ROUNDS", 20)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	lim.Cur = lim.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	if uint64(2*n+100) > lim.Cur {
		b.Fatalf("open-file limit %d is below the %d needed", lim.Cur, 2*n+100)
	}
	frame := append(bytes.Repeat([]byte("x"), 168), '\n', '\n')
	for _, readers := range []bool{false, true} {
		for _, writers := range []int{1, runtime.GOMAXPROCS(0)} {
			name := "idle"
			if readers {
				name = "readers"
			}
			name += "/writers=" + string(rune('0'+writers))
			b.Run(name, func(b *testing.B) { loopbackWrites(b, n, rounds, writers, readers, frame) })
		}
	}
}

func loopbackWrites(b *testing.B, n, rounds, writers int, readers bool, frame []byte) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().(*net.TCPAddr)
	var servers []net.Conn
	var fds []int
	var clientFDs []int
	var clients []net.Conn
	defer func() {
		for _, c := range servers {
			c.Close()
		}
		for _, c := range clients {
			c.Close()
		}
		for _, fd := range clientFDs {
			syscall.Close(fd)
		}
	}()
	var got atomic.Int64
	var mu sync.Mutex
	var last []time.Time // when each reader read the current round
	for i := range n {
		if readers {
			c, err := net.DialTCP("tcp", &net.TCPAddr{IP: srcIP(i)}, addr)
			if err != nil {
				b.Fatal(err)
			}
			clients = append(clients, c)
			go func() {
				br := bufio.NewReaderSize(c, 1024)
				for {
					if _, err := br.ReadSlice('\n'); err != nil {
						return
					}
					if _, err := br.ReadSlice('\n'); err != nil {
						return
					}
					at := time.Now()
					mu.Lock()
					last = append(last, at)
					mu.Unlock()
					got.Add(1)
				}
			}()
		} else {
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if err != nil {
				b.Fatal(err)
			}
			clientFDs = append(clientFDs, fd)
			ip := srcIP(i).To4()
			if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{ip[0], ip[1], ip[2], ip[3]}}); err != nil {
				b.Fatal(err)
			}
			if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: addr.Port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
				b.Fatal(err)
			}
		}
		c, err := l.Accept()
		if err != nil {
			b.Fatal(err)
		}
		servers = append(servers, c)
		rc, _ := c.(*net.TCPConn).SyscallConn()
		_ = rc.Control(func(fd uintptr) { fds = append(fds, int(fd)) })
	}
	time.Sleep(time.Second)
	var cpu, wall time.Duration
	var lat []time.Duration
	for r := range rounds {
		if !readers && r > 0 && r%16 == 0 {
			// Nobody reads: drain the receive buffers now and then.
			var buf [4096]byte
			for _, fd := range clientFDs {
				_ = syscall.SetNonblock(fd, true)
				for {
					if k, err := syscall.Read(fd, buf[:]); k <= 0 || err != nil {
						break
					}
				}
			}
		}
		got.Store(0)
		mu.Lock()
		last = last[:0]
		mu.Unlock()
		var wg sync.WaitGroup
		var cpuNs atomic.Int64
		begin := time.Now()
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				t0 := threadCPU()
				for i := w; i < len(fds); i += writers {
					if _, err := syscall.Write(fds[i], frame); err != nil {
						b.Error(err)
						return
					}
				}
				cpuNs.Add(int64(threadCPU() - t0))
			}()
		}
		wg.Wait()
		wall += time.Since(begin)
		cpu += time.Duration(cpuNs.Load())
		if readers {
			deadline := time.Now().Add(10 * time.Second)
			for got.Load() < int64(n) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			mu.Lock()
			for _, at := range last {
				lat = append(lat, at.Sub(begin))
			}
			mu.Unlock()
		}
		time.Sleep(200 * time.Millisecond)
	}
	per := float64(cpu.Nanoseconds()) / float64(rounds*n) / 1000
	b.Logf("%d sockets × %d rounds, %d writer(s): write CPU %.2f µs each (%.1f ms per 10,000), writers' wall time %.1f ms per round of %d; load average %s",
		n, rounds, writers, per, per*10, ms(wall)/float64(rounds), n, loadAvg())
	b.ReportMetric(per, "µs/write")
	if readers && len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		b.Logf("readers: arrival after the round began: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%d reads)",
			ms(q(0.5)), ms(q(0.95)), ms(q(0.99)), ms(lat[len(lat)-1]), len(lat))
		b.ReportMetric(ms(q(0.99)), "p99-ms")
	}
}

// threadCPU is the calling thread's CPU time (user + system).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
