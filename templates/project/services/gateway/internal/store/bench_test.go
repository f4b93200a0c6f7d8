package store_test

import (
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

var backends = []struct {
	name string
	new  func(testing.TB) store.Store
}{
	{"memory", newMemory},
	{"bolt", newBolt},
	{"miniredis", func(tb testing.TB) store.Store { s, _ := newMiniredis(tb); return s }},
	{"redis", newRealRedis},
}

// BenchmarkRotate measures one sequential refresh: each iteration rotates the
// token the previous one returned.
func BenchmarkRotate(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.new(b)
			defer s.Close()
			ctx, now := b.Context(), time.UnixMilli(time.Now().UnixMilli())
			raw, err := s.CreateFamily(ctx, testFamily(now), now)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				res, err := s.Rotate(ctx, raw, now, 10*time.Second, time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				raw = res.Successor
			}
		})
	}
}

// BenchmarkRotateParallel measures throughput with many sessions refreshing at
// once (one family per goroutine); bolt serializes on its single writer.
func BenchmarkRotateParallel(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			s := be.new(b)
			defer s.Close()
			ctx, now := b.Context(), time.UnixMilli(time.Now().UnixMilli())
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				raw, err := s.CreateFamily(ctx, testFamily(now), now)
				if err != nil {
					b.Error(err)
					return
				}
				for pb.Next() {
					res, err := s.Rotate(ctx, raw, now, 10*time.Second, time.Hour)
					if err != nil {
						b.Error(err)
						return
					}
					raw = res.Successor
				}
			})
		})
	}
}
