package diagnose

import "testing"

func TestReplaceTroubleshooting(t *testing.T) {
	t.Parallel()
	got, err := ReplaceTroubleshooting("a\n"+TroubleshootingBegin+"\nold\n"+TroubleshootingEnd+"\nb\n", "new\n")
	if err != nil || got != "a\n"+TroubleshootingBegin+"\nnew\n"+TroubleshootingEnd+"\nb\n" {
		t.Errorf("ReplaceTroubleshooting = %q, %v", got, err)
	}
	for _, readme := range []string{"no markers", TroubleshootingEnd + TroubleshootingBegin} {
		if _, err := ReplaceTroubleshooting(readme, "x"); err == nil {
			t.Errorf("no error for %q", readme)
		}
	}
}
