package redistest

import "syscall"

// sysProcAttr has the kernel kill a test's redis-server when the test binary dies, even
// by kill -9, so no server outlives its test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
