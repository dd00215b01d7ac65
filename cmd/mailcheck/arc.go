package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/arc"
	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// arcCommand seals messages and validates ARC chains (RFC 8617):
//
//	mailcheck arc seal --key FILE --domain D --selector S --authserv-id ID [--headers a:b:c] [--at TIME] [--cv none|pass|fail] [--dns ZONE | --resolver host:port] FILE
//	mailcheck arc verify [--dns ZONE | --resolver host:port] [--at TIME] [--format json] FILE
//
// seal writes the message with a new ARC set to standard output and never
// touches FILE; when the chain already failed (cv=fail) or has 50 sets, it
// writes the message unchanged, says why on standard error and exits 1.
// verify exits 0 for a passing chain, 1 otherwise, 3 when DNS failed.
func (c *cli) arcCommand(args []string) int {
	return c.subcommand("arc", args, []namedCommand{{"seal", c.arcSeal}, {"verify", c.arcVerify}})
}

func (c *cli) arcSeal(args []string) int {
	fs := flag.NewFlagSet("mailcheck arc seal", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	keyFile := fs.String("key", "", "private key `file` (PEM PKCS#1/PKCS#8, RSA or Ed25519, or a base64 Ed25519 seed)")
	domain := fs.String("domain", "", "sealing `domain` (d= of the AMS and the seal)")
	selector := fs.String("selector", "", "`selector` (s=)")
	authserv := fs.String("authserv-id", "", "this sealer's authserv-`id`: its Authentication-Results are copied into the new ARC-Authentication-Results")
	headers := fs.String("headers", "", "colon-separated header `fields` the AMS signs (h=); default: the usual set that is present")
	at := fs.String("at", "", "signing `time` for t= (default now)")
	cv := fs.String("cv", "", "chain validation `status` to record (none, pass or fail); default: validate the incoming chain")
	var dns dnsFlags
	dns.register(fs)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *keyFile == "" || *domain == "" || *selector == "" || *authserv == "" || len(files) != 1 {
		c.errorf("arc seal: give --key, --domain, --selector, --authserv-id and one message file")
		return exitUsage
	}
	opts := arc.SealOptions{Domain: *domain, Selector: *selector, AuthServID: *authserv}
	switch *cv {
	case "", "none", "pass", "fail":
		opts.ChainValidation = authres.Status(*cv)
	default:
		c.errorf("arc seal: --cv %q: use none, pass or fail", *cv)
		return exitUsage
	}
	if *headers != "" {
		opts.Headers = strings.Split(*headers, ":")
	}
	if *at != "" {
		t, err := parseTime(*at)
		if err != nil {
			c.errorf("%v", err)
			return exitUsage
		}
		opts.At = t
		opts.Validation = &arc.Options{At: t}
	}
	keyData, err := os.ReadFile(*keyFile)
	if err != nil {
		c.errorf("--key %s: %s", *keyFile, describeOpenError(err))
		return exitUsage
	}
	if opts.Key, err = dkim.LoadPrivateKey(keyData); err != nil {
		c.errorf("--key %s: %v", *keyFile, err)
		return exitUsage
	}
	setup, err := dns.open()
	if err != nil {
		c.errorf("arc seal: %v", err)
		return exitUsage
	}
	opts.Resolver = setup.resolver
	msg, err := c.readInput(files[0], maxSignBytes)
	if err != nil {
		c.errorf("%v", err)
		return exitInput
	}
	var out bytes.Buffer
	err = arc.Seal(context.Background(), &out, bytes.NewReader(msg), opts)
	if ferr := setup.finish(); ferr != nil {
		c.errorf("%v", ferr)
	}
	switch {
	case err == nil:
	case errors.Is(err, arc.ErrSealOptions):
		c.errorf("arc seal: %v", err)
		return exitUsage
	case errors.Is(err, arc.ErrChainFailed), errors.Is(err, arc.ErrTooManySets):
		// RFC 8617 §5.1.2: a failed or full chain is passed on as it is.
		c.errorf("arc seal: %v; the message is written unchanged", err)
		if _, werr := c.stdout.Write(msg); werr != nil {
			c.errorf("writing output: %v", werr)
			return exitInput
		}
		return exitAuthFailed
	default:
		c.errorf("arc seal: %v", err)
		return exitInput
	}
	if _, err := c.stdout.Write(out.Bytes()); err != nil {
		c.errorf("writing output: %v", err)
		return exitInput
	}
	return exitOK
}

// arcReport is the JSON form of arc verify.
type arcReport struct {
	ARC *arc.Result `json:"arc"`
	// Changes says where the body or headers changed on the way, from the
	// DKIM signatures and the AMS.
	Changes []arc.Finding `json:"changes,omitempty"`
}

func (c *cli) arcVerify(args []string) int {
	fs := flag.NewFlagSet("mailcheck arc verify", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	format := fs.String("format", "text", "output `format`: text or json")
	at := fs.String("at", "", "validation `time` (default now)")
	var dns dnsFlags
	dns.register(fs)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(files) != 1 {
		c.errorf("arc verify: give one message file")
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		c.errorf("arc verify: --format %q: use text or json", *format)
		return exitUsage
	}
	var opts arc.Options
	if *at != "" {
		t, err := parseTime(*at)
		if err != nil {
			c.errorf("%v", err)
			return exitUsage
		}
		opts.At = t
	}
	setup, ok := c.requireDNS("arc verify", &dns)
	if !ok {
		return exitUsage
	}
	f, done, err := c.openInput(files[0])
	if err != nil {
		c.errorf("%v", err)
		return exitInput
	}
	defer done()
	m, err := message.Read(bufio.NewReaderSize(f, 64<<10), message.Limits{})
	if err != nil {
		c.errorf("%s: %s", files[0], describeInputError(err))
		return exitInput
	}
	// One body hasher serves the ARC and the DKIM signatures; the DKIM
	// results let Changes place the original signer before the sealers.
	body := dkim.NewBodyHasher()
	opts.Body = body
	v := arc.NewValidator(m.Header, &opts)
	dv := dkim.NewVerifier(m.Header, &dkim.Options{At: opts.At, Body: body})
	if _, err := io.Copy(body, m.Body); err != nil {
		c.errorf("%s: %v", files[0], err)
		return exitInput
	}
	ctx := context.Background()
	res := v.Validate(ctx, setup.resolver, !m.HeadersOnly)
	changes := arc.Changes(dv.Verify(ctx, setup.resolver, !m.HeadersOnly), res)
	if err := setup.finish(); err != nil {
		c.errorf("%v", err)
	}
	if *format == "json" {
		if code := c.writeJSON(arcReport{ARC: res, Changes: changes}); code != exitOK {
			return code
		}
	} else {
		writeARC(c.stdout, res, changes)
	}
	switch res.Status {
	case authres.StatusPass:
		return exitOK
	case authres.StatusTempError:
		return exitInput
	}
	return exitAuthFailed
}

func writeARC(w io.Writer, res *arc.Result, changes []arc.Finding) {
	fmt.Fprintf(w, "ARC: %s\n  %s\n", res.Status, res.Reason)
	if res.BrokenAt > 0 {
		fmt.Fprintf(w, "  broken at i=%d\n", res.BrokenAt)
	}
	if res.OldestPass > 1 {
		fmt.Fprintf(w, "  oldest-pass: i=%d (older message signatures no longer verify)\n", res.OldestPass)
	}
	for _, s := range res.Sets {
		fmt.Fprintf(w, "i=%d  sealer %s (s=%s)  cv=%s\n", s.Instance, orDefault(s.Sealer, "?"), orDefault(s.Selector, "?"), orDefault(s.CV, "?"))
		fmt.Fprintf(w, "    seal: %s: %s\n", s.SealResult, s.SealReason)
		fmt.Fprintf(w, "    AMS:  %s (d=%s): %s\n", s.AMSResult, orDefault(s.AMSDomain, "?"), s.AMSReason)
		if s.AAR != nil {
			var seen []string
			for _, m := range s.AAR.Results {
				seen = append(seen, m.Method+"="+string(m.Status))
			}
			fmt.Fprintf(w, "    AAR:  %s saw %s\n", orDefault(s.AAR.AuthServID, "?"), orDefault(strings.Join(seen, " "), "none"))
		}
	}
	for _, f := range append(res.Findings, changes...) {
		fmt.Fprintf(w, "[%s] %s: %s\n", f.Severity, f.Code, f.Message)
	}
}
