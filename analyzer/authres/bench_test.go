package authres

import "testing"

const benchValue = "mx.google.com;\r\n       dkim=pass header.i=@ekiri.ee header.s=default header.b=TXuCNlsq;\r\n" +
	"       arc=pass (i=1 spf=pass spfdomain=ekiri.ee dkim=pass dkdomain=ekiri.ee);\r\n" +
	"       spf=neutral (google.com: 209.85.220.41 is neither permitted nor denied by best guess record for domain of andris+caf_=andris.reinman=gmail.com@tr.ee) smtp.mailfrom=\"andris+caf_=andris.reinman=gmail.com@tr.ee\""

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchValue); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	f, err := Parse(benchValue)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(f.AuthServID, f.Results)
	}
}
