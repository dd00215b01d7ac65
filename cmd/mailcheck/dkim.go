package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/dkim"
)

// dkimCommand signs messages, makes keys and verifies signatures:
//
//	mailcheck dkim sign --key FILE --domain D --selector S [--headers From:To:Subject] [--canon relaxed/relaxed] [--expire 720h] FILE
//	mailcheck dkim keygen [--type ed25519|rsa2048] [--selector S --domain D] [--out FILE]
//	mailcheck dkim verify [--dns ZONE | --resolver host:port] [--at TIME] [--format json] FILE
func (c *cli) dkimCommand(args []string) int {
	return c.subcommand("dkim", args, []namedCommand{{"sign", c.dkimSign}, {"keygen", c.dkimKeygen}, {"verify", c.dkimVerify}})
}

// readInput reads a whole named input ("-" for stdin) for the commands that
// rewrite a message; the original file is never written to.
func (c *cli) readInput(name string, limit int64) ([]byte, error) {
	r, done, err := c.openInput(name)
	if err != nil {
		return nil, err
	}
	defer done()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: empty input: not a message", name)
	}
	return data, nil
}

// maxSignBytes bounds what sign and seal read: the signer needs the whole
// message in memory.
const maxSignBytes = 256 << 20

func (c *cli) dkimSign(args []string) int {
	fs := flag.NewFlagSet("mailcheck dkim sign", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	keyFile := fs.String("key", "", "private key `file` (PEM PKCS#1/PKCS#8, RSA or Ed25519, or a base64 Ed25519 seed)")
	domain := fs.String("domain", "", "signing `domain` (d=)")
	selector := fs.String("selector", "", "`selector` (s=)")
	identity := fs.String("identity", "", "agent or user `identifier` (i=), optional")
	headers := fs.String("headers", "", "colon-separated header `fields` to sign (h=); default: the recommended set, oversigned")
	canon := fs.String("canon", "relaxed/relaxed", "`header/body` canonicalization: simple or relaxed each")
	expire := fs.Duration("expire", 0, "signature lifetime (x= = now + `duration`); 0 for none")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *keyFile == "" || *domain == "" || *selector == "" || len(files) != 1 {
		c.errorf("dkim sign: give --key, --domain, --selector and one message file")
		return exitUsage
	}
	hc, bc, ok := strings.Cut(*canon, "/")
	if !ok {
		bc = "simple" // RFC 6376 §3.5: a missing body canonicalization is simple
	}
	keyData, err := os.ReadFile(*keyFile)
	if err != nil {
		c.errorf("--key %s: %s", *keyFile, describeOpenError(err))
		return exitUsage
	}
	key, err := dkim.LoadPrivateKey(keyData)
	if err != nil {
		c.errorf("--key %s: %v", *keyFile, err)
		return exitUsage
	}
	msg, err := c.readInput(files[0], maxSignBytes)
	if err != nil {
		c.errorf("%v", err)
		return exitInput
	}
	opts := dkim.SignOptions{Domain: *domain, Selector: *selector, Identity: *identity, Key: key, HeaderCanon: hc, BodyCanon: bc}
	if *headers != "" {
		opts.Headers = strings.Split(*headers, ":")
	}
	if *expire > 0 {
		opts.Expiration = time.Now().Add(*expire)
	}
	var out bytes.Buffer
	if err := dkim.Sign(&out, bytes.NewReader(msg), opts); err != nil {
		c.errorf("dkim sign: %v", err)
		return exitInput
	}
	if _, err := c.stdout.Write(out.Bytes()); err != nil {
		c.errorf("writing output: %v", err)
		return exitInput
	}
	return exitOK
}

func (c *cli) dkimKeygen(args []string) int {
	fs := flag.NewFlagSet("mailcheck dkim keygen", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	kind := fs.String("type", "ed25519", "key `type`: ed25519 or rsa2048")
	out := fs.String("out", "", "write the private key to this `file` (mode 0600) instead of standard output")
	selector := fs.String("selector", "selector", "`selector` for the printed DNS record name")
	domain := fs.String("domain", "example.com", "`domain` for the printed DNS record name")
	if _, err := parseInterleaved(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	priv, txt, err := dkim.GenerateKey(*kind)
	if err != nil {
		c.errorf("dkim keygen: %v", err)
		return exitUsage
	}
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			c.errorf("--out %s: %v (an existing key is never overwritten)", *out, err)
			return exitInput
		}
		if _, err := f.Write(priv); err != nil {
			f.Close()
			c.errorf("--out %s: %v", *out, err)
			return exitInput
		}
		if err := f.Close(); err != nil {
			c.errorf("--out %s: %v", *out, err)
			return exitInput
		}
	} else {
		c.stdout.Write(priv)
	}
	fmt.Fprintf(c.stdout, "%s.\t3600\tIN\tTXT\t%s\n", dkim.KeyName(*selector, *domain), zoneTXT(txt))
	return exitOK
}

// zoneTXT renders a TXT value in master-file syntax: character-strings of
// at most 255 bytes (RFC 1035 §3.3), which verifiers join again.
func zoneTXT(s string) string {
	var parts []string
	for len(s) > 255 {
		parts = append(parts, strconv.Quote(s[:255]))
		s = s[255:]
	}
	return strings.Join(append(parts, strconv.Quote(s)), " ")
}

func (c *cli) dkimVerify(args []string) int {
	fs := flag.NewFlagSet("mailcheck dkim verify", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	format := fs.String("format", "text", "output `format`: text or json")
	at := fs.String("at", "", "judge t=/x= as of this `time`")
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
		c.errorf("dkim verify: give one message file")
		return exitUsage
	}
	var opts dkim.Options
	if *at != "" {
		t, err := parseTime(*at)
		if err != nil {
			c.errorf("%v", err)
			return exitUsage
		}
		opts.At = t
	}
	setup, ok := c.requireDNS("dkim verify", &dns)
	if !ok {
		return exitUsage
	}
	f, done, err := c.openInput(files[0])
	if err != nil {
		c.errorf("%v", err)
		return exitInput
	}
	defer done()
	results, err := dkim.VerifyMessage(context.Background(), setup.resolver, f, &opts)
	if err != nil {
		c.errorf("%s: %s", files[0], describeInputError(err))
		return exitInput
	}
	if err := setup.finish(); err != nil {
		c.errorf("%v", err)
	}
	if *format == "json" {
		if results == nil {
			results = []dkim.Result{}
		}
		if code := c.writeJSON(results); code != exitOK {
			return code
		}
	} else {
		if len(results) == 0 {
			fmt.Fprintln(c.stdout, "no DKIM-Signature")
		}
		for _, r := range results {
			fmt.Fprintf(c.stdout, "%s  d=%s s=%s a=%s (step %s)\n  %s\n", r.Status, r.Domain, r.Selector, r.Algorithm, r.Step, r.Reason)
			for _, fd := range r.Findings {
				fmt.Fprintf(c.stdout, "  [%s] %s\n", fd.Severity, fd.Message)
			}
		}
	}
	for _, r := range results {
		if r.Status != authres.StatusPass {
			return exitAuthFailed
		}
	}
	if len(results) == 0 {
		return exitAuthFailed
	}
	return exitOK
}
