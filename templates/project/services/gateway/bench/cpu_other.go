//go:build !unix

package main

import "time"

// processCPU is not measured here; the bench prints rates only.
func processCPU() time.Duration { return 0 }
