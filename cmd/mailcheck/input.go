package main

import (
	"fmt"
	"io"
	"os"
)

// openInput opens a named input, "-" for standard input. The error says
// in one line why it cannot be read; done is never nil.
func (c *cli) openInput(name string) (r io.Reader, done func(), err error) {
	if name == "-" {
		return c.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, func() {}, fmt.Errorf("%s: %s", name, describeOpenError(err))
	}
	return f, func() { f.Close() }, nil
}

// requireDNS opens the DNS flags of a subcommand that cannot work offline;
// on failure it has said why and the subcommand exits with exitUsage.
func (c *cli) requireDNS(cmd string, d *dnsFlags) (*dnsSetup, bool) {
	setup, err := d.open()
	if err != nil {
		c.errorf("%s: %v", cmd, err)
		return nil, false
	}
	if setup.resolver == nil {
		c.errorf("%s: needs DNS (--dns ZONE, --resolver or --doh); --offline cannot be used here", cmd)
		return nil, false
	}
	return setup, true
}
