//go:build !unix

package db

import "errors"

// reserve is not implemented here: SQLite keeps its own allocator.
func reserve(int) ([]byte, error) { return nil, errors.New("not supported on this system") }

func release([]byte) {}
