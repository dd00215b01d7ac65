package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/wasm/server"
)

// fakeSite writes a minimal built site (the real one needs a wasm build)
// with gzip copies, as wasm/build does.
func fakeSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":     "<!doctype html><title>mailcheck</title>",
		"app.js":         "'use strict';",
		"style.css":      "body{}",
		"wasm_exec.js":   "// glue",
		"mailcheck.wasm": "\x00asm\x01\x00\x00\x00",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(body))
		zw.Close()
		if err := os.WriteFile(filepath.Join(dir, name+".gz"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, h http.Handler, path, acceptEncoding string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestServeContentTypes(t *testing.T) {
	h := newSiteHandler(fakeSite(t))
	tests := []struct {
		path, want string
	}{
		{"/", "text/html; charset=utf-8"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/app.js", "text/javascript; charset=utf-8"},
		{"/style.css", "text/css; charset=utf-8"},
		{"/mailcheck.wasm", "application/wasm"},
		{"/wasm_exec.js", "text/javascript; charset=utf-8"},
	}
	for _, tt := range tests {
		for _, enc := range []string{"", "gzip, deflate, br"} {
			resp := get(t, h, tt.path, enc)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s (Accept-Encoding %q): status %d, want 200", tt.path, enc, resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.want {
				t.Errorf("GET %s (Accept-Encoding %q): Content-Type %q, want %q", tt.path, enc, got, tt.want)
			}
		}
	}
	for _, path := range []string{"/missing.js", "/../go.mod", "/app.js.gz", "/.hidden", "/sub/app.js"} {
		if resp := get(t, h, path, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestServeGzip(t *testing.T) {
	h := newSiteHandler(fakeSite(t))
	tests := []struct {
		accept string
		gzip   bool
	}{
		{"", false},
		{"gzip", true},
		{"br, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"identity", false},
		{"*", true},
		{"gzip;q=0, *", false},
		{"x-gzip", true},
	}
	for _, tt := range tests {
		resp := get(t, h, "/app.js", tt.accept)
		body, _ := io.ReadAll(resp.Body)
		gotGzip := resp.Header.Get("Content-Encoding") == "gzip"
		if gotGzip != tt.gzip {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want gzip %v", tt.accept, resp.Header.Get("Content-Encoding"), tt.gzip)
		}
		if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q, want Accept-Encoding", tt.accept, got)
		}
		if gotGzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("gzip body: %v", err)
			}
			body, _ = io.ReadAll(zr)
		}
		if got, want := string(body), "'use strict';"; got != want {
			t.Errorf("Accept-Encoding %q: body %q, want %q", tt.accept, got, want)
		}
	}
}

func TestServeSecurityHeaders(t *testing.T) {
	dir := fakeSite(t)
	const want = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' https:; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
	for _, path := range []string{"/", "/mailcheck.wasm", "/missing"} {
		resp := get(t, newSiteHandler(dir), path, "gzip")
		if got := resp.Header.Get("Content-Security-Policy"); got != want {
			t.Errorf("GET %s: CSP %q, want %q", path, got, want)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", path, got)
		}
	}
	h := server.New(dir, server.Options{ConnectSrc: "'self' http://127.0.0.1:5353"})
	if got := get(t, h, "/", "").Header.Get("Content-Security-Policy"); !strings.Contains(got, "; connect-src 'self' http://127.0.0.1:5353; ") {
		t.Errorf("configured connect-src: CSP %q", got)
	}
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := httptest.NewRecorder()
	newSiteHandler(dir).ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", rec.Code)
	}
}

func TestServeMissingSite(t *testing.T) {
	// The command refuses to start, with the build command in its message.
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb}
	if got := c.serve([]string{"--dir", filepath.Join(t.TempDir(), "nope")}); got != exitUsage {
		t.Errorf("serve on a missing dir: exit %d, want %d", got, exitUsage)
	}
	if !strings.Contains(errb.String(), "run: go run ./wasm/build") {
		t.Errorf("stderr %q lacks the build command", errb.String())
	}

	// A site removed while serving gets a 503 page saying the same.
	dir := fakeSite(t)
	h := newSiteHandler(dir)
	if resp := get(t, h, "/", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d before removal", resp.StatusCode)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	resp := get(t, h, "/app.js", "gzip")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "go run ./wasm/build") ||
		resp.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("after removal: status %d, encoding %q, body %q; want 503 with the build command", resp.StatusCode, resp.Header.Get("Content-Encoding"), body)
	}
}

func TestServeRuns(t *testing.T) {
	dir := fakeSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb}
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- c.serveUntil(ctx, []string{"--addr", "127.0.0.1:0", "--dir", dir}, func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	}
	resp, err := http.Get("http://" + addr + "/mailcheck.wasm")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "application/wasm" {
		t.Errorf("Content-Type %q, want application/wasm", got)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after cancel, want %d", code, exitOK)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(out.String(), "serving "+dir+" on http://"+addr+"/") {
		t.Errorf("stdout %q", out.String())
	}
}
