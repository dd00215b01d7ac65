package corpus

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/dkim"
	"github.com/mailcheck/mailcheck/analyzer/resolve"
	"github.com/mailcheck/mailcheck/testdata/gen/keys"
)

// sender is one sending organisation of the corpus: its SPF include chain,
// DMARC policy, DKIM selectors and outbound relays. The table is fixed, so
// every seed shares one zone file.
type sender struct {
	name string // the From domain
	// spfAll is the qualifier of the top record's all term ("-" or "~"):
	// it decides fail against softfail for an unauthorised relay.
	spfAll string
	// spfDepth is the number of records in the include chain, 2 to 4.
	spfDepth int
	// policy is p= of the DMARC record; "" publishes no record.
	policy     string
	aspfStrict bool
	rsaKey     string // selector s2026 (rsa-sha256)
	edKey      string // selector ed2026 (ed25519-sha256); "" for none
	style      string // the sender's MTA: postfix, exchange, google
	v4         netip.Prefix
	v6         netip.Prefix
}

// The third-party signer (an ESP) adds an unaligned second signature.
const (
	espDomain   = "esp-mailer.example"
	espSelector = "esp1"
	espKey      = "rsa3"
	// missingSelector names a key that was never published (or was
	// withdrawn): its signatures are permerror (RFC 6376 §6.1.2).
	missingSelector = "old2019"
)

// senders returns the fixed table of sending organisations.
func senders() []sender {
	senderNames := []string{"acme", "globex", "initech", "umbrella", "hooli", "stark",
		"wayne", "tyrell", "cyberdyne", "wonka", "soylent", "oscorp"}
	policies := []string{"reject", "quarantine", "none", "reject", "", "quarantine"}
	styles := []string{"postfix", "exchange", "google", "postfix"}
	out := make([]sender, len(senderNames))
	for i, n := range senderNames {
		s := sender{
			name:       n + ".example",
			spfAll:     []string{"-", "~"}[i%2],
			spfDepth:   2 + i%3,
			policy:     policies[i%len(policies)],
			aspfStrict: i%5 == 3,
			rsaKey:     []string{"rsa1", "rsa2"}[i%2],
			style:      styles[i%len(styles)],
			v4:         netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(16 * i)}), 28),
			v6:         netip.MustParsePrefix(fmt.Sprintf("2001:db8:%x::/48", i+1)),
		}
		if i%3 != 2 {
			s.edKey = []string{"ed1", "ed2"}[i%2]
		}
		out[i] = s
	}
	return out
}

// bounceDomain is where a sender's envelope (MAIL FROM) lives: a
// subdomain, so strict SPF alignment fails while relaxed passes.
func (s *sender) bounceDomain() string { return "bounce." + s.name }

// outbound returns the sender's relay number k: its name and address.
// Relays 0 and 1 are IPv4, relay 2 IPv6.
func (s *sender) outbound(k int) (string, netip.Addr) {
	name := fmt.Sprintf("out%d.%s", k+1, s.name)
	if k == 2 {
		b := s.v6.Addr().As16()
		b[15] = 0x25
		return name, netip.AddrFrom16(b)
	}
	b := s.v4.Addr().As4()
	b[3] += byte(5 + k)
	return name, netip.AddrFrom4(b)
}

// forwarder is a relay outside every sender's SPF: a mailing list or a
// forwarding service. Mail it relays fails or softfails SPF.
type forwarder struct {
	name string
	ip   netip.Addr
	// sealDomain and sealKey are the d= and committed key of the ARC sets
	// it adds (RFC 8617 §5.1); sealDomain "" for a forwarder that does not
	// seal.
	sealDomain, sealKey string
}

// arcSelector is s= of every forwarder's ARC signatures.
const arcSelector = "arc2026"

func forwarders() []forwarder {
	return []forwarder{
		{"relay1.lists.example", netip.MustParseAddr("203.0.113.10"), "lists.example", "rsa3"},
		{"relay2.lists.example", netip.MustParseAddr("203.0.113.11"), "lists.example", "rsa3"},
		{"fwd.alumni-mail.example", netip.MustParseAddr("203.0.113.77"), "alumni-mail.example", "ed2"},
		{"mx-out.fwd6.example", netip.MustParseAddr("2001:db8:ff::10"), "", ""},
	}
}

// Zone returns the corpus zone (WriteZone's file) parsed, ready to answer
// an analysis in a test or benchmark.
func Zone() (*resolve.Zone, error) {
	var b strings.Builder
	if err := WriteZone(&b); err != nil {
		return nil, err
	}
	return resolve.ParseZone(strings.NewReader(b.String()), "corpus.zone")
}

// WriteZone writes the RFC 1035 master file that answers every DNS
// question the corpus' messages lead to.
func WriteZone(w io.Writer) error {
	var b strings.Builder
	b.WriteString("; Zone of the generated benchmark corpus (testdata/gen). Test data only:\n")
	b.WriteString("; the DKIM keys are public test keys (testdata/gen/keys).\n$TTL 3600\n")
	rr := func(name, typ, data string) { fmt.Fprintf(&b, "%-40s IN %-4s %s\n", name+".", typ, data) }
	ptr := func(ip netip.Addr, host string) {
		rr(strings.TrimSuffix(resolve.ReverseName(ip), "."), "PTR", host+".")
	}
	addr := func(host string, ip netip.Addr) {
		if ip.Is4() {
			rr(host, "A", ip.String())
		} else {
			rr(host, "AAAA", ip.String())
		}
	}
	for _, s := range senders() {
		fmt.Fprintf(&b, "\n; %s: SPF chain of %d records ending %sall, DMARC p=%s\n", s.name, s.spfDepth, s.spfAll, cmpOr(s.policy, "(none)"))
		// The chain: bounce.D → _spf.D → _spf2.D → … ; the last record
		// holds the addresses, the ones before it delegate.
		chain := []string{s.bounceDomain()}
		for k := 1; k < s.spfDepth; k++ {
			chain = append(chain, spfName(s.name, k))
		}
		for k, name := range chain {
			var rec string
			switch {
			case k == len(chain)-1:
				rec = fmt.Sprintf("v=spf1 ip4:%s ip6:%s -all", s.v4, s.v6)
			case k == 0:
				rec = fmt.Sprintf("v=spf1 include:%s include:_spf.%s %sall", chain[1], espDomain, s.spfAll)
			default:
				rec = fmt.Sprintf("v=spf1 include:%s ip4:192.0.2.%d ~all", chain[k+1], 100+k)
			}
			rr(name, "TXT", quoteTXT(rec))
		}
		for k := range 3 {
			host, ip := s.outbound(k)
			addr(host, ip)
			ptr(ip, host)
			// RFC 7208 §2.3: a HELO record, checked for the HELO identity and
			// for bounces, whose MAIL FROM is null.
			rr(host, "TXT", quoteTXT("v=spf1 a -all"))
		}
		rr(s.name, "MX", "10 mx."+s.name+".")
		if s.policy != "" {
			rec := fmt.Sprintf("v=DMARC1; p=%s; rua=mailto:dmarc-rua@%s; adkim=r; aspf=%s", s.policy, s.name, map[bool]string{true: "s", false: "r"}[s.aspfStrict])
			rr("_dmarc."+s.name, "TXT", quoteTXT(rec))
		}
		if err := keyRecord(rr, "s2026", s.name, s.rsaKey); err != nil {
			return err
		}
		if s.edKey != "" {
			if err := keyRecord(rr, "ed2026", s.name, s.edKey); err != nil {
				return err
			}
		}
	}
	b.WriteString("\n; The ESP that signs on behalf of some senders, and its SPF.\n")
	rr("_spf."+espDomain, "TXT", quoteTXT("v=spf1 ip4:192.0.2.128/25 -all"))
	if err := keyRecord(rr, espSelector, espDomain, espKey); err != nil {
		return err
	}
	rr("_dmarc."+espDomain, "TXT", quoteTXT("v=DMARC1; p=none"))
	b.WriteString("\n; Forwarders and mailing lists: outside every sender's SPF.\n")
	sealers := map[string]bool{}
	for _, f := range forwarders() {
		addr(f.name, f.ip)
		ptr(f.ip, f.name)
		if f.sealDomain != "" && !sealers[f.sealDomain] {
			sealers[f.sealDomain] = true
			if err := keyRecord(rr, arcSelector, f.sealDomain, f.sealKey); err != nil {
				return err
			}
		}
	}
	b.WriteString("\n; Receiving organisations.\n")
	for _, r := range receivers() {
		rr(r.domain, "MX", "10 "+r.mx+".")
		addr(r.mx, r.mxIP)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func spfName(domain string, level int) string {
	if level == 1 {
		return "_spf." + domain
	}
	return fmt.Sprintf("_spf%d.%s", level, domain)
}

// keyRecord writes the DKIM key record of a committed test key.
func keyRecord(rr func(name, typ, data string), selector, domain, key string) error {
	signer, err := keys.Load(key)
	if err != nil {
		return err
	}
	txt, err := keyTXT(signer)
	if err != nil {
		return err
	}
	rr(dkim.KeyName(selector, domain), "TXT", quoteTXT(txt))
	return nil
}

func keyTXT(k crypto.Signer) (string, error) {
	switch pub := k.Public().(type) {
	case ed25519.PublicKey:
		// RFC 8463 §4: p= is the raw 32-octet key.
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub), nil
	default:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", err
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der), nil
	}
}

// quoteTXT renders a TXT value as quoted character-strings of at most 255
// octets each (RFC 1035 §3.3.14); DKIM and SPF join them without spaces.
func quoteTXT(s string) string {
	var parts []string
	for len(s) > 255 {
		parts = append(parts, `"`+s[:255]+`"`)
		s = s[255:]
	}
	return strings.Join(append(parts, `"`+s+`"`), " ")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
