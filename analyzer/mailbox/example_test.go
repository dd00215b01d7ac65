package mailbox_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/analyzer/mailbox"
)

func ExampleWalk() {
	mbox := "From a@example.com Thu Jan  1 00:00:00 1970\n" +
		"Subject: first\n\n>From the body\n\n" +
		"From b@example.com Thu Jan  1 00:00:00 1970\n\n" +
		"From c@example.com Thu Jan  1 00:00:00 1970\n" +
		"Subject: third\n\nbye\n"
	opts := mailbox.Options{Stdin: strings.NewReader(mbox)}
	err := mailbox.Walk(context.Background(), []string{"-"}, opts, func(e mailbox.Entry) bool {
		if e.Err != nil {
			fmt.Printf("%s: %v\n", e.Source, e.Err)
			return true // report and go on
		}
		rc, err := e.Open()
		if err != nil {
			fmt.Printf("%s: %v\n", e.Source, err)
			return true
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		fmt.Printf("%s: %q\n", e.Source, b)
		return true
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// <stdin>@0 (#1): "Subject: first\n\nFrom the body\n"
	// <stdin>@76 (#2): mailbox: empty message: <stdin>@76 (#2)
	// <stdin>@121 (#3): "Subject: third\n\nbye\n"
}

func ExampleSplit() {
	mbox := "From a Thu Jan  1 00:00:00 1970\r\nSubject: crlf\r\n\r\n>>From quoted\r\n\r\n" +
		"From b Thu Jan  1 00:00:00 1970\r\nSubject: two\r\n"
	err := mailbox.Split(strings.NewReader(mbox), mailbox.Options{}, func(offset int64, index int, msg io.Reader) error {
		b, err := io.ReadAll(msg)
		fmt.Printf("#%d at %d: %q\n", index, offset, b)
		return err
	})
	fmt.Println(err)
	// Output:
	// #1 at 0: "Subject: crlf\r\n\r\n>From quoted\r\n"
	// #2 at 67: "Subject: two\r\n"
	// <nil>
}
