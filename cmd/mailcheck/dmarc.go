package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/mailcheck/mailcheck/analyzer/dmarc"
)

// dmarcCommand shows the DMARC policy that applies to a domain and how it
// was discovered:
//
//	mailcheck dmarc [--mode rfc9989|rfc7489] [--dns ZONE | --resolver host:port] [--format json] DOMAIN
//
// Exit 0 when a policy was found, 1 when none applies, 2 for a usage error,
// 3 when DNS failed.
func (c *cli) dmarcCommand(args []string) int {
	fs := flag.NewFlagSet("mailcheck dmarc", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	format := fs.String("format", "text", "output `format`: text or json")
	mode := fs.String("mode", string(dmarc.ModeRFC9989), "policy discovery: rfc9989 (DNS tree walk) or rfc7489 (public suffix list)")
	var dns dnsFlags
	dns.register(fs)
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(rest) != 1 {
		c.errorf("dmarc: give exactly one domain")
		return exitUsage
	}
	m, err := parseDMARCMode(*mode)
	if err != nil {
		c.errorf("%v", err)
		return exitUsage
	}
	setup, ok := c.requireDNS("dmarc", &dns)
	if !ok {
		return exitUsage
	}
	pol, lerr := dmarc.Lookup(context.Background(), setup.resolver, rest[0], &dmarc.Options{Mode: m})
	if err := setup.finish(); err != nil {
		c.errorf("%v", err)
	}
	if pol == nil {
		c.errorf("dmarc: %v", lerr)
		return exitInput
	}
	if *format == "json" {
		if code := c.writeJSON(pol); code != exitOK {
			return code
		}
	} else {
		writePolicy(c.stdout, pol, lerr)
	}
	switch {
	case errors.Is(lerr, dmarc.ErrDNS):
		return exitInput
	case !pol.Found:
		return exitAuthFailed
	}
	return exitOK
}

func parseDMARCMode(s string) (dmarc.Mode, error) {
	switch dmarc.Mode(s) {
	case dmarc.ModeRFC9989, dmarc.ModeRFC7489:
		return dmarc.Mode(s), nil
	}
	return "", fmt.Errorf("unknown DMARC mode %q: use rfc9989 or rfc7489", s)
}

func writePolicy(w io.Writer, p *dmarc.Policy, err error) {
	fmt.Fprintf(w, "DMARC policy for %s (%s)\n", p.Domain, p.Mode)
	if p.Found && p.Record != nil {
		fmt.Fprintf(w, "  record at _dmarc.%s: %s\n", p.RecordDomain, p.Record.Raw)
		r := p.Record
		sp, np := r.SubdomainPolicy, r.NonexistentPolicy
		fmt.Fprintf(w, "  p=%s sp=%s np=%s adkim=%s aspf=%s pct=%d", r.Policy, orDefault(string(sp), "(as p)"), orDefault(string(np), "(as sp)"), r.ADKIM, r.ASPF, r.Percent)
		if r.Testing {
			fmt.Fprintf(w, " t=y (testing)")
		}
		fmt.Fprintln(w)
		if p.Fallback {
			fmt.Fprintf(w, "  found at the organisational domain %s, not at %s itself\n", p.OrgDomain, p.Domain)
		}
		for _, u := range r.RUA {
			fmt.Fprintf(w, "  aggregate reports to %s\n", u.URI)
		}
		for _, u := range r.RUF {
			fmt.Fprintf(w, "  failure reports to %s\n", u.URI)
		}
		for _, pr := range r.Problems {
			fmt.Fprintf(w, "  problem: %s\n", pr)
		}
	} else {
		fmt.Fprintf(w, "  no policy applies")
		if err != nil {
			fmt.Fprintf(w, ": %v", err)
		}
		fmt.Fprintln(w)
	}
	if p.OrgDomain != "" {
		fmt.Fprintf(w, "  organisational domain: %s\n", p.OrgDomain)
	}
	fmt.Fprintf(w, "discovery:\n")
	for _, s := range p.Steps {
		fmt.Fprintf(w, "  %-10s %-40s %s", s.Purpose, s.Query, s.Outcome)
		if s.Detail != "" {
			fmt.Fprintf(w, " (%s)", s.Detail)
		}
		fmt.Fprintln(w)
	}
	for _, pr := range p.Problems {
		fmt.Fprintf(w, "problem: %s\n", pr)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
