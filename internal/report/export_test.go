package report

// SetPairFillBatch changes how many tickets one step of the pair fill
// adds (tests take small steps) and returns a function restoring it.
func SetPairFillBatch(n int) func() {
	old := pairFillBatch
	pairFillBatch = n
	return func() { pairFillBatch = old }
}
