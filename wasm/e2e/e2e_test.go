// Package e2e drives the built browser page in headless Chromium: it builds
// the site into a temporary folder, serves it with the handler of
// `mailcheck serve`, answers DoH from testdata/sample/welcome.zone on
// 127.0.0.1, and checks what the page shows, that message content never
// executes, and how fast it is.
//
// The test skips when /usr/bin/chromium is missing, unless the environment
// variable CI is set, in which case it fails. With SHOTS_DIR set it writes
// desktop and phone screenshots there.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/wasm/internal/sitebuild"
	"github.com/mailcheck/mailcheck/wasm/server"
)

const (
	chromium    = "/usr/bin/chromium"
	welcomeEML  = "../../testdata/sample/welcome.eml"
	welcomeZone = "../../testdata/sample/welcome.zone"
	bounceEML   = "../../testdata/suites/samples/sisimai-lhost-postfix-02.eml"
)

// watchScript runs before the page's own scripts in every document: it
// counts CSP violations and gives the XSS payloads a flag to set.
const watchScript = `
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
`

func TestPage(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: install chromium (apt-get install -y chromium)", chromium)
		}
		t.Skipf("%s is missing; set CI to make this a failure", chromium)
	}
	if testing.Short() {
		t.Skip("builds the site and starts a browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// The site, as `go run ./wasm/build` makes it.
	siteDir := t.TempDir()
	built, err := sitebuild.Build(ctx, sitebuild.Options{Out: siteDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wasm: %d bytes raw, %d bytes gzip (%.2f MB / %.2f MB)", built.WasmBytes, built.WasmGzipBytes,
		float64(built.WasmBytes)/(1<<20), float64(built.WasmGzipBytes)/(1<<20))

	zone, err := resolve.LoadZone(welcomeZone)
	if err != nil {
		t.Fatal(err)
	}
	var dohQueries atomic.Int32
	doh := httptest.NewServer(countRequests(resolve.DoHHandler(zone), &dohQueries))
	defer doh.Close()
	site := httptest.NewServer(server.New(siteDir, server.Options{ConnectSrc: "'self' https: " + doh.URL}))
	defer site.Close()

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()

	// Any dialog is a failure: message content must never run alert().
	var dialogs atomic.Int32
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	dialogEvents := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogEvents {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	if _, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchScript}); err != nil {
		t.Fatal(err)
	}

	p := &pageDriver{t: t, ctx: bctx}
	start := time.Now()
	p.do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(site.URL+"/"))
	p.poll(`document.body.dataset.ready === '1'`, time.Minute)
	t.Logf("navigation to ready: %v (page's own measure: %s ms)", time.Since(start).Round(time.Millisecond), p.str(`document.body.dataset.readyMs`))
	p.poll(`window.mailcheck.warm === true`, time.Minute)
	t.Logf("navigation to warm (the built-in warm-up analysis done): %v", time.Since(start).Round(time.Millisecond))

	welcome := readFile(t, welcomeEML)

	t.Run("offline", func(t *testing.T) {
		p.t = t
		p.setValue("input", welcome)
		ms := p.analyse()
		t.Logf("first analysis of welcome.eml without DNS, after warm-up: %s ms (goal ≤ 50 ms)", ms)
		if got := p.str(`document.querySelector('[data-check=spf]').dataset.status`); got != "not-checked" {
			t.Errorf("offline SPF verdict %q, want not-checked", got)
		}
		if got := p.str(`document.querySelector('[data-check=spf] .reason').textContent`); !strings.Contains(got, "offline") {
			t.Errorf("offline SPF reason %q, want it to say offline", got)
		}
		p.checkRoute()
		if got := p.str(`document.getElementById('dns') ? 'table' : document.getElementById('report').textContent`); !strings.Contains(got, "Live DNS is off") {
			t.Errorf("offline DNS section does not say live DNS is off")
		}
		if n := dohQueries.Load(); n != 0 {
			t.Errorf("%d DoH requests while live DNS was off", n)
		}
	})

	t.Run("live DNS", func(t *testing.T) {
		p.t = t
		p.do(chromedp.Click(chromedp.ID("live")))
		p.setValue("doh", doh.URL+"/dns-query")
		p.setValue("input", welcome)
		ms := p.analyse()
		t.Logf("analysis of welcome.eml with DoH on 127.0.0.1: %s ms", ms)
		for _, check := range []string{"spf", "dkim", "dmarc", "iprev"} {
			if got := p.str(`document.querySelector('[data-check=` + check + `]').dataset.status`); got != "pass" {
				t.Errorf("%s verdict %q, want pass (reason %q)", check, got,
					p.str(`document.querySelector('[data-check=`+check+`] .reason').textContent`))
			}
		}
		if got := p.str(`document.querySelector('[data-check=bimi]').dataset.status`); got == "" || got == "not-checked" {
			t.Errorf("BIMI verdict %q, want a result with live DNS", got)
		}
		p.checkRoute()
		names := p.str(`document.getElementById('dns-names').textContent`)
		for _, want := range []string{"mail.example.com.", "_dmarc.example.com.", doh.URL} {
			if !strings.Contains(names, want) {
				t.Errorf("queried names %q lack %q", names, want)
			}
		}
		if dohQueries.Load() == 0 {
			t.Error("no DoH request reached the test resolver")
		}
		if got := p.str(`document.querySelector('#checks .tree') ? document.querySelector('#checks .tree').textContent : ''`); !strings.Contains(got, "include:_spf.example.com") {
			t.Errorf("SPF lookup tree %q lacks include:_spf.example.com", got)
		}
		p.shots("welcome")

		// Once warm, an offline analysis of the same message.
		p.do(chromedp.Click(chromedp.ID("live")))
		t.Logf("warm analysis of welcome.eml without DNS: %s ms", p.analyse())
		p.do(chromedp.Click(chromedp.ID("live")))
	})

	t.Run("file", func(t *testing.T) {
		p.t = t
		abs, err := filepath.Abs(welcomeEML)
		if err != nil {
			t.Fatal(err)
		}
		runs := p.str(`document.body.dataset.runs`)
		p.do(chromedp.SetUploadFiles(chromedp.ID("file"), []string{abs}))
		p.poll(`document.body.dataset.runs !== '`+runs+`' && document.body.dataset.state === 'done'`, 30*time.Second)
		if got := p.str(`document.getElementById('file-note').textContent`); !strings.Contains(got, "welcome.eml") {
			t.Errorf("file note %q, want the file name", got)
		}
		// The exact bytes of the file reach the analyser: DKIM passes.
		if got := p.str(`document.querySelector('[data-check=dkim]').dataset.status`); got != "pass" {
			t.Errorf("DKIM of the dropped file %q, want pass", got)
		}
		p.do(chromedp.Click(chromedp.ID("file-clear")))
		p.do(chromedp.Click(chromedp.ID("live")))
	})

	t.Run("codes", func(t *testing.T) {
		p.t = t
		p.setValue("input", readFile(t, bounceEML))
		p.analyse()
		got := p.str(`(document.querySelector('#codes tr[data-enhanced="5.1.1"]') || {}).textContent || ''`)
		if !strings.Contains(got, "Bad destination mailbox address") {
			t.Errorf("code row for 5.1.1 = %q, want its explanation", got)
		}
		p.setValue("code", "550 5.1.1 user unknown")
		p.do(chromedp.Click(chromedp.ID("explain")))
		p.poll(`document.querySelector('#code-out .card') !== null`, 10*time.Second)
		if got := p.str(`document.getElementById('code-out').textContent`); !strings.Contains(got, "Bad destination mailbox address") || !strings.Contains(got, "550") {
			t.Errorf("code tool output %q, want 550 and 5.1.1 explained", got)
		}
		p.shots("bounce")
	})

	t.Run("xss", func(t *testing.T) {
		p.t = t
		p.setValue("input", xssHeaders)
		p.analyse()
		text := p.str(`document.getElementById('report').textContent + document.getElementById('verdicts').textContent`)
		for _, want := range []string{"<script>window.__xss=1</script>", `<img src=x onerror="window.__xss=1">`} {
			if !strings.Contains(text, want) {
				t.Errorf("page text lacks the literal %q", want)
			}
		}
		if n := p.str(`String(document.querySelectorAll('#results script, #results img, #results svg, #results a, #results iframe, #results [onerror], #results [onload]').length)`); n != "0" {
			t.Errorf("%s active elements made from message content", n)
		}

		// A 5 MB header, folded, and one 5 MB line: the page stays usable.
		for _, build := range []string{
			`'Subject: big\r\nX-Big: ' + Array(5200).fill('<img src=x onerror=window.__xss=1>'.repeat(28)).join('\r\n ') + '\r\n' + document.getElementById('input').value`,
			`'X-Line: ' + 'javascript:window.__xss=1;'.repeat(200000) + '\r\nFrom: a@example.com\r\n'`,
		} {
			p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('input').value = ` + build))
			size := p.str(`String(document.getElementById('input').value.length)`)
			runs := p.str(`document.body.dataset.runs`)
			start := time.Now()
			p.do(chromedp.Click(chromedp.ID("run")))
			p.poll(`document.body.dataset.runs !== '`+runs+`'`, time.Minute)
			t.Logf("%s-character input: %s after %v (%s)", size, p.str(`document.body.dataset.state`),
				time.Since(start).Round(time.Millisecond), p.str(`document.getElementById('status').textContent`))
			evalStart := time.Now()
			ectx, cancel := context.WithTimeout(bctx, 5*time.Second)
			_, err := chromedp.Run(ectx, chromedp.Evaluate[int](`1 + 1`))
			cancel()
			if err != nil {
				t.Errorf("page unresponsive after the large input: %v", err)
			}
			t.Logf("evaluation after the large input returned in %v", time.Since(evalStart).Round(time.Millisecond))
		}
		if got := p.str(`String(window.__xss)`); got != "undefined" {
			t.Errorf("window.__xss = %s: message content executed", got)
		}
		if n := dialogs.Load(); n != 0 {
			t.Errorf("%d dialogs opened", n)
		}
	})

	p.t = t
	if got := p.str(`JSON.stringify(window.__csp)`); got != "[]" {
		t.Errorf("CSP violations: %s", got)
	}
}

// xssHeaders carry markup and script URLs in every place the page shows.
const xssHeaders = "Received: from <script>window.__xss=1</script> (<img src=x onerror=\"window.__xss=1\"> [192.0.2.66])\r\n" +
	"\tby mx.example.net (Postfix) with ESMTPS id <svg onload=window.__xss=1>; Mon, 30 Nov 2026 09:14:05 +0000\r\n" +
	"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=\"<script>window.__xss=1</script>\"; dkim=fail header.d=<b onmouseover=window.__xss=1>x\r\n" +
	"From: \"<script>window.__xss=1</script>\" <a@example.com>\r\n" +
	"Subject: <img src=x onerror=\"window.__xss=1\"> javascript:window.__xss=1\r\n" +
	"X-Link: javascript:alert(1)\r\n" +
	"X-Spam-Status: Yes, score=9.1 required=5.0 tests=<script>window.__xss=1</script>\r\n" +
	"Return-Path: <javascript:alert(1)@example.com>\r\n" +
	"\r\n" +
	"550 5.1.1 <script>alert(1)</script> user unknown\r\n"

// pageDriver runs actions against the page and fails the current test on
// errors.
type pageDriver struct {
	t   *testing.T
	ctx context.Context
}

func (p *pageDriver) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

func (p *pageDriver) str(expr string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

func (p *pageDriver) poll(expr string, timeout time.Duration) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(timeout))); err != nil {
		p.t.Fatalf("waiting for %s: %v (status %q)", expr, err, p.str(`document.getElementById('status').textContent`))
	}
}

// setValue puts text into a field as a paste would, and tells the page.
func (p *pageDriver) setValue(id, text string) {
	p.t.Helper()
	arg, _ := json.Marshal(text)
	p.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %s; e.dispatchEvent(new Event('input')); })()`, id, arg)))
}

// analyse clicks Analyse and waits for the result; it returns the page's
// own measure of the analysis, in milliseconds.
func (p *pageDriver) analyse() string {
	p.t.Helper()
	runs := p.str(`document.body.dataset.runs || '0'`)
	p.do(chromedp.Click(chromedp.ID("run")))
	p.poll(`(document.body.dataset.runs || '0') !== '`+runs+`'`, time.Minute)
	if state := p.str(`document.body.dataset.state`); state != "done" {
		p.t.Fatalf("analysis ended %q: %s", state, p.str(`document.getElementById('status').textContent`))
	}
	return p.str(`document.body.dataset.analysisMs`)
}

// checkRoute asserts what the page shows of welcome.eml's route.
func (p *pageDriver) checkRoute() {
	p.t.Helper()
	if got := p.str(`document.querySelector('table.hops').dataset.hops`); got != "5" {
		p.t.Errorf("hop count %q, want 5", got)
	}
	if got := p.str(`document.querySelectorAll('table.hops tbody tr').length + ''`); got != "5" {
		p.t.Errorf("%s hop rows, want 5", got)
	}
	if got := p.str(`document.querySelector('[data-field=client_ip]').textContent`); !strings.Contains(got, "192.0.2.25") {
		p.t.Errorf("client IP %q, want 192.0.2.25", got)
	}
	if got := p.str(`document.querySelector('tr.external').dataset.hop`); got != "3" {
		p.t.Errorf("first-external hop %q, want 3", got)
	}
}

// shots writes desktop and phone screenshots to SHOTS_DIR, when set.
func (p *pageDriver) shots(name string) {
	p.t.Helper()
	dir := os.Getenv("SHOTS_DIR")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	for _, s := range []struct {
		suffix string
		vp     chromedp.Action[chromedp.Void]
	}{
		{"desktop", chromedp.EmulateViewport(1280, 900)},
		{"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)},
	} {
		p.do(s.vp)
		files := map[string][]byte{}
		// The top of the page, then each part of the results.
		for anchor, sel := range map[string]string{"top": "", "results": "#results", "route": "table.hops", "checks": "#checks", "codes": "#codes", "dns": "#dns"} {
			scroll := `window.scrollTo(0, 0)`
			if sel != "" {
				scroll = `(document.querySelector('` + sel + `') || document.body).scrollIntoView()`
			}
			p.do(chromedp.Evaluate[chromedp.Void](scroll))
			shot, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				p.t.Fatal(err)
			}
			files[name+"-"+s.suffix+"-"+anchor+".png"] = shot
		}
		full, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			p.t.Fatal(err)
		}
		files[name+"-"+s.suffix+"-full.png"] = full
		for file, data := range files {
			if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
				p.t.Fatal(err)
			}
		}
	}
	p.do(chromedp.EmulateViewport(1280, 900))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// countRequests counts the requests that reach h.
func countRequests(h http.Handler, n *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	})
}
