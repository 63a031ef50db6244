package diagnosetest

import "testing"

func TestParseCEL(t *testing.T) {
	t.Parallel()
	good := map[string][]CELTerm{
		`assertion.repository == 'o/r' && assertion.ref == 'refs/tags/it\'s'`: {{"repository", "==", "o/r"}, {"ref", "==", "refs/tags/it's"}},
		`assertion.sub.startsWith('repo:o/r:ref:refs/heads/')`:                {{"sub", "startsWith", "repo:o/r:ref:refs/heads/"}},
	}
	for in, want := range good {
		got, err := ParseCEL(in)
		if err != nil || len(got) != len(want) {
			t.Errorf("ParseCEL(%q) = %v, %v", in, got, err)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("ParseCEL(%q)[%d] = %v, want %v", in, i, got[i], want[i])
			}
		}
	}
	for _, bad := range []string{
		`assertion.ref == 'it's'`, `assertion.ref == 'open`, `assertion.repository == 'o/r' &&`,
		`assertion.ref = 'x'`, `google.subject == 'x'`, `assertion.sub.startsWith('x'`,
	} {
		if _, err := ParseCEL(bad); err == nil {
			t.Errorf("ParseCEL(%q) accepted it", bad)
		}
	}
}
