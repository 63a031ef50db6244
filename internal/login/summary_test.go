package login

import (
	"errors"
	"testing"
)

// Issue 13 item 2: server text in a failure (here with backtick runs longer than a fence, a
// link, an image and HTML) lands in a code block it cannot close, so none of it renders.
func TestFailureSummaryIsInert(t *testing.T) {
	t.Parallel()
	evil := "denied\r\n```\n<img src=x> [a](https://evil.example) ````` </details>\r# h"
	sel := []*selected{{name: "vault", err: errors.New(evil)}, {name: "aws"}}
	want := FailureHeading + "\n\nNothing was exported: every provider must succeed for any credentials to be handed over.\n" +
		"\n**vault** failed:\n\n``````text\ndenied\n```\n<img src=x> [a](https://evil.example) ````` </details>\n# h\n``````\n"
	if got := failureSummary(sel); got != want {
		t.Errorf("failureSummary =\n%s\nwant\n%s", got, want)
	}
}

func TestCodeBlock(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":        "```text\nplain\n```\n",
		"a `b` c\n\n":  "```text\na `b` c\n```\n",
		"x ``` y\r z":  "````text\nx ``` y\n z\n````\n",
		"````\n``````": "```````text\n````\n``````\n```````\n",
	} {
		if got := codeBlock(in); got != want {
			t.Errorf("codeBlock(%q) = %q, want %q", in, got, want)
		}
	}
}
