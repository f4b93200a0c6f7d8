//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium with a fresh profile, pointed at the running stack.
type browser struct {
	t         *testing.T
	ctx       context.Context // the chromedp tab; never with a timeout (it would stop the browser)
	artifacts string
	stack     *stack
	webDir    string            // apps/web, for `node -e` with next-auth
	dotenv    map[string]string // the generated .env.local
	timeout   time.Duration     // one interaction; longer under `pnpm dev` (compiles on demand)
	// debugTokens: `pnpm dev` with --debug-tokens, where the session deliberately shows the
	// provider tokens (refresh token included) to browser JavaScript.
	debugTokens bool

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

const (
	viewportW = 800
	viewportH = 640
	// stepTimeout bounds one browser interaction (navigate + wait, click + wait) under
	// `pnpm start`; devStepTimeout under `pnpm dev`, where each first request compiles.
	stepTimeout    = 30 * time.Second
	devStepTimeout = 2 * time.Minute
)

// authorizePaths are the stand-in's authorization endpoints, shaped like the real ones
// (accounts.google.com/o/oauth2/v2/auth, nid.naver.com/oauth2.0/authorize,
// kauth.kakao.com/oauth/authorize).
var authorizePaths = map[string]string{
	"google": "/google/o/oauth2/v2/auth",
	"naver":  "/naver/oauth2.0/authorize",
	"kakao":  "/kakao/oauth/authorize",
}

// testUser is one of dev/mock-oauth's test users (its README). Each provider signs in a
// different one, so a greeting from an earlier login cannot pass for the next.
type testUser struct {
	key      string
	name     string // Google name, Naver name
	nickname string // Kakao nickname (and Naver's, which NextAuth alone uses)
	email    string
}

var userFor = map[string]testUser{
	"google": {key: "hong", name: "홍길동", nickname: "길동", email: "hong@example.test"},
	"naver":  {key: "minji", name: "김민지", nickname: "민지", email: "minji@example.test"},
	"kakao":  {key: "alex", name: "Alex Kim", nickname: "Alex", email: "alex@example.test"},
}

func newBrowser(t *testing.T, execPath, artifacts, webDir string, dotenv map[string]string, stk *stack) *browser {
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
		// mock-oauth listens on 127.0.0.1 only, but every URL says localhost (the OAuth
		// origin and issuer); never let the browser try ::1 first.
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
	// The first Do starts the browser.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH)); err != nil {
		t.Fatalf("start %s: %v (see %s)", execPath, err, chromeLog.Name())
	}
	b := &browser{t: t, ctx: ctx, artifacts: artifacts, stack: stk, webDir: webDir, dotenv: dotenv, timeout: stepTimeout}
	// Record the page's console from now on (--debug-tokens logs there).
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// consoleMessages is what the pages wrote to the console so far.
func (b *browser) consoleMessages() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.console)
}

// step runs fn with a context bounded by b.timeout.
func (b *browser) step(fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	return fn(ctx)
}

// do runs actions within one step.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) error {
	return b.step(func(ctx context.Context) error { return chromedp.Do(ctx, actions...) })
}

// eval evaluates js in the page (awaiting a promise) within one step.
func evalIn[T any](b *browser, js string) (T, error) {
	var v T
	err := b.step(func(ctx context.Context) error {
		var err error
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
		return err
	})
	return v, err
}

// waitJS evaluates js every 200 ms until it returns a non-empty string, within b.timeout.
// Unlike chromedp.Poll it survives navigations (the page's context is replaced while it
// waits), so it can wait across a redirect chain.
func (b *browser) waitJS(js string) (string, error) {
	deadline := time.Now().Add(b.timeout)
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		cancel()
		if err == nil && v != "" {
			return v, nil
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) {
			if lastErr == nil {
				lastErr = errors.New("condition never held")
			}
			return "", fmt.Errorf("after %s: %w", b.timeout, lastErr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// location is where the browser is, for messages.
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return fmt.Sprintf("(unknown: %v)", err)
	}
	return loc
}

// screenshot saves the viewport as artifacts/<name>.png and returns the path.
func (b *browser) screenshot(name string) (string, error) {
	path := filepath.Join(b.artifacts, name+".png")
	err := b.step(func(ctx context.Context) error {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			return err
		}
		return os.WriteFile(path, png, 0o644)
	})
	return path, err
}

// fail stops the test with msg, where the browser is, a failure screenshot and the end of
// each process's output.
func (b *browser) fail(name, format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	where := b.location()
	shot, err := b.screenshot("failure-" + name)
	if err != nil {
		shot = fmt.Sprintf("(no screenshot: %v)", err)
	}
	b.t.Fatalf("%s\nbrowser at: %s\nscreenshot: %s\n%s\n%s", msg, where, shot, b.consoleTail(), b.stack.tails())
}

// consoleTail is the end of the browser console, for failure messages.
func (b *browser) consoleTail() string {
	msgs := b.consoleMessages()
	if len(msgs) > 15 {
		msgs = msgs[len(msgs)-15:]
	}
	var lines []string
	for _, m := range msgs {
		lines = append(lines, redactJSON(m.String()))
	}
	return fmt.Sprintf("--- browser console, last %d messages ---\n%s", len(lines), strings.Join(lines, "\n"))
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

// hydratedJS is "yes" once React has attached its handlers to every provider button: a
// click before that does nothing, because the login page is prerendered HTML.
const hydratedJS = `(() => {
	const bs = Array.from(document.querySelectorAll("button[data-provider]"));
	return bs.length > 0 && bs.every(b => Object.keys(b).some(k => k.startsWith("__reactProps"))) ? "yes" : "";
})()`

// checkLoginPage opens /, follows '로그인하기' to /oauth/login and checks that exactly the
// chosen providers have a button, each with a loaded logo. It saves login.png and returns
// its path.
func (b *browser) checkLoginPage(want []string) string {
	b.t.Helper()
	link := chromedp.Search(`//a[normalize-space()="로그인하기"]`)
	if err := b.do(chromedp.Navigate(webURL+"/"), chromedp.WaitVisible(link), chromedp.Click(link)); err != nil {
		b.fail("home", "open %s/ and click the link '로그인하기': %v", webURL, err)
	}
	if _, err := b.waitJS(`location.pathname === "/oauth/login" ? "yes" : ""`); err != nil {
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

	shot, err := b.screenshot("login")
	if err != nil {
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

// signIn clicks the provider's button on the login page, checks the authorization
// request as it reaches the stand-in (the browser's URL) and its page, picks the test
// user and waits until the app greets them on /. It returns the browser-visible session
// (/api/auth/session).
func (b *browser) signIn(provider string, gateway bool) browserSession {
	b.t.Helper()
	user := userFor[provider]
	button := chromedp.CSS(fmt.Sprintf(`button[data-provider=%q]`, provider))
	if err := b.do(chromedp.Navigate(webURL+"/oauth/login"), chromedp.WaitVisible(button)); err != nil {
		b.fail(provider, "open %s/oauth/login: %v", webURL, err)
	}
	if _, err := b.waitJS(hydratedJS); err != nil {
		b.fail(provider, "the login page did not hydrate: %v", err)
	}
	if err := b.do(chromedp.Click(button)); err != nil {
		b.fail(provider, "click button[data-provider=%s]: %v", provider, err)
	}

	// 1. The stand-in's authorize page.
	authorize := mockURL + authorizePaths[provider] + "?"
	loc, err := b.waitJS(fmt.Sprintf(`(() => {
		if (location.href.startsWith(%q) && document.readyState === "complete") return location.href;
		const e = location.href.startsWith(%q) && new URLSearchParams(location.search).get("error");
		return e ? "error:" + e : "";
	})()`, authorize, webURL+"/oauth/login"))
	if err != nil {
		b.fail(provider, "after the click on %s the browser did not reach the stand-in's authorize page %s…: %v", provider, authorize, err)
	}
	if strings.HasPrefix(loc, "error:") {
		b.fail(provider, "after the click on %s the app sent the browser back to the login page with ?error=%s", provider, strings.TrimPrefix(loc, "error:"))
	}
	b.t.Logf("%s authorize request: %s", provider, loc)
	u, err := url.Parse(loc)
	if err != nil {
		b.fail(provider, "authorize URL %q: %v", loc, err)
	}
	b.checkAuthorizeQuery(provider, u.Query())

	text, err := evalIn[string](b, `document.body.innerText`)
	if err != nil {
		b.fail(provider, "read the authorize page: %v", err)
	}
	for _, want := range []string{"development stand-in", "개발용 모의 로그인 서버"} {
		if !strings.Contains(text, want) {
			b.t.Errorf("%s: the stand-in's authorize page does not say %q:\n%s", provider, want, text)
		}
	}
	if _, err := b.screenshot("authorize-" + provider); err != nil {
		b.t.Errorf("screenshot of the authorize page: %v", err)
	}

	// 2. Pick the test user: the form posts back to the stand-in, which redirects to the
	// app's callback, which redirects to /.
	pick := chromedp.CSS(fmt.Sprintf(`button[name="user"][value=%q]`, user.key))
	if err := b.do(chromedp.WaitVisible(pick), chromedp.Click(pick)); err != nil {
		b.fail(provider, "pick the test user %q on the authorize page: %v", user.key, err)
	}
	res, err := b.waitJS(fmt.Sprintf(`(() => {
		if (location.href.startsWith(%q)) {
			const e = new URLSearchParams(location.search).get("error");
			if (e) return "error:" + e;
		}
		if (location.href === %q && document.querySelector("[data-testid=who]")) return "ok";
		return "";
	})()`, webURL+"/oauth/login", webURL+"/"))
	if err != nil {
		b.fail(provider, "after picking %q on the stand-in, the app did not greet anyone on %s/: %v", user.key, webURL, err)
	}
	if strings.HasPrefix(res, "error:") {
		b.fail(provider, "sign-in with %s failed: the app sent the browser to /oauth/login?error=%s", provider, strings.TrimPrefix(res, "error:"))
	}

	// 3. Greeted by name; in gateway mode with the data from /api/users/me.
	who, err := evalIn[string](b, `document.querySelector("[data-testid=who]").innerText.trim()`)
	if err != nil {
		b.fail(provider, "read [data-testid=who]: %v", err)
	}
	if who != "안녕하세요, "+user.name && who != "안녕하세요, "+user.nickname {
		b.t.Errorf("%s: greeting %q, want 안녕하세요, %s (or the nickname %s)", provider, who, user.name, user.nickname)
	}
	sess := b.session(provider)
	if sess.User.ID == "" {
		b.t.Errorf("%s: the session has no user.id", provider)
	}
	if sess.Provider != provider {
		b.t.Errorf("%s: session.provider = %q", provider, sess.Provider)
	}
	if gateway {
		if sess.AccessToken == "" {
			b.t.Errorf("%s: the session carries no gateway accessToken", provider)
		}
		b.checkUsersMe(provider, sess.User.ID)
	} else if sess.AccessToken != "" {
		b.t.Errorf("%s: --no-gateway, but the session carries an accessToken", provider)
	}
	b.t.Logf("%s: greeted %q, user.id %s", provider, who, sess.User.ID)
	return sess
}

// checkAuthorizeQuery checks the authorization request the app sent the browser with.
func (b *browser) checkAuthorizeQuery(provider string, q url.Values) {
	b.t.Helper()
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
	expect("client_id", b.dotenv[strings.ToUpper(provider)+"_CLIENT_ID"])
	expect("redirect_uri", webURL+"/api/auth/callback/"+provider)
	nonEmpty("state")
	sc := scopes(q.Get("scope"))
	switch provider {
	case "google":
		if !slices.Equal(sc, []string{"openid", "email", "profile"}) {
			b.t.Errorf("google authorize: scope %q, want \"openid email profile\"", q.Get("scope"))
		}
		nonEmpty("code_challenge")
		expect("code_challenge_method", "S256")
		// Offline access, so Google issues a refresh token (docs/SPEC.md §4).
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
}

// browserSession is what browser JavaScript gets from /api/auth/session.
type browserSession struct {
	User struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"user"`
	Provider    string `json:"provider"`
	AccessToken string `json:"accessToken"`
	Error       string `json:"error"`
	raw         string
}

// session fetches /api/auth/session in the page, as useSession() does, and checks that
// no refresh token is readable by browser JavaScript (docs/SPEC.md §4).
func (b *browser) session(provider string) browserSession {
	b.t.Helper()
	raw, err := evalIn[string](b, `fetch("/api/auth/session", {cache: "no-store"}).then(r => r.text())`)
	if err != nil {
		b.fail(provider, "fetch /api/auth/session in the page: %v", err)
	}
	var s browserSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		b.fail(provider, "/api/auth/session is not JSON: %v: %s", err, raw)
	}
	s.raw = raw
	if strings.Contains(strings.ToLower(raw), "refresh") && !b.debugTokens {
		b.t.Errorf("%s: /api/auth/session, readable by browser JavaScript, mentions a refresh token: %s", provider, raw)
	}
	return s
}

// checkUsersMe checks the signed-in page's data from GET /api/users/me through the gateway.
func (b *browser) checkUsersMe(provider, userID string) {
	b.t.Helper()
	type usersMe struct {
		Error string   `json:"error"`
		DD    []string `json:"dd"`
	}
	me, err := evalIn[usersMe](b, `(() => {
		const err = document.querySelector("[data-testid=users-me-error]");
		const dl = document.querySelector("[data-testid=users-me]");
		return {
			error: err ? err.innerText.trim() : (dl ? "" : "neither [data-testid=users-me] nor [data-testid=users-me-error] is on the page"),
			dd: dl ? Array.from(dl.querySelectorAll("dd")).map(d => d.innerText.trim()) : [],
		};
	})()`)
	if err != nil {
		b.fail(provider, "read [data-testid=users-me]: %v", err)
	}
	if me.Error != "" {
		b.fail(provider, "the signed-in page has no data from /api/users/me: %s", me.Error)
	}
	// <dd>s: user id, provider, e-mail (when there is one).
	if len(me.DD) < 2 || me.DD[0] != userID || me.DD[1] != provider {
		b.t.Errorf("%s: [data-testid=users-me] shows %q, want the user id %s and the provider %s first", provider, me.DD, userID, provider)
	}
	if want := userFor[provider].email; !slices.Contains(me.DD, want) {
		b.t.Errorf("%s: [data-testid=users-me] shows %q, want the e-mail %s too", provider, me.DD, want)
	}
}

// signOut clicks 로그아웃 and waits for the signed-out home page; the session cookie must
// be gone.
func (b *browser) signOut(provider string) {
	b.t.Helper()
	btn := chromedp.Search(`//button[normalize-space()="로그아웃"]`)
	if err := b.do(chromedp.WaitVisible(btn), chromedp.Click(btn)); err != nil {
		b.fail(provider, "click 로그아웃: %v", err)
	}
	if _, err := b.waitJS(fmt.Sprintf(`(() => {
		const a = Array.from(document.querySelectorAll("a")).find(a => a.innerText.trim() === "로그인하기");
		return location.href === %q && a && !document.querySelector("[data-testid=who]") ? "yes" : "";
	})()`, webURL+"/")); err != nil {
		b.fail(provider, "after 로그아웃 the browser did not end up signed out on %s/: %v", webURL, err)
	}
	if c, err := b.cookieValue(); err != nil {
		b.t.Errorf("%s: %v", provider, err)
	} else if c != "" {
		b.t.Errorf("%s: the session cookie is still there after signing out", provider)
	}
}

// signOutRevokes signs out of a gateway session and checks that the gateway saw the
// logout and now refuses the session's refresh tokens: the current one first, then any
// rotated before it.
func (b *browser) signOutRevokes(provider, secret, current string, rotated ...string) {
	b.t.Helper()
	b.signOut(provider)
	refreshRefused(b.t, secret, current, "the refresh token of a signed-out session")
	for _, rt := range rotated {
		refreshRefused(b.t, secret, rt, "a rotated refresh token of a signed-out session")
	}
	if len(requests(b.stack.gatewayLines(), "POST", "/auth/logout", 204)) == 0 {
		b.t.Errorf("signing out did not reach the gateway: no POST /auth/logout 204 in its log")
	}
}
