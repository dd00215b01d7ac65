package spamhdr_test

import (
	"fmt"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/message"
	"github.com/mailcheck/mailcheck/analyzer/spamhdr"
)

func ExampleDecode() {
	raw := "X-Forefront-Antispam-Report: CIP:198.51.100.7;CTRY:US;SCL:5;SFV:SPM;CAT:SPM;DIR:INB;\r\n" +
		"X-Spam-Status: Yes, score=7.1 required=5.0 tests=BAYES_99,RDNS_NONE\r\n" +
		"\tautolearn=no version=3.4.6\r\n" +
		"\r\n"
	m, err := message.Read(strings.NewReader(raw), message.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range spamhdr.Decode(m.Header) {
		fmt.Println(v.Header+":", v.Summary)
	}
	// Output:
	// X-Forefront-Antispam-Report: Microsoft: filtering marked it spam; SCL 5 (filtering marked the message as spam); category spam
	// X-Spam-Status: SpamAssassin: spam, score 7.1 (spam at 5), 2 rules matched
}
