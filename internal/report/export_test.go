package report

// SetPairFillBatch changes how many tickets one step of the pair fill
// adds (tests take small steps), one step a refresher run, and returns a
// function restoring both.
func SetPairFillBatch(n int) func() {
	old, oldSteps := pairFillBatch, pairFillSteps
	pairFillBatch, pairFillSteps = n, 1
	return func() { pairFillBatch, pairFillSteps = old, oldSteps }
}
