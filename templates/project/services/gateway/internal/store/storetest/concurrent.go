package storetest

import (
	"sync"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

// Parallel requests from one browser present the same token at once: exactly
// one of them rotates, the others get the identical successor, none fails.
func testConcurrentSameToken(h *harness) {
	const n = 32
	raw := h.create(h.family())
	var (
		start sync.WaitGroup
		done  sync.WaitGroup
		succ  [n]string
		errs  [n]error
	)
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			res, err := h.rotate(raw, time.Duration(i%3)*time.Millisecond)
			succ[i], errs[i] = res.Successor, err
		})
	}
	start.Done()
	done.Wait()
	for i := range n {
		if errs[i] != nil {
			h.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if succ[i] != succ[0] {
			h.Fatalf("goroutine %d got successor %q, goroutine 0 got %q", i, succ[i], succ[0])
		}
	}
	// The one successor is live, and raw was consumed once: replaying it after
	// the grace window is reuse.
	next := h.mustRotate(succ[0], time.Second).Successor
	h.wantErr(raw, Grace+time.Second, store.ErrReuseDetected)
	h.wantErr(next, Grace+2*time.Second, store.ErrFamilyRevoked)
}

// Many sessions refreshing at once must not disturb each other.
func testConcurrentManyFamilies(h *harness) {
	const families, rotations = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, families)
	for range families {
		raw := h.create(h.family())
		wg.Go(func() {
			for i := range rotations {
				res, err := h.rotate(raw, time.Duration(i)*time.Minute)
				if err != nil {
					errs <- err
					return
				}
				raw = res.Successor
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		h.Fatal(err)
	}
}
