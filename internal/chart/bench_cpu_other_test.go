//go:build !linux

package chart

// threadCPU cannot be read here; the benchmark reports wall time only.
func threadCPU() (int64, bool) { return 0, false }
