// Command mailcheck explains a message's route and authentication: SPF,
// DKIM, DMARC, ARC and BIMI verdicts with their reasons, every Received hop
// with its delay and TLS, and every SMTP reply code it carries.
//
//	mailcheck [flags] FILE...          analyse messages ("-" reads stdin)
//	mailcheck help                     list flags and subcommands
//
// Exit codes are documented in exitcodes.go and the README.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// An analysis allocates about 60 KB and keeps little of it, so
		// with the default GOGC=100 the collector runs every few
		// messages and, in batch mode, holds the workers back. A
		// larger target costs a few tens of MB of memory at most and
		// nearly doubles the throughput with two workers (see the
		// README's performance section). GOGC in the environment wins.
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// gcPercent is the collector's target when GOGC is not set.
const gcPercent = 400

// cli carries the process's streams, so tests run commands in-process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errorf prints one clear line on stderr.
func (c *cli) errorf(format string, args ...any) {
	fmt.Fprintf(c.stderr, "mailcheck: "+format+"\n", args...)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			c.usage(stdout)
			return exitOK
		case "code":
			return c.code(args[1:])
		case "spf":
			return c.spfCommand(args[1:])
		case "dmarc":
			return c.dmarcCommand(args[1:])
		case "dkim":
			return c.dkimCommand(args[1:])
		case "arc":
			return c.arcCommand(args[1:])
		case "serve":
			return c.serve(args[1:])
		case "version", "--version":
			fmt.Fprintln(stdout, "mailcheck", version())
			return exitOK
		}
	}
	return c.analyze(args)
}

// namedCommand is one subcommand of a command group such as "dkim".
type namedCommand struct {
	name string
	run  func(args []string) int
}

// subcommand runs the subcommand args[0] of group, or says which exist.
func (c *cli) subcommand(group string, args []string, cmds []namedCommand) int {
	names := make([]string, len(cmds))
	for i, cmd := range cmds {
		if len(args) > 0 && args[0] == cmd.name {
			return cmd.run(args[1:])
		}
		names[i] = cmd.name
	}
	if len(args) == 0 {
		c.errorf("%s: give a subcommand: %s", group, strings.Join(names, ", "))
	} else {
		c.errorf("%s: unknown subcommand %q: use %s", group, args[0], strings.Join(names, ", "))
	}
	return exitUsage
}

func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `mailcheck explains why a message passed or failed authentication, how it
travelled, and what every SMTP code in it means.

Usage:
  mailcheck [flags] FILE...        analyse messages; "-" reads standard input
  mailcheck spf --ip IP --helo NAME --mail-from ADDR
                                   evaluate SPF for one envelope, with its lookup tree
  mailcheck dmarc DOMAIN           show the DMARC policy of a domain and its discovery
  mailcheck dkim sign --key FILE --domain D --selector S FILE
                                   sign a message (written to standard output)
  mailcheck dkim keygen [--type ed25519|rsa2048]
                                   make a key pair and print its DNS record
  mailcheck dkim verify FILE       verify the DKIM signatures of a message
  mailcheck arc seal --key FILE --domain D --selector S --authserv-id ID FILE
                                   add an ARC set to a message (written to standard output)
  mailcheck arc verify FILE        validate the ARC chain of a message, set by set
  mailcheck code CODE|TEXT         explain an SMTP reply code or enhanced status code
  mailcheck code --transcript F    annotate every code in an SMTP transcript or log
  mailcheck serve [--addr 127.0.0.1:8080]
                                   serve the browser page (build it first: go run ./wasm/build)
  mailcheck help                   this text
  mailcheck version                print the version

Flags (before or after the files):
`)
	fs, _ := analyzeFlags(io.Discard)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, `
Exit codes:
  0  every message was analysed
  1  analysed, and DMARC failed for at least one message (mailcheck spf: the result is not pass)
  2  usage error
  3  at least one input could not be analysed (missing, empty, not a message, over a limit)
`)
}
