package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket layout:
//
//	families: fid → JSON record
//	used:     fid || SHA-256(token) → consumption time (8 bytes, big-endian ms)
//
// The used log lives outside the record so a busy family does not rewrite its
// whole history on every rotation; fids have a fixed length, so one family's
// entries are one contiguous key range.
var (
	bucketFamilies = []byte("families")
	bucketUsed     = []byte("used")
)

// boltCommitSpacing is the least time between the starts of two commits while
// writes come concurrently (the previous group had more than one): each group
// then waits out the rest of the spacing, so concurrent refreshes share one
// fsync pair instead of groups of two or three paying for their own. A lone
// writer, even a fast sequential one, never waits. Measured with go run ./bench
// (64 refreshing clients, a 2-vCPU VM): about half the commits and 5-10% more
// refreshes per second, for at most 2 ms of added latency under load.
const boltCommitSpacing = 2 * time.Millisecond

// boltLockTimeout bounds the wait for bbolt's exclusive file lock: a second
// gateway on the same data directory fails at startup instead of hanging.
var boltLockTimeout = time.Second

// errNoWrite rolls back a read-only outcome: an empty bbolt commit would still
// write and fsync a meta page.
var errNoWrite = errors.New("store: nothing to write")

// boltStore serializes its writes through one goroutine (run) that commits
// them in groups; see batch.
type boltStore struct {
	db      *bolt.DB
	writes  chan boltWrite // unbuffered: a send succeeds only once run has taken it
	done    chan struct{}  // closed by Close: run stops, later writes fail
	stopped chan struct{}  // closed by run when it has returned
	once    sync.Once      // Close stops run once
	commits atomic.Int64   // transactions run has started, for tests
}

// boltWrite is one caller's write function and where its result goes.
type boltWrite struct {
	fn     func(tx *bolt.Tx) error
	result chan error // buffered (1): run never waits for the caller
}

// NewBolt opens (or creates) the bbolt file at path, the embedded default store.
// Every change runs in a serializable, fsynced write transaction, so rotation is
// atomic and survives crashes and restarts; concurrent changes share one
// transaction and one fsync (see batch). bbolt locks the file: one gateway
// process per file (run several instances with Redis instead).
func NewBolt(path string) (Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: boltLockTimeout})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("store: %s is locked; is another gateway using it? %w", path, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFamilies, bucketUsed} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: init %s: %w", path, err)
	}
	s := &boltStore{
		db:      db,
		writes:  make(chan boltWrite),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// boltUsed is one family's slice of the used bucket.
type boltUsed struct {
	b   *bolt.Bucket
	fid string
}

func (u boltUsed) key(h []byte) []byte { return append([]byte(u.fid), h...) }

func (u boltUsed) consumedAt(h []byte) (int64, bool, error) {
	v := u.b.Get(u.key(h))
	if len(v) != 8 {
		return 0, false, nil
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}

func (u boltUsed) add(h []byte, at int64) error {
	return u.b.Put(u.key(h), binary.BigEndian.AppendUint64(nil, uint64(at)))
}

func (u boltUsed) trim(cutoff int64) (int64, error) {
	var oldest int64
	var dead [][]byte
	prefix := []byte(u.fid)
	c := u.b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		at := int64(binary.BigEndian.Uint64(v))
		if at <= cutoff {
			dead = append(dead, bytes.Clone(k))
		} else if oldest == 0 || at < oldest {
			oldest = at
		}
	}
	// Deleting while a cursor walks the bucket skips keys; delete afterwards.
	for _, k := range dead {
		if err := u.b.Delete(k); err != nil {
			return 0, err
		}
	}
	return oldest, nil
}

func getRecord(tx *bolt.Tx, fid string) (*record, error) {
	v := tx.Bucket(bucketFamilies).Get([]byte(fid))
	if v == nil {
		return nil, nil
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("family %s: %w", fid, err)
	}
	return &r, nil
}

func putRecord(tx *bolt.Tx, fid string, r *record) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketFamilies).Put([]byte(fid), v)
}

// isOutcome reports whether err is one of the package's answers about a token
// rather than a failure of the backend.
func isOutcome(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrReuseDetected) ||
		errors.Is(err, ErrFamilyRevoked) || errors.Is(err, ErrExpired)
}

// update runs fn in a write transaction and sorts its error: outcomes pass
// through, errNoWrite means success, anything else is the backend failing.
func (s *boltStore) update(fn func(tx *bolt.Tx) error) error {
	err := s.db.Update(fn)
	switch {
	case err == nil, errors.Is(err, errNoWrite):
		return nil
	case isOutcome(err):
		return err
	default:
		return fmt.Errorf("%w: bolt: %w", ErrUnavailable, err)
	}
}

// batch runs fn in a write transaction shared with concurrent callers, one
// fsync for all of them (group commit, see run). fn may run twice: alone
// again when a neighbour's storage error rolled back the shared transaction.
// So fn must set every result it reports afresh on each run, and it returns
// nil for every answer about a token, handing that answer back through a
// variable instead: only a failure of the storage itself may return an
// error, since it rolls back everything fn's neighbours wrote. A group that
// writes nothing still commits (one meta page); only logout of an unknown
// token or a refresh that changes nothing can cause that, and they usually
// share the commit of a real change.
//
// bbolt's own Batch does the same but starts a timer at the first write and
// commits when it fires, so every write, even a lone one, waits out the
// delay, and callers that each wait for their answer cannot fill a batch.
func (s *boltStore) batch(fn func(tx *bolt.Tx) error) error {
	w := boltWrite{fn: fn, result: make(chan error, 1)}
	select {
	case s.writes <- w:
	case <-s.done:
		return fmt.Errorf("%w: bolt: store closed", ErrUnavailable)
	}
	if err := <-w.result; err != nil {
		return fmt.Errorf("%w: bolt: %w", ErrUnavailable, err)
	}
	return nil
}

// run is the store's only writer. It takes a write, waits out what is left of
// boltCommitSpacing if the previous group was shared, adds every write waiting
// by then, commits them in one transaction and answers them all. Writes that
// arrive meanwhile wait in their send and join the group, so groups grow with
// the load, and a lone write commits at once.
func (s *boltStore) run() {
	defer close(s.stopped)
	var group []boltWrite
	var last time.Time // when the previous commit began
	shared := false    // whether the previous group had more than one write
	for {
		select {
		case w := <-s.writes:
			group = append(group[:0], w)
		case <-s.done:
			return
		}
		if wait := boltCommitSpacing - time.Since(last); shared && wait > 0 {
			time.Sleep(wait)
		}
		last = time.Now()
	drain:
		for {
			select {
			case w := <-s.writes:
				group = append(group, w)
			default:
				break drain
			}
		}
		shared = len(group) > 1
		s.commit(group)
		clear(group) // drop the callers' closures until the next group
	}
}

// commit runs group in one write transaction and answers each write. If the
// transaction fails (a write's storage error, or the commit's), it runs each
// write again alone, so that one bad write fails only itself.
func (s *boltStore) commit(group []boltWrite) {
	err := s.runTx(func(tx *bolt.Tx) error {
		for _, w := range group {
			if err := w.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(group) > 1 {
		for _, w := range group {
			w.result <- s.runTx(w.fn)
		}
		return
	}
	for _, w := range group {
		w.result <- err
	}
}

// runTx is db.Update, counted for tests. A panic in a write function becomes that
// write's error: it runs on the shared writer goroutine, where it would otherwise take
// the whole gateway down instead of one request.
func (s *boltStore) runTx(fn func(tx *bolt.Tx) error) error {
	s.commits.Add(1)
	return s.db.Update(func(tx *bolt.Tx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: bolt write panicked: %v", ErrUnavailable, r)
			}
		}()
		return fn(tx)
	})
}

func (s *boltStore) CreateFamily(ctx context.Context, f Family, now time.Time) (string, error) {
	if err := checkNewFamily(f, now); err != nil {
		return "", err
	}
	fid := newFID()
	raw := newToken(fid)
	err := s.batch(func(tx *bolt.Tx) error {
		return putRecord(tx, fid, newRecord(f, hashToken(raw), now.UnixMilli()))
	})
	if err != nil {
		return "", err
	}
	return raw, nil
}

func (s *boltStore) Rotate(ctx context.Context, raw string, now time.Time, grace, ttl time.Duration) (RotateResult, error) {
	p, err := newRotation(raw, now, grace, ttl)
	if err != nil {
		return RotateResult{}, err
	}
	var (
		res     RotateResult
		outcome error // the answer about the token; with ErrReuseDetected the revocation commits
	)
	err = s.batch(func(tx *bolt.Tx) error {
		// The successor was drawn before the transaction (p.succ), so a rerun
		// hands out the same token.
		res, outcome = RotateResult{}, nil
		r, err := getRecord(tx, p.fid)
		if err != nil {
			return err
		}
		if r == nil {
			outcome = ErrNotFound
			return nil
		}
		var dirty bool
		res, dirty, outcome = r.rotate(p, boltUsed{b: tx.Bucket(bucketUsed), fid: p.fid})
		if outcome != nil && !isOutcome(outcome) {
			return outcome // the used log failed: the backend's problem
		}
		if dirty {
			return putRecord(tx, p.fid, r)
		}
		return nil
	})
	if err != nil {
		return RotateResult{}, err
	}
	return res, outcome
}

func (s *boltStore) RevokeToken(ctx context.Context, raw string) error {
	fid, h, ok := parseToken(raw)
	if !ok {
		return nil
	}
	return s.batch(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, fid)
		if err != nil || r == nil {
			return err
		}
		known, err := r.knows(h, boltUsed{b: tx.Bucket(bucketUsed), fid: fid})
		if err != nil || !known {
			return err
		}
		r.revoke()
		return putRecord(tx, fid, r)
	})
}

func (s *boltStore) Sweep(ctx context.Context, now time.Time, ttl time.Duration) (int, error) {
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		var dead []string
		err := tx.Bucket(bucketFamilies).ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("family %s: %w", k, err)
			}
			if r.dead(now.UnixMilli(), ttl.Milliseconds()) {
				dead = append(dead, string(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, fid := range dead {
			// The largest cutoff deletes all of the family's entries.
			if _, err := (boltUsed{b: tx.Bucket(bucketUsed), fid: fid}).trim(1<<63 - 1); err != nil {
				return err
			}
			if err := tx.Bucket(bucketFamilies).Delete([]byte(fid)); err != nil {
				return err
			}
		}
		n = len(dead)
		if n == 0 {
			return errNoWrite
		}
		return nil
	})
	return n, err
}

func (s *boltStore) Ping(ctx context.Context) error {
	if err := s.db.View(func(*bolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("%w: bolt: %w", ErrUnavailable, err)
	}
	return nil
}

// Close stops the writer, after its current group, and closes the file;
// writes after Close fail with ErrUnavailable.
func (s *boltStore) Close() error {
	s.once.Do(func() {
		close(s.done)
		<-s.stopped
	})
	return s.db.Close()
}
