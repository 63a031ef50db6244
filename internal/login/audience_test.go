package login

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// TestSharedAudienceWarning: the audience input with two or more providers is warned about,
// naming them, once; one provider, or each provider's own default, is not.
func TestSharedAudienceWarning(t *testing.T) {
	t.Parallel()
	sel := func(names ...string) []*selected {
		var out []*selected
		for _, n := range names {
			out = append(out, &selected{name: n})
		}
		return out
	}
	// Any of the providers will do: the warning names whichever the step selects.
	names := registry.All.Names()
	for _, c := range []struct {
		audience string
		sel      []*selected
		want     string
	}{
		{"https://github.com/o", sel(names[0], names[1]), "::warning::audience https://github.com/o gives " + names[0] + " and " + names[1] + " the same ID token, so each of them could replay it at the others; leave audience empty (each provider then gets a token for itself) or log in one provider per step\n"},
		{"sigstore", sel(names[0], names[1], names[2]), "::warning::audience sigstore gives " + names[0] + " and " + names[1] + " and " + names[2] + " the same ID token"},
		{"sigstore", sel(names[len(names)-1]), ""},
		{"", sel(names[0], names[1]), ""},
	} {
		var out bytes.Buffer
		r := runner.New(&out, func(string) string { return "" })
		sharedAudience(r, config.Common{Audience: c.audience}, c.sel)
		got := out.String()
		if c.want == "" && got != "" || c.want != "" && !strings.HasPrefix(got, c.want) || strings.Count(got, "\n") > 1 {
			t.Errorf("audience %q, %d providers: printed %q, want %q", c.audience, len(c.sel), got, c.want)
		}
	}
}
