package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mailcheck/mailcheck/testdata/gen/keys"
)

// Expected is the verdict a correct analysis gives one message, as the
// generator built it. It is one line of expected.jsonl.
type Expected struct {
	// File is the message's file name in the output directory.
	File string `json:"file"`
	// Kind is "message" or "bounce".
	Kind string `json:"kind"`
	// Scenario lists what was done to the message, for reading failures:
	// "direct", "forwarded", "tampered", "esp", "dual", "key-missing", ….
	Scenario []string `json:"scenario"`
	// SPF is the SPF result of the MAIL FROM identity (for a bounce, whose
	// MAIL FROM is null, that of postmaster@HELO, RFC 7208 §2.4).
	SPF string `json:"spf"`
	// DKIM has one entry per DKIM-Signature, in header order.
	DKIM []DKIM `json:"dkim"`
	// DMARC is the DMARC result for the From domain.
	DMARC string `json:"dmarc"`
	// ARC is the ARC chain validation status (RFC 8617 §4.4): "pass" for
	// mail a sealing forwarder relayed, else "none".
	ARC string `json:"arc"`
	// DSN lists the Status of each recipient of a bounce, in order.
	DSN []string `json:"dsn,omitempty"`
	// Bytes is the size of the message.
	Bytes int `json:"bytes"`
}

// DKIM is the expected verdict on one signature.
type DKIM struct {
	Domain    string `json:"d"`
	Selector  string `json:"s"`
	Algorithm string `json:"a"`
	Canon     string `json:"c"`
	Result    string `json:"result"`
}

// Message is one generated message with its expected verdict.
type Message struct {
	Name     string
	Raw      []byte
	Expected Expected
	// Date is the message's Date, used for the mbox separator line.
	Date time.Time
}

// epoch is the Date of message 0; message i is dated i×17 s later. With
// Options.At of the analysis set to At, every signature is inside its
// validity window.
func epoch() time.Time { return time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) }

// At is the evaluation time to analyse a corpus with: a day after the
// first message, before any x= of the corpus (signatures expire 30 days
// after they were made).
func At() time.Time { return epoch().Add(24 * time.Hour) }

// Large builds one message of about size octets (a base64 attachment of
// three quarters of that), signed and routed like any other, for memory
// and streaming measurements. Its name is "large.eml".
func Large(seed uint64, size int) (*Message, error) {
	o := Options{attachment: max(size*3/4, 1)}
	rng := rand.New(rand.NewPCG(seed, 1<<63))
	date := epoch()
	m, err := newWorld().message(rng, date, o)
	if err != nil {
		return nil, err
	}
	m.Name, m.Date = "large.eml", date
	m.Expected.File, m.Expected.Bytes = m.Name, len(m.Raw)
	return m, nil
}

// world is the fixed part every message is drawn from.
type world struct {
	senders    []sender
	receivers  []receiver
	forwarders []forwarder
}

func newWorld() *world {
	return &world{senders: senders(), receivers: receivers(), forwarders: forwarders()}
}

// build makes message i. Every random choice comes from a generator seeded
// with (seed, i), so messages can be built in any order, or in parallel,
// and come out the same.
func (w *world) build(seed uint64, i int, o Options) (*Message, error) {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	date := epoch().Add(time.Duration(i) * 17 * time.Second)
	name := fmt.Sprintf("m%06d.eml", i)
	var m *Message
	var err error
	if rng.Float64() < o.bounceShare() {
		m, err = w.bounce(rng, date, o)
	} else {
		m, err = w.message(rng, date, o)
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: message %d: %w", i, err)
	}
	m.Name, m.Date = name, date
	m.Expected.File = name
	m.Expected.Bytes = len(m.Raw)
	return m, nil
}

func person(rng *rand.Rand) (local, display string) {
	firstNames := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter"}
	n := firstNames[rng.IntN(len(firstNames))]
	last := []string{"Smith", "Jones", "Novak", "García", "Müller", "Kowalski", "Tanaka", "Okafor"}[rng.IntN(8)]
	return fmt.Sprintf("%s.%s", n, strings.ToLower(strings.NewReplacer("í", "i", "ü", "u").Replace(last))), strings.ToUpper(n[:1]) + n[1:] + " " + last
}

// encodeDisplay quotes or RFC 2047-encodes a display name.
func encodeDisplay(s string) string {
	for _, r := range s {
		if r > 0x7e {
			return "=?utf-8?q?" + strings.NewReplacer(" ", "_", "í", "=C3=AD", "ü", "=C3=BC").Replace(s) + "?="
		}
	}
	return `"` + s + `"`
}

func subject(rng *rand.Rand) string {
	subjects := []string{"Your invoice for November", "Quarterly report", "Meeting notes: project kickoff", "Shipment confirmation #%d",
		"Password reset request", "Newsletter: what's new this week", "Re: contract renewal", "Webinar registration confirmed", "Order #%d has shipped", "Team offsite agenda"}
	s := subjects[rng.IntN(len(subjects))]
	if strings.Contains(s, "%d") {
		s = fmt.Sprintf(s, 100000+rng.IntN(900000))
	}
	return s
}

// message builds an ordinary message: signed by its sender, relayed
// directly or through a forwarder, possibly altered on the way.
func (w *world) message(rng *rand.Rand, date time.Time, o Options) (*Message, error) {
	s := &w.senders[rng.IntN(len(w.senders))]
	r := w.receivers[rng.IntN(len(w.receivers))]
	exp := Expected{Kind: "message"}

	local, display := person(rng)
	from := local + "@" + s.name
	rlocal, rdisplay := person(rng)
	rcpt := rlocal + "@" + r.domain
	envFrom := fmt.Sprintf("bounces+%x@%s", rng.Uint32(), s.bounceDomain())
	ctFields, content := body(rng, o.SmallBodies, o.attachment)

	hdr := fmt.Sprintf("From: %s <%s>\r\nTo: %s <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.%x@%s>\r\nMIME-Version: 1.0\r\n%s",
		encodeDisplay(display), from, encodeDisplay(rdisplay), rcpt, subject(rng), rfc5322(date), date.Unix(), rng.Uint64(), s.name, ctFields)
	if rng.IntN(3) == 0 {
		hdr += "List-Unsubscribe: <https://" + s.name + "/unsubscribe?u=" + fmt.Sprintf("%x", rng.Uint32()) + ">\r\n"
	}
	hdr += "X-Mailer: " + []string{"Microsoft Outlook 16.0", "Apple Mail (2.3774.200)", "Thunderbird 128.4.0", "PHPMailer 6.9.1"}[rng.IntN(4)] + "\r\n"

	// Signatures: none, one aligned (RSA or Ed25519), aligned plus an ESP's,
	// or the RSA and Ed25519 pair RFC 8463 §1 suggests during transition.
	type plan struct {
		domain, selector, key string
	}
	var plans []plan
	aligned := plan{s.name, "s2026", s.rsaKey}
	if s.edKey != "" && rng.IntN(10) < 3 {
		aligned = plan{s.name, "ed2026", s.edKey}
	}
	switch d := rng.Float64(); {
	case d < 0.08:
		exp.Scenario = append(exp.Scenario, "unsigned")
	case d < 0.70:
		plans = []plan{aligned}
	case d < 0.85:
		plans = []plan{aligned, {espDomain, espSelector, espKey}}
		exp.Scenario = append(exp.Scenario, "esp")
	default:
		plans = []plan{{s.name, "s2026", s.rsaKey}}
		if s.edKey != "" {
			plans = append(plans, plan{s.name, "ed2026", s.edKey})
			exp.Scenario = append(exp.Scenario, "dual")
		}
	}
	var sigs []string // header order: the last made is on top
	var dk []DKIM
	for _, p := range plans {
		if rng.IntN(100) < 6 {
			// A selector whose key was withdrawn from DNS.
			p.selector = missingSelector
			exp.Scenario = append(exp.Scenario, "key-missing")
		}
		key, err := keys.Load(p.key)
		if err != nil {
			return nil, err
		}
		hc, bc := "relaxed", "relaxed"
		switch rng.IntN(5) {
		case 0:
			hc, bc = "simple", "simple"
		case 1:
			bc = "simple"
		}
		spec := signSpec{domain: p.domain, selector: p.selector, key: key, headerCanon: hc, bodyCanon: bc, at: date}
		if rng.IntN(2) == 0 {
			spec.expire = date.Add(30 * 24 * time.Hour)
		}
		field, err := sign([]byte(strings.Join(sigs, "")+hdr), []byte(content), spec)
		if err != nil {
			return nil, err
		}
		sigs = append([]string{string(field)}, sigs...)
		algo := "rsa-sha256"
		if strings.HasPrefix(p.key, "ed") {
			algo = "ed25519-sha256"
		}
		dk = append([]DKIM{{Domain: p.domain, Selector: p.selector, Algorithm: algo, Canon: hc + "/" + bc}}, dk...)
	}

	// The route: straight from the sender's relay, or through a forwarder
	// or list that may change the body.
	ck := &clock{t: date, rng: rng}
	relayName, relayIP := s.outbound(rng.IntN(3))
	sender := senderHops(s.style, s.name, relayName, from, rcpt, 1+rng.IntN(2), ck)
	ext := client{helo: relayName, rdns: relayName, ip: relayIP}
	var fwd []string
	var sealer *forwarder
	var sealAt time.Time
	forwarded := rng.IntN(100) < 22
	tampered := false
	exp.ARC = "none"
	if forwarded {
		f := w.forwarders[rng.IntN(len(w.forwarders))]
		fwd = []string{forwardHop(f, ext, rcpt, ck)}
		sealAt = ck.t.Add(time.Second)
		ext = client{helo: f.name, rdns: f.name, ip: f.ip}
		if f.sealDomain != "" && !o.NoARC {
			sealer = &f
			exp.ARC = "pass"
			exp.Scenario = append(exp.Scenario, "arc")
		}
		exp.Scenario = append([]string{"forwarded"}, exp.Scenario...)
		tampered = rng.IntN(10) < 4
	} else {
		exp.Scenario = append([]string{"direct"}, exp.Scenario...)
		tampered = rng.IntN(100) < 3
	}
	if tampered {
		// A list footer or a gateway disclaimer, added after signing.
		content += "\r\n-- \r\nYou received this message because you are subscribed to the list.\r\nTo unsubscribe, reply with UNSUBSCRIBE in the subject.\r\n"
		exp.Scenario = append(exp.Scenario, "tampered")
	}
	extra := rng.IntN(3)
	if len(sender)+len(fwd)+1+extra < 3 {
		extra = 3 - len(sender) - len(fwd) - 1
	}
	internal, external := receiverHops(r, ext, rcpt, envFrom, extra, ck)

	// Expected verdicts, from the zone the generator wrote.
	switch {
	case !forwarded:
		exp.SPF = "pass"
	case s.spfAll == "-":
		exp.SPF = "fail"
	default:
		exp.SPF = "softfail"
	}
	aligned2 := false
	for i := range dk {
		switch {
		case dk[i].Selector == missingSelector:
			dk[i].Result = "permerror"
		case tampered:
			dk[i].Result = "fail"
		default:
			dk[i].Result = "pass"
		}
		if dk[i].Result == "pass" && dk[i].Domain == s.name {
			aligned2 = true
		}
	}
	exp.DKIM = append([]DKIM{}, dk...)
	// RFC 7489 §3.1.2: relaxed SPF alignment compares organisational
	// domains (bounce.D and D share one); strict needs the same name.
	spfAligned := exp.SPF == "pass" && !s.aspfStrict
	switch {
	case s.policy == "":
		exp.DMARC = "none"
	case aligned2 || spfAligned:
		exp.DMARC = "pass"
	default:
		exp.DMARC = "fail"
	}

	var top strings.Builder
	top.WriteString("Return-Path: <" + envFrom + ">\r\n")
	if r.style == "postfix" {
		top.WriteString("Delivered-To: " + rcpt + "\r\n")
	}
	for _, v := range internal {
		top.WriteString("Received: " + v + "\r\n")
	}
	if rng.IntN(10) < 6 {
		fmt.Fprintf(&top, "Authentication-Results: %s;\r\n\tspf=%s smtp.mailfrom=%s", r.mx, exp.SPF, s.bounceDomain())
		for _, d := range exp.DKIM {
			fmt.Fprintf(&top, ";\r\n\tdkim=%s header.d=%s header.s=%s", d.Result, d.Domain, d.Selector)
		}
		fmt.Fprintf(&top, ";\r\n\tdmarc=%s header.from=%s\r\n", exp.DMARC, s.name)
	}
	top.WriteString("Received: " + external + "\r\n")
	msg := "Received: " + strings.Join(append(fwd, sender...), "\r\nReceived: ") + "\r\n" + strings.Join(sigs, "") + hdr + "\r\n" + content
	if sealer != nil {
		sealed, err := seal(sealer, msg, s, exp, sealAt)
		if err != nil {
			return nil, err
		}
		msg = sealed
	}
	return &Message{Raw: []byte(top.String() + msg), Expected: exp}, nil
}
