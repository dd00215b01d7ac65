package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/analyzer"
	"github.com/mailcheck/mailcheck/analyzer/authres"
	"github.com/mailcheck/mailcheck/analyzer/mailbox"
	"github.com/mailcheck/mailcheck/analyzer/message"
)

// analyzeConfig holds the flags of the default command.
type analyzeConfig struct {
	format   string
	color    string
	at       string
	ip       string
	helo     string
	mailFrom string
	authserv string
	dmarc    string
	jobs     int
	dnsTime  time.Duration
	maxMsg   int64
	dns      dnsFlags
}

func analyzeFlags(out io.Writer) (*flag.FlagSet, *analyzeConfig) {
	cfg := &analyzeConfig{}
	fs := flag.NewFlagSet("mailcheck", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.format, "format", "text", "output `format`: text, json, jsonl (one JSON object a line), or authres (one Authentication-Results field with our verdicts)")
	fs.DurationVar(&cfg.dnsTime, "dns-time", analyzer.DefaultDNSTime, "DNS time budget per message; answers that do not come in time are temperror")
	fs.Int64Var(&cfg.maxMsg, "max-message-bytes", mailbox.DefaultMaxMessageBytes, "largest message read from an mbox, Maildir or directory; larger ones are error entries")
	fs.IntVar(&cfg.jobs, "jobs", runtime.NumCPU(), "analyse this many messages in parallel (mbox, Maildir, directories, several files)")
	fs.StringVar(&cfg.color, "color", "auto", "colour text output: auto (on a terminal, unless NO_COLOR is set), always, never")
	fs.StringVar(&cfg.at, "at", "", "evaluation `time` (RFC 3339, RFC 5322 or YYYY-MM-DD; default now), or \"received\" for the time the message was received: signatures are judged as of then")
	fs.StringVar(&cfg.ip, "ip", "", "SMTP client `IP` (default: inferred from the first-external Received hop)")
	fs.StringVar(&cfg.helo, "helo", "", "HELO/EHLO `name` (default: inferred from the first-external Received hop)")
	fs.StringVar(&cfg.mailFrom, "mail-from", "", "MAIL FROM `address`, \"<>\" for the null reverse-path (default: from Return-Path)")
	fs.StringVar(&cfg.authserv, "authserv-id", "", "compare with the Authentication-Results of this authserv-`id` (default: the topmost), and use it in ours (default: this host's name)")
	fs.StringVar(&cfg.dmarc, "dmarc-mode", "rfc9989", "DMARC policy discovery: rfc9989 (DNS tree walk) or rfc7489 (public suffix list)")
	cfg.dns.register(fs)
	return fs, cfg
}

// parseInterleaved parses flags that may stand before, between or after the
// positional arguments; everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return append(pos, tail...), nil
}

func (c *cli) analyze(args []string) int {
	fset, cfg := analyzeFlags(c.stderr)
	files, err := parseInterleaved(fset, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(files) == 0 {
		c.errorf("no input: give a message file, or - to read standard input (mailcheck help)")
		return exitUsage
	}
	opts, err := cfg.options()
	if err != nil {
		c.errorf("%v", err)
		return exitUsage
	}
	switch cfg.format {
	case "text", "json", "jsonl", "authres":
	default:
		c.errorf("unknown --format %q: use text, json, jsonl or authres", cfg.format)
		return exitUsage
	}
	if cfg.jobs < 1 {
		c.errorf("--jobs must be at least 1")
		return exitUsage
	}
	res, err := cfg.dns.open()
	if err != nil {
		c.errorf("%v", err)
		return exitUsage
	}
	opts.Resolver, opts.DNSMode = res.resolver, res.mode

	color := wantColor(cfg.color, c.stdout)
	if c.isBatch(files) || cfg.format == "jsonl" {
		code := c.runBatch(files, opts, cfg.format, color, cfg.jobs, mailbox.Options{Stdin: c.stdin, MaxMessageBytes: cfg.maxMsg})
		if err := res.finish(); err != nil {
			c.errorf("%v", err)
			return exitInput
		}
		return code
	}
	code := exitOK
	var reports []*analyzer.Report
	for i, name := range files {
		rep, err := c.analyzeOne(name, opts)
		if err != nil {
			c.errorf("%s", err)
			code = exitInput
			continue
		}
		if rep.DMARC != nil && rep.DMARC.Status == authres.StatusFail && code == exitOK {
			code = exitAuthFailed
		}
		switch cfg.format {
		case "json":
			reports = append(reports, rep)
		case "authres":
			fmt.Fprintf(c.stdout, "%s: %s\r\n", authres.FieldName, rep.AuthenticationResults)
		default:
			if i > 0 {
				fmt.Fprintln(c.stdout)
			}
			if err := analyzer.WriteText(c.stdout, rep, analyzer.TextOptions{Color: color}); err != nil {
				c.errorf("writing output: %v", err)
				return exitInput
			}
		}
	}
	if cfg.format == "json" && len(reports) > 0 {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		var v any = reports
		if len(files) == 1 {
			v = reports[0]
		}
		if err := enc.Encode(v); err != nil {
			c.errorf("writing output: %v", err)
			return exitInput
		}
	}
	if err := res.finish(); err != nil {
		c.errorf("%v", err)
		return exitInput
	}
	return code
}

// isBatch reports whether the inputs are more than one message: several
// inputs, a directory, or an mbox (a file, or standard input, that starts
// with a "From " line). Standard input is peeked, not consumed.
func (c *cli) isBatch(files []string) bool {
	if len(files) != 1 {
		return true
	}
	var head []byte
	if files[0] == "-" {
		br := bufio.NewReader(c.stdin)
		c.stdin = br
		head, _ = br.Peek(5)
	} else {
		st, err := os.Stat(files[0])
		if err != nil {
			return false
		}
		if st.IsDir() {
			return true
		}
		f, err := os.Open(files[0])
		if err != nil {
			return false
		}
		head = make([]byte, 5)
		n, _ := io.ReadFull(f, head)
		head = head[:n]
		f.Close()
	}
	return string(head) == "From "
}

// analyzeOne analyses one named input; the error names the input and says
// in one line why it could not be analysed.
func (c *cli) analyzeOne(name string, opts analyzer.Options) (*analyzer.Report, error) {
	var r io.Reader = c.stdin
	opts.Source = name
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", name, describeOpenError(err))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s: is a directory", name)
		}
		r = f
	} else {
		opts.Source = "stdin"
	}
	rep, err := analyzer.Analyze(context.Background(), r, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, describeInputError(err))
	}
	return rep, nil
}

func describeOpenError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func describeInputError(err error) string {
	var le *message.LimitError
	switch {
	case errors.Is(err, message.ErrEmpty):
		return "empty input: not a message"
	case errors.As(err, &le):
		return fmt.Sprintf("not analysed: the %s limit (%d) was exceeded", le.Limit, le.Max)
	case errors.Is(err, message.ErrNotMessage):
		return strings.TrimPrefix(strings.TrimPrefix(err.Error(), analyzer.ErrInput.Error()+": "), "message: ")
	}
	return err.Error()
}

func (cfg *analyzeConfig) options() (analyzer.Options, error) {
	var opts analyzer.Options
	if cfg.at == "received" {
		opts.AtReceipt = true
	} else if cfg.at != "" {
		t, err := parseTime(cfg.at)
		if err != nil {
			return opts, err
		}
		opts.At = t
	}
	if cfg.ip != "" {
		ip, err := netip.ParseAddr(cfg.ip)
		if err != nil {
			return opts, fmt.Errorf("--ip %q is not an IP address", cfg.ip)
		}
		opts.ClientIP = ip.Unmap()
	}
	opts.HELO = cfg.helo
	opts.MailFrom = cfg.mailFrom
	opts.AuthServID = cfg.authserv
	opts.Limits.DNSTime = cfg.dnsTime
	if host, err := os.Hostname(); err == nil {
		opts.ReporterID = host
	}
	mode, err := parseDMARCMode(cfg.dmarc)
	if err != nil {
		return opts, err
	}
	opts.DMARCMode = mode
	return opts, nil
}

// parseTime accepts the forms people paste: RFC 3339, an RFC 5322 date as
// in a Date or Received field, or a plain day.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if t, err := mailDate(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--at %q: not a time (use RFC 3339 like 2026-11-30T09:14:00Z, or a mail date)", s)
}

func wantColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
