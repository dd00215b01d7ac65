package received

import "testing"

// BenchmarkParse parses a mix of real-world Received values (Postfix,
// Sendmail, Exim, qmail, Exchange, Gmail, SES, SendGrid); one op is one
// value.
func BenchmarkParse(b *testing.B) {
	values := seedHeaders(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Parse(values[i%len(values)])
	}
}

// BenchmarkTrace traces the whole mix as one message.
func BenchmarkTrace(b *testing.B) {
	values := seedHeaders(b)
	b.ReportAllocs()
	for b.Loop() {
		Trace(values, Options{})
	}
}
