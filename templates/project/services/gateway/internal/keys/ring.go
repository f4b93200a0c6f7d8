package keys

import (
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Ring is an immutable key set: the private keys the gateway signs with, each
// from its activation time, and every public key it publishes and accepts,
// each until its end (zero: no end). Which key signs and which are valid are
// pure functions of the ring and the clock, so replicas reading the same
// GATEWAY_SIGNING_KEYS_DIR agree without talking to each other.
type Ring struct {
	signers  []Signer // by activation, oldest first
	verifies []Retired
}

// Signer is a private key and the time it starts signing.
type Signer struct {
	Key        *Key
	Activation time.Time
}

// Single is the ring of one key that signs from the start, plus the keys it
// replaced (Track) until their tokens have expired.
func Single(k *Key, retired []Retired) *Ring {
	r := &Ring{signers: []Signer{{Key: k}}}
	r.verifies = append(r.verifies, Retired{Key: k.Public()})
	for _, old := range retired {
		if old.Key.KeyID != k.ID {
			r.verifies = append(r.verifies, old)
		}
	}
	return r
}

// Rotating is the ring of a key directory: every key is published from the
// start, the newest active one signs, and a key ends retireAfter after the
// next one's activation (the longest an access token it signed stays valid).
func Rotating(signers []Signer, retireAfter time.Duration) *Ring {
	signers = slices.Clone(signers)
	slices.SortFunc(signers, func(a, b Signer) int { return a.Activation.Compare(b.Activation) })
	r := &Ring{signers: signers}
	for i, s := range signers {
		v := Retired{Key: s.Key.Public()}
		if i+1 < len(signers) {
			v.Until = signers[i+1].Activation.Add(retireAfter)
		}
		r.verifies = append(r.verifies, v)
	}
	return r
}

// Signing is the key that signs at now: the newest whose activation has
// passed. It is nil when none has.
func (r *Ring) Signing(now time.Time) *Key {
	var k *Key
	for _, s := range r.signers {
		if s.Activation.After(now) {
			break
		}
		k = s.Key
	}
	return k
}

// Signers are the ring's private keys, oldest activation first.
func (r *Ring) Signers() []Signer { return slices.Clone(r.signers) }

// Verifying are the public keys the ring accepts, each before its Until
// (zero: no end); a verifier checks Until against its own clock.
func (r *Ring) Verifying() []Retired { return slices.Clone(r.verifies) }

// JWKS is the public key set at now: every key whose end has not passed.
func (r *Ring) JWKS(now time.Time) jose.JSONWebKeySet {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, v := range r.verifies {
		if v.Until.IsZero() || now.Before(v.Until) {
			set.Keys = append(set.Keys, v.Key)
		}
	}
	return set
}

// Ended are the kids whose end has passed at now: their files can be deleted.
func (r *Ring) Ended(now time.Time) []string {
	var ids []string
	for _, v := range r.verifies {
		if !v.Until.IsZero() && !now.Before(v.Until) {
			ids = append(ids, v.Key.KeyID)
		}
	}
	return ids
}
