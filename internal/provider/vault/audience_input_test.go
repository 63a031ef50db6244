package vault

import "testing"

// TestAudienceInputIsTheSpecs: the input the refusals name is the one the registry declares.
func TestAudienceInputIsTheSpecs(t *testing.T) {
	if Spec.AudienceInput() != audienceInput {
		t.Errorf("Spec.AudienceInput() = %q, the refusals name %q", Spec.AudienceInput(), audienceInput)
	}
}
