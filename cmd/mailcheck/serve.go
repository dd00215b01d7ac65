package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/mailcheck/mailcheck/wasm/server"
)

// newSiteHandler is the handler `mailcheck serve` runs: the built page in
// dir with its content types, gzip copies and security headers.
func newSiteHandler(dir string) http.Handler {
	return server.New(dir, server.Options{})
}

// serve serves the browser page built by `go run ./wasm/build`:
//
//	mailcheck serve [--addr 127.0.0.1:8080] [--dir site]
//
// It listens on the loopback interface by default: the page needs no
// server-side work, so exposing it wider is the user's explicit choice.
func (c *cli) serve(args []string) int {
	return c.serveUntil(context.Background(), args, nil)
}

// serveUntil is serve with a context that stops the server and a callback
// told the listening address, so tests can run it.
func (c *cli) serveUntil(ctx context.Context, args []string, listening func(addr string)) int {
	fs := flag.NewFlagSet("mailcheck serve", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address` (host:port)")
	dir := fs.String("dir", "site", "the built site `folder` (go run ./wasm/build writes site/)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		c.errorf("serve takes no arguments, got %q (mailcheck serve [--addr host:port] [--dir site])", fs.Args())
		return exitUsage
	}
	if err := server.CheckSite(*dir); err != nil {
		c.errorf("%v", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		c.errorf("cannot listen on %s: %v", *addr, err)
		return exitUsage
	}
	srv := &http.Server{
		Handler:           newSiteHandler(*dir),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(c.stdout, "serving %s on %s (Ctrl-C stops)\n", *dir, url)
	if listening != nil {
		listening(ln.Addr().String())
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		c.errorf("serving: %v", err)
		return exitInput
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return exitOK
}
