package server

import (
	"testing"
)

// FuzzDecodeExchange: any body either decodes to a request with a provider or
// is refused with an error; it never panics.
func FuzzDecodeExchange(f *testing.F) {
	f.Add([]byte(`{"provider":"google","access_token":"a","refresh_token":"r","id_token":"i","expires_at":1767225600}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeExchange(body)
		if err == nil && req.Provider == "" {
			t.Fatalf("accepted %q without a provider", body)
		}
		if _, err := decodeRefresh(body); err == nil && len(body) == 0 {
			t.Fatal("accepted an empty refresh body")
		}
	})
}
