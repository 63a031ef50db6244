package diagnose

import (
	"fmt"

	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// Audience is where a refused token's audience came from. When an input chose it, the fix is
// nearly always to go back to the provider's default: that is what its quick start sets the
// cloud up for, while adding the input's value to the cloud side widens the trust.
type Audience struct {
	// Default is what the provider asks for without the input; "" is GitHub's default.
	Default string
	// Asked is what the step asked for: the input's value when it is set, else Default.
	Asked string
	// From is the input that chose Asked: the step-wide audience (also when its Input is "")
	// or the provider's own <provider>-id-token-audience.
	From idtoken.AudienceChoice
}

// FromInput reports whether the audience input changed the audience.
func (a Audience) FromInput() bool { return a.Asked != a.Default }

// InputName is the input that chose the audience.
func (a Audience) InputName() string {
	if a.From.Input == "" {
		return "audience"
	}
	return a.From.Input
}

// Chose says which input chose the audience, for a sentence about the refused audience.
func (a Audience) Chose() string {
	return fmt.Sprintf("which the %s input chose", a.InputName())
}

// DefaultName names the default in a sentence.
func (a Audience) DefaultName() string {
	if a.Default == "" {
		return "GitHub's default audience, https://github.com/<owner>"
	}
	return a.Default
}

// stepWideBelow reports whether removing the provider's own input would leave the step-wide
// audience input's value, not the default: then the fix is to set the own input to the default.
func (a Audience) stepWideBelow() bool {
	return a.From.Input != "audience" && a.From.StepWide != "" && a.From.StepWide != a.Default
}

// Remove is the sentence that offers going back to the default first.
func (a Audience) Remove() string {
	if a.stepWideBelow() {
		return fmt.Sprintf("Removing the %s input would leave the audience input's %q; set it to %s instead, this provider's default", a.InputName(), a.From.StepWide, a.DefaultName())
	}
	return fmt.Sprintf("Remove the %s input: the step then asks for %s, this provider's default", a.InputName(), a.DefaultName())
}

// RemoveFix opens the collapsed group of such a refusal with the same fix.
func (a Audience) RemoveFix() string {
	if a.stepWideBelow() {
		def := a.Default
		if def == "" {
			def = "https://github.com/<owner>"
		}
		return fmt.Sprintf("Set `%s: %s` in the step's with: (removing it would leave `audience: %s` for this provider).\n\n", a.InputName(), def, a.From.StepWide)
	}
	return fmt.Sprintf("Remove `%s: %s` from the step's with: (the step then asks for %s).\n\n", a.InputName(), a.Asked, a.DefaultName())
}
