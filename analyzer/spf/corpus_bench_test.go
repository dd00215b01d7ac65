package spf_test

import (
	"bytes"
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/analyzer"
	"github.com/mailcheck/mailcheck/analyzer/iprev"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/analyzer/spf"
	"github.com/mailcheck/mailcheck/testdata/gen/corpus"
)

// connInput is what the analysis passes to the connection checks of one
// message.
type connInput struct {
	args     spf.Args
	mailFrom bool // MAIL FROM known: spf.Check runs
	ip       netip.Addr
}

type connCorpus struct {
	cache  *resolve.Cache
	inputs []connInput
}

// corpusConn analyses a generated corpus once to get each message's
// envelope as the analysis infers it, and keeps the warm cache.
var corpusConn = sync.OnceValues(func() (*connCorpus, error) {
	z, err := corpus.Zone()
	if err != nil {
		return nil, err
	}
	cc := &connCorpus{cache: resolve.NewCache(z, resolve.CacheOptions{})}
	opts := analyzer.Options{Resolver: cc.cache, At: corpus.At()}
	err = corpus.Walk(corpus.Options{N: 200, Seed: 1}, func(m *corpus.Message) error {
		rep, err := analyzer.Analyze(context.Background(), bytes.NewReader(m.Raw), opts)
		if err != nil {
			return err
		}
		env := rep.Envelope
		if env.ClientIP == nil {
			return nil
		}
		ip, err := netip.ParseAddr(env.ClientIP.Value)
		if err != nil {
			return nil
		}
		in := connInput{args: spf.Args{IP: ip, ReceiverHost: env.Receiver}, ip: ip}
		if env.HELO != nil {
			in.args.HELO = env.HELO.Value
		}
		if env.MailFrom != nil {
			in.args.MailFrom, in.mailFrom = env.MailFrom.Value, true
		}
		cc.inputs = append(cc.inputs, in)
		return nil
	})
	return cc, err
})

// BenchmarkCorpusConnection times the connection checks of the analysis
// (SPF for MAIL FROM and for HELO, iprev) on the envelopes Analyze infers
// for a generated corpus, each message through a Recorder of its own over
// a warm Cache, as in Analyze. "goroutine" runs them on a fresh goroutine,
// as Analyze does; "mailfrom", "helo" and "iprev" time one check each.
func BenchmarkCorpusConnection(b *testing.B) {
	cc, err := corpusConn()
	if err != nil {
		b.Fatal(err)
	}
	at := corpus.At()
	opts := &spf.Options{Now: func() time.Time { return at }}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	all := func(r resolve.Resolver, in *connInput) {
		if in.mailFrom {
			spf.Check(ctx, r, in.args, opts)
		}
		if in.args.HELO != "" {
			spf.CheckHELO(ctx, r, in.args, opts)
		}
		iprev.Check(ctx, r, in.ip, nil)
	}
	run := map[string]func(r resolve.Resolver, in *connInput){
		"all": all,
		// Analyze runs the checks on a goroutine of their own, whose
		// small stack grows as they go.
		"goroutine": func(r resolve.Resolver, in *connInput) {
			var wg sync.WaitGroup
			wg.Go(func() { all(r, in) })
			wg.Wait()
		},
		"mailfrom": func(r resolve.Resolver, in *connInput) {
			if in.mailFrom {
				spf.Check(ctx, r, in.args, opts)
			}
		},
		"helo": func(r resolve.Resolver, in *connInput) {
			if in.args.HELO != "" {
				spf.CheckHELO(ctx, r, in.args, opts)
			}
		},
		"iprev": func(r resolve.Resolver, in *connInput) { iprev.Check(ctx, r, in.ip, nil) },
	}
	for _, name := range []string{"all", "goroutine", "mailfrom", "helo", "iprev"} {
		fn := run[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				in := &cc.inputs[i%len(cc.inputs)]
				fn(resolve.NewRecorder(cc.cache), in)
			}
		})
	}
}
