// Command gen writes the benchmark corpus: N realistic messages, the zone
// file that answers their DNS questions and the expected verdicts. Run from
// the repository root:
//
//	go run ./testdata/gen -n 500 -seed 1 -out /tmp/corpus [-mbox FILE] [-maildir DIR] [-small] [-no-arc]
//
// The same flags give byte-identical output; see package corpus.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/mailcheck/mailcheck/testdata/gen/corpus"
)

func main() {
	var o corpus.Options
	flag.IntVar(&o.N, "n", 500, "number of messages")
	flag.Uint64Var(&o.Seed, "seed", 1, "corpus seed")
	flag.StringVar(&o.Dir, "out", "", "output `directory` (required)")
	flag.StringVar(&o.Mbox, "mbox", "", "also write every message into this mbox `file`")
	flag.StringVar(&o.Maildir, "maildir", "", "also write every message into this Maildir `directory`")
	flag.BoolVar(&o.SmallBodies, "small", false, "small bodies only (no attachments)")
	flag.BoolVar(&o.NoARC, "no-arc", false, "leave out the ARC sets that forwarders add")
	flag.Parse()
	if o.Dir == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := corpus.Generate(o); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
