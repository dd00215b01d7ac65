package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/spf"
)

// spfCommand evaluates SPF for one envelope:
//
//	mailcheck spf --ip IP --helo NAME --mail-from ADDR [--dns ZONE | --resolver host:port] [--format json]
//
// Exit 0 for pass, 1 for any other result, 2 for a usage error.
func (c *cli) spfCommand(args []string) int {
	fs := flag.NewFlagSet("mailcheck spf", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	ipFlag := fs.String("ip", "", "SMTP client `IP` (required)")
	helo := fs.String("helo", "", "HELO/EHLO `name`")
	mailFrom := fs.String("mail-from", "", "MAIL FROM `address`; \"<>\" or empty for the null reverse-path (then postmaster@HELO is checked)")
	format := fs.String("format", "text", "output `format`: text or json")
	receiver := fs.String("receiver", "", "receiving host `name` for %{r} in explanations")
	var dns dnsFlags
	dns.register(fs)
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(rest) > 0 {
		c.errorf("spf: unexpected argument %q (use --ip, --helo, --mail-from)", rest[0])
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		c.errorf("unknown --format %q: use text or json", *format)
		return exitUsage
	}
	if *ipFlag == "" {
		c.errorf("spf: --ip is required")
		return exitUsage
	}
	ip, err := netip.ParseAddr(*ipFlag)
	if err != nil {
		c.errorf("spf: --ip %q is not an IPv4 or IPv6 address", *ipFlag)
		return exitUsage
	}
	from := *mailFrom
	if from == "<>" {
		from = ""
	}
	if from == "" && strings.TrimSpace(*helo) == "" {
		c.errorf("spf: give --mail-from, or --helo for a null reverse-path")
		return exitUsage
	}
	setup, ok := c.requireDNS("spf", &dns)
	if !ok {
		return exitUsage
	}
	res := spf.Check(context.Background(), setup.resolver, spf.Args{IP: ip.Unmap(), HELO: *helo, MailFrom: from, ReceiverHost: *receiver}, nil)
	if err := setup.finish(); err != nil {
		c.errorf("%v", err)
	}
	if *format == "json" {
		if code := c.writeJSON(res); code != exitOK {
			return code
		}
	} else {
		writeSPF(c.stdout, res)
	}
	if res.Status != authres.StatusPass {
		return exitAuthFailed
	}
	return exitOK
}

func writeSPF(w io.Writer, r *spf.Result) {
	fmt.Fprintf(w, "%s\n", r.Status)
	fmt.Fprintf(w, "  reason: %s\n", r.Reason)
	fmt.Fprintf(w, "  checked: %s for %s (identity %s) from %s\n", r.Domain, r.Sender, r.Identity, r.IP)
	if r.Record != "" {
		fmt.Fprintf(w, "  record: %s\n", r.Record)
	}
	if r.Explanation != "" {
		fmt.Fprintf(w, "  explanation: %s\n", r.Explanation)
	}
	fmt.Fprintf(w, "  DNS lookups: %d of %d, void lookups: %d of 2\n", r.Lookups, r.MaxLookups, r.VoidLookups)
	if r.Trace != nil {
		fmt.Fprintf(w, "trace:\n")
		writeSPFStep(w, r.Trace, 1)
	}
	fmt.Fprintf(w, "Received-SPF: %s\n", r.ReceivedSPF(""))
}

func writeSPFStep(w io.Writer, s *spf.Step, depth int) {
	pad := strings.Repeat("  ", depth)
	label := s.Term
	if label == "" {
		label = s.Code
	}
	mark := "-"
	if s.Matched {
		mark = "+"
	}
	line := fmt.Sprintf("%s%s %s", pad, mark, label)
	if s.Domain != "" && s.Code != "term" {
		line += " (" + s.Domain + ")"
	}
	if s.Result != "" {
		line += " => " + string(s.Result)
	}
	line += fmt.Sprintf("  [depth %d, %d lookups, %d void]", s.Depth, s.Lookups, s.VoidLookups)
	if s.Note != "" {
		line += "  " + s.Note
	}
	fmt.Fprintln(w, line)
	for _, q := range s.Queries {
		out := q.Rcode
		if q.Error != "" {
			out = q.Error
		} else if len(q.Records) > 0 {
			out = strings.Join(q.Records, " | ")
		}
		fmt.Fprintf(w, "%s    %s %s: %s\n", pad, q.Type, q.Name, out)
	}
	for _, c := range s.Children {
		writeSPFStep(w, c, depth+1)
	}
}
