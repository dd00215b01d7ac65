// Package server serves the built browser face of mailcheck (see
// wasm/build): static files with exact content types (application/wasm for
// the binary, so browsers can compile it while it streams), the prebuilt
// .gz copies to clients that accept gzip, and headers that keep the page
// locked down: a strict Content-Security-Policy, nosniff, no framing.
//
// It is what `mailcheck serve` and the end-to-end test run. Non-goals: TLS,
// compression on the fly, directory listings, anything dynamic.
package server

import (
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultConnectSrc is the CSP connect-src of the served page: itself (the
// wasm binary) and any https DoH endpoint the user names.
const DefaultConnectSrc = "'self' https:"

// BuildHint is the command that builds the site, for error messages.
const BuildHint = "go run ./wasm/build"

// Options configure the handler. The zero value serves the production
// policy.
type Options struct {
	// ConnectSrc replaces the CSP connect-src sources; empty means
	// DefaultConnectSrc. Tests add a DoH endpoint on 127.0.0.1 here.
	ConnectSrc string
}

// CSP returns the Content-Security-Policy with connectSrc as connect-src
// (empty: DefaultConnectSrc). 'wasm-unsafe-eval' allows compiling
// WebAssembly and nothing else; there is no inline script or style at all.
func CSP(connectSrc string) string {
	if connectSrc == "" {
		connectSrc = DefaultConnectSrc
	}
	return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src " + connectSrc +
		"; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
}

// contentTypes are the types of the files a built site holds. Anything
// else is sent as application/octet-stream, never sniffed.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".wasm": "application/wasm",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
	".eml":  "message/rfc822",
}

// CheckSite reports whether dir holds a built site, with an error that
// says how to build one.
func CheckSite(dir string) error {
	for _, name := range []string{"index.html", "mailcheck.wasm", "wasm_exec.js"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("the site in %s is not built (%s missing): run: %s", dir, name, BuildHint)
		}
	}
	return nil
}

// New returns a handler serving the built site in dir. When the site is
// missing (not built, or removed while serving) every request gets a 503
// page saying how to build it.
func New(dir string, opts Options) http.Handler {
	csp := CSP(opts.ConnectSrc)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")

		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if err := CheckSite(dir); err != nil {
			notBuilt(w, err)
			return
		}
		name, ok := fileName(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		serveFile(w, r, dir, name)
	})
}

// fileName maps a URL path to a file of the site: "/" is index.html; only
// plain files at the top level exist, so no path can leave the folder.
func fileName(p string) (string, bool) {
	p = path.Clean("/" + p)
	if p == "/" {
		return "index.html", true
	}
	name := strings.TrimPrefix(p, "/")
	if strings.Contains(name, "/") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".gz") {
		return "", false
	}
	return name, true
}

func serveFile(w http.ResponseWriter, r *http.Request, dir, name string) {
	ctype, ok := contentTypes[path.Ext(name)]
	if !ok {
		ctype = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Vary", "Accept-Encoding")
	// The page's files change with every build and carry no version in
	// their names, so caches must revalidate (ETag-less, by mtime).
	h.Set("Cache-Control", "no-cache")

	root, err := os.OpenRoot(dir)
	if err != nil {
		notBuilt(w, err)
		return
	}
	defer root.Close()
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		if f, err := root.Open(name + ".gz"); err == nil {
			defer f.Close()
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				h.Set("Content-Encoding", "gzip")
				http.ServeContent(w, r, name, st.ModTime(), f)
				return
			}
		}
	}
	f, err := root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "cannot read file", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip (or x-gzip)
// with a non-zero q, or failing an explicit entry, "*" with a non-zero q.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
		}
		switch coding {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			starQ = max(starQ, q)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// notBuilt answers 503 with a page that says how to build the site.
func notBuilt(w http.ResponseWriter, err error) {
	h := w.Header()
	h.Del("Content-Encoding")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", "10")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, "<!doctype html>\n<meta charset=utf-8>\n<title>mailcheck: site not built</title>\n<h1>The mailcheck page is not built</h1>\n<p>%s</p>\n<p>Run: <code>%s</code>, then reload.</p>\n",
		html.EscapeString(err.Error()), BuildHint)
}
