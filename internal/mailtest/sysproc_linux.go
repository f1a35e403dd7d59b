package mailtest

import (
	"os/exec"
	"syscall"
)

// sysProcAttr puts the server in its own process group, so stopping it can
// reach every child, and kills it if the test binary dies without cleanup.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(cmd *exec.Cmd) {
	// ESRCH (group already gone) is the usual, harmless outcome.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
