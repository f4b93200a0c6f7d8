//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium with a fresh profile, pointed at one next server.
type browser struct {
	t         *testing.T
	ctx       context.Context // the chromedp tab; never with a timeout (it would stop the browser)
	artifacts string
	srv       *nextServer
	fake      *fakeProvider
}

const (
	viewportW = 800
	viewportH = 640
	// stepTimeout bounds one browser interaction (navigate + wait, click + wait).
	stepTimeout = 30 * time.Second
)

func newBrowser(t *testing.T, execPath, artifacts string, srv *nextServer, fake *fakeProvider) *browser {
	t.Helper()
	chromeLog, err := os.Create(filepath.Join(artifacts, "chromium.log"))
	if err != nil {
		t.Fatal(err)
	}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(viewportW, viewportH),
		// The app and the fake listen on 127.0.0.1, but their URLs say localhost (the
		// OAuth origin and issuer); never let the browser try ::1 for it.
		chromedp.Flag("host-resolver-rules", "MAP localhost 127.0.0.1"),
		// The Debian wrapper prints a harmless "[: ...: unexpected operator" here (P8).
		chromedp.CombinedOutput(chromeLog),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		chromeLog.Close()
	})
	// The first Run starts the browser.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH)); err != nil {
		t.Fatalf("start %s: %v (see %s)", execPath, err, chromeLog.Name())
	}
	return &browser{t: t, ctx: ctx, artifacts: artifacts, srv: srv, fake: fake}
}

// step runs fn with a context bounded by stepTimeout.
func (b *browser) step(fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	return fn(ctx)
}

// fail stops the test with msg, a failure screenshot, the browser's location and the
// end of next's log.
func (b *browser) fail(name, format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	shot := filepath.Join(b.artifacts, "failure-"+name+".png")
	var where string
	err := b.step(func(ctx context.Context) error {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		where = loc
		if err != nil {
			return err
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			return err
		}
		return os.WriteFile(shot, png, 0o644)
	})
	if err != nil {
		shot = fmt.Sprintf("(no screenshot: %v)", err)
	}
	seen := "(nothing)"
	if reqs := b.fake.requests(); len(reqs) > 0 {
		seen = "\n  " + strings.Join(reqs, "\n  ")
	}
	b.t.Fatalf("%s\nbrowser at: %s\nscreenshot: %s\nnext server now: %s\nfake provider saw: %s\n%s",
		msg, where, shot, b.srv.probe(), seen, b.srv.tail())
}

// buttonInfo is what the login page shows for one provider button.
type buttonInfo struct {
	Provider string    `json:"provider"`
	Text     string    `json:"text"`
	Disabled bool      `json:"disabled"`
	Images   []imgInfo `json:"images"`
}

type imgInfo struct {
	Src          string `json:"src"`
	Complete     bool   `json:"complete"`
	NaturalWidth int    `json:"naturalWidth"`
}

const buttonsJS = `Array.from(document.querySelectorAll("button[data-provider]")).map(b => ({
	provider: b.dataset.provider,
	text: b.innerText.trim(),
	disabled: b.disabled,
	images: Array.from(b.querySelectorAll("img")).map(i => ({src: i.currentSrc || i.src, complete: i.complete, naturalWidth: i.naturalWidth})),
}))`

// hydratedJS is true once React has attached its handlers to every provider button: a
// click before that does nothing, because the login page is prerendered HTML.
const hydratedJS = `(() => {
	const bs = Array.from(document.querySelectorAll("button[data-provider]"));
	return bs.length > 0 && bs.every(b => Object.keys(b).some(k => k.startsWith("__reactProps")));
})()`

// checkLoginPage opens /, follows '로그인하기' to /oauth/login and checks that exactly the
// chosen providers have a button, each with a loaded logo. It saves a screenshot and
// returns its path.
func (b *browser) checkLoginPage(want []string) string {
	b.t.Helper()
	link := chromedp.Search(`//a[normalize-space()="로그인하기"]`)
	if err := b.step(func(ctx context.Context) error {
		return chromedp.Do(ctx,
			chromedp.Navigate(b.srv.URL+"/"),
			chromedp.WaitVisible(link),
			chromedp.Click(link),
		)
	}); err != nil {
		b.fail("home", "open %s/ and click the link '로그인하기': %v", b.srv.URL, err)
	}
	if err := b.step(func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.pathname === "/oauth/login"`,
			chromedp.WithPollingTimeout(20*time.Second)))
		return err
	}); err != nil {
		b.fail("login", "clicking '로그인하기' did not lead to /oauth/login: %v", err)
	}

	var buttons []buttonInfo
	if err := b.step(func(ctx context.Context) error {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[data-provider]`))); err != nil {
			return fmt.Errorf("wait for button[data-provider]: %w", err)
		}
		// Every <img> has finished loading (or failed), and the fonts are ready.
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
			`Array.from(document.images).every(i => i.complete)`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			return fmt.Errorf("wait for the images: %w", err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready`, chromedp.EvalAwaitPromise)); err != nil {
			return fmt.Errorf("wait for the fonts: %w", err)
		}
		var err error
		buttons, err = chromedp.Run(ctx, chromedp.Evaluate[[]buttonInfo](buttonsJS))
		return err
	}); err != nil {
		b.fail("login", "login page: %v", err)
	}

	shot := filepath.Join(b.artifacts, "login.png")
	if err := b.step(func(ctx context.Context) error {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			return err
		}
		return os.WriteFile(shot, png, 0o644)
	}); err != nil {
		b.t.Errorf("screenshot of the login page: %v", err)
	}
	b.t.Logf("login page screenshot: %s", shot)

	var got []string
	for _, btn := range buttons {
		got = append(got, btn.Provider)
		b.t.Logf("button %-6s %q, images %+v", btn.Provider, btn.Text, btn.Images)
		if btn.Disabled {
			b.t.Errorf("button[data-provider=%s] is disabled", btn.Provider)
		}
		if strings.TrimSpace(btn.Text) == "" {
			b.t.Errorf("button[data-provider=%s] has no label", btn.Provider)
		}
		if len(btn.Images) != 1 {
			b.t.Errorf("button[data-provider=%s] has %d <img>, want 1 (its logo)", btn.Provider, len(btn.Images))
			continue
		}
		img := btn.Images[0]
		if img.NaturalWidth <= 0 {
			b.t.Errorf("button[data-provider=%s]: logo %s did not load (naturalWidth=%d, complete=%v)",
				btn.Provider, img.Src, img.NaturalWidth, img.Complete)
		}
		if wantSrc := "/logos/" + btn.Provider + ".svg"; !strings.HasSuffix(img.Src, wantSrc) {
			b.t.Errorf("button[data-provider=%s]: logo src %s, want …%s", btn.Provider, img.Src, wantSrc)
		}
	}
	if !slices.Equal(got, want) {
		b.fail("login", "login page has buttons for %q, want exactly %q (in this order); screenshot %s", got, want, shot)
	}
	return shot
}

// checkAuthorizeRequest clicks the provider's button on the login page and checks the
// authorization request that reaches the fake provider, and that the browser ends up on
// the fake's authorization page.
func (b *browser) checkAuthorizeRequest(provider string) {
	b.t.Helper()
	b.fake.drain()
	button := chromedp.CSS(fmt.Sprintf(`button[data-provider=%q]`, provider))
	if err := b.step(func(ctx context.Context) error {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(b.srv.URL+"/oauth/login"),
			chromedp.WaitVisible(button),
		); err != nil {
			return err
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](hydratedJS, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			return fmt.Errorf("the login page did not hydrate: %w", err)
		}
		return chromedp.Do(ctx, chromedp.Click(button))
	}); err != nil {
		b.fail(provider, "open the login page and click button[data-provider=%s]: %v", provider, err)
	}

	var req authRequest
	select {
	case req = <-b.fake.reqs:
	case <-time.After(stepTimeout):
		b.fail(provider, "after the click on %s, no request reached the fake authorization endpoint %s%s within %s",
			provider, b.fake.Base, authorizePaths[provider], stepTimeout)
	}
	b.t.Logf("%s authorize request: %s", provider, req.url)
	if req.provider != provider {
		b.fail(provider, "clicking %s sent the browser to the %s authorization endpoint (%s)", provider, req.provider, req.url)
	}

	q := req.query
	expect := func(name, want string) {
		b.t.Helper()
		if got := q.Get(name); got != want {
			b.t.Errorf("%s authorize: %s=%q, want %q", provider, name, got, want)
		}
	}
	nonEmpty := func(name string) {
		b.t.Helper()
		if q.Get(name) == "" {
			b.t.Errorf("%s authorize: %s is missing or empty", provider, name)
		}
	}
	expect("response_type", "code")
	expect("client_id", clientIDs[provider])
	expect("redirect_uri", b.srv.URL+"/api/auth/callback/"+provider)
	nonEmpty("state")
	sc := scopes(q.Get("scope"))
	switch provider {
	case "google":
		for _, s := range []string{"openid", "email", "profile"} {
			if !slices.Contains(sc, s) {
				b.t.Errorf("google authorize: scope %q lacks %q", q.Get("scope"), s)
			}
		}
		nonEmpty("code_challenge")
		expect("code_challenge_method", "S256")
		// Offline access, so Google issues a refresh token (SPEC §4).
		expect("access_type", "offline")
		expect("prompt", "consent")
	case "kakao":
		// Kakao answers KOE205 to scope=openid (it issues the id_token without it).
		if slices.Contains(sc, "openid") {
			b.t.Errorf("kakao authorize: scope %q contains openid (Kakao answers KOE205)", q.Get("scope"))
		}
		// OIDC: the nonce the id_token must carry back.
		nonEmpty("nonce")
	}

	// The browser is on the fake's authorization page.
	wantPrefix := b.fake.Base + authorizePaths[provider] + "?"
	deadline := time.Now().Add(stepTimeout)
	for {
		var loc, title string
		err := b.step(func(ctx context.Context) error {
			var err error
			if loc, err = chromedp.Run(ctx, chromedp.Location()); err != nil {
				return err
			}
			title, err = chromedp.Run(ctx, chromedp.Title())
			return err
		})
		if err == nil && strings.HasPrefix(loc, wantPrefix) && title == "fake authorize" {
			if loc != req.url {
				b.t.Errorf("%s: the browser is at %s, but the fake got %s", provider, loc, req.url)
			}
			return
		}
		if time.Now().After(deadline) {
			b.fail(provider, "the browser did not end up on the fake authorization page %s… (at %q, title %q, err %v)",
				wantPrefix, loc, title, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
