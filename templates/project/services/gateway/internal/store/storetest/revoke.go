package storetest

import (
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

func testRevokeThenRotate(h *harness) {
	raw := h.create(h.family())
	succ := h.mustRotate(raw, 0).Successor
	h.revoke(succ) // logout with the newest token
	h.wantErr(succ, time.Second, store.ErrFamilyRevoked)
	// Even the grace retry of the previous token is refused.
	h.wantErr(raw, time.Second, store.ErrFamilyRevoked)
}

// Logout may arrive with a token that a parallel refresh has just rotated: it
// still ends the session.
func testRevokeWithConsumed(h *harness) {
	t0 := h.create(h.family())
	t1 := h.mustRotate(t0, 0).Successor
	t2 := h.mustRotate(t1, time.Minute).Successor
	h.revoke(t0)
	h.wantErr(t2, 2*time.Minute, store.ErrFamilyRevoked)
}

func testRevokeUnknown(h *harness) {
	raw := h.create(h.family())
	for _, g := range []string{"", "garbage", "AAAAAAAAAAAAAAAAAAAAAA." + raw[23:], fid(raw) + "." + h.create(h.family())[23:]} {
		h.revoke(g)
	}
	h.mustRotate(raw, 0) // the fid-carrying garbage did not revoke raw's family
}

func testRevokeTwice(h *harness) {
	raw := h.create(h.family())
	h.revoke(raw)
	h.revoke(raw)
	h.wantErr(raw, 0, store.ErrFamilyRevoked)

	// Logout after reuse detection is fine too.
	t0 := h.create(h.family())
	h.mustRotate(t0, 0)
	h.wantErr(t0, time.Minute, store.ErrReuseDetected)
	h.revoke(t0)
}
