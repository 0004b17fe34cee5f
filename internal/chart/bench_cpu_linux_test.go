//go:build linux

package chart

import "syscall"

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not name.
const rusageThread = 1

// threadCPU is the CPU time the calling OS thread has used, or false when
// it cannot be read. With the goroutine locked to its thread, the
// difference across a render is the render's own work, whatever else the
// machine is running.
func threadCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
