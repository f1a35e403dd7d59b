//go:build unix

package db

import "syscall"

// reserve maps n bytes of address space that the system commits only as
// pages are first written (MAP_NORESERVE: no swap is set aside for it).
func reserve(n int) ([]byte, error) {
	return syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
}

func release(b []byte) { _ = syscall.Munmap(b) }
