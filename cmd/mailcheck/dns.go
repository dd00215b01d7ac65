package main

import (
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/resolve"
)

// dnsFlags selects where DNS answers come from; every subcommand that
// needs DNS shares them.
type dnsFlags struct {
	zone     string
	resolver string
	doh      string
	offline  bool
	record   string
}

func (d *dnsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.zone, "dns", "", "answer DNS from this zone `file` (offline, reproducible; see the README for failure directives)")
	fs.StringVar(&d.resolver, "resolver", "", "query these DNS servers (`host:port`, comma-separated) instead of /etc/resolv.conf")
	fs.StringVar(&d.doh, "doh", "", "query DNS over HTTPS (RFC 8484) at this `URL`, e.g. https://dns.google/dns-query")
	fs.BoolVar(&d.offline, "offline", false, "no DNS at all: checks that need it are skipped")
	fs.StringVar(&d.record, "record", "", "write every DNS answer used to this zone `file`, for replay with --dns")
}

// dnsSetup is an opened resolver and what to do when the run ends.
type dnsSetup struct {
	resolver resolve.Resolver
	mode     string
	recorder *resolve.Recorder
	record   string
}

func (d *dnsFlags) open() (*dnsSetup, error) {
	set := 0
	for _, on := range []bool{d.zone != "", d.resolver != "", d.doh != "", d.offline} {
		if on {
			set++
		}
	}
	if set > 1 {
		return nil, fmt.Errorf("--dns, --resolver, --doh and --offline exclude each other")
	}
	s := &dnsSetup{record: d.record}
	switch {
	case d.offline:
		s.mode = "offline"
	case d.doh != "":
		u, err := url.Parse(d.doh)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("--doh %q is not an http(s) URL", d.doh)
		}
		s.resolver, s.mode = resolve.NewCache(&resolve.DoH{URL: d.doh}, resolve.CacheOptions{}), "doh:"+d.doh
	case d.zone != "":
		z, err := resolve.LoadZone(d.zone)
		if err != nil {
			return nil, fmt.Errorf("--dns %s: %v", d.zone, err)
		}
		s.resolver, s.mode = z, "zone:"+d.zone
	default:
		sys := &resolve.System{}
		s.mode = "system"
		if d.resolver != "" {
			sys.Servers = strings.Split(d.resolver, ",")
			s.mode = "system:" + d.resolver
		}
		s.resolver = resolve.NewCache(sys, resolve.CacheOptions{})
	}
	if d.record != "" {
		if s.resolver == nil {
			return nil, fmt.Errorf("--record needs DNS: it cannot be used with --offline")
		}
		s.recorder = resolve.NewRecorder(s.resolver)
		s.resolver = s.recorder
	}
	return s, nil
}

// finish writes the recorded zone, if asked for. The file is written whole
// or not at all, never half.
func (s *dnsSetup) finish() error {
	if s.recorder == nil {
		return nil
	}
	tmp := s.record + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("--record: %v", err)
	}
	if err := s.recorder.WriteZone(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("--record: %v", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("--record: %v", err)
	}
	return os.Rename(tmp, s.record)
}

func mailDate(s string) (time.Time, error) { return mail.ParseDate(s) }
