package diagnose

import "fmt"

// Audience is where a refused token's audience came from. When the audience input chose it,
// the fix is nearly always to remove the input: the provider's default is what its quick start
// sets the cloud up for, while adding the input's value to the cloud side widens the trust.
type Audience struct {
	// Default is what the provider asks for without the input; "" is GitHub's default.
	Default string
	// Asked is what the step asked for: the input's value when it is set, else Default.
	Asked string
	// Input is the input that chose Asked: the step-wide audience (also when "") or the
	// provider's own <provider>-id-token-audience.
	Input string
}

// FromInput reports whether the audience input changed the audience.
func (a Audience) FromInput() bool { return a.Asked != a.Default }

// InputName is the input that chose the audience.
func (a Audience) InputName() string {
	if a.Input == "" {
		return "audience"
	}
	return a.Input
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

// Remove is the sentence that offers removing the input first.
func (a Audience) Remove() string {
	return fmt.Sprintf("Remove the %s input: the step then asks for %s, this provider's default", a.InputName(), a.DefaultName())
}

// RemoveFix opens the collapsed group of such a refusal with the same fix.
func (a Audience) RemoveFix() string {
	return fmt.Sprintf("Remove `%s: %s` from the step's with: (the step then asks for %s).\n\n", a.InputName(), a.Asked, a.DefaultName())
}
