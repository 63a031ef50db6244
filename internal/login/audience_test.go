package login

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// TestSharedAudienceWarning: an audience input that gives two or more providers one token is
// warned about, naming them and the inputs, once per audience; one provider, or providers
// that share only a default, are not.
func TestSharedAudienceWarning(t *testing.T) {
	t.Parallel()
	type p struct{ name, aud, from string }
	sel := func(ps ...p) []*selected {
		var out []*selected
		for _, x := range ps {
			out = append(out, &selected{name: x.name, audience: x.aud, audienceFrom: x.from})
		}
		return out
	}
	// Any of the providers will do: the warning names whichever the step selects.
	n := registry.All.Names()
	own := func(i int) string { s, _ := registry.All.Lookup(n[i]); return s.AudienceInput() }
	for _, c := range []struct {
		sel  []*selected
		want string
	}{
		{sel(p{n[0], "https://github.com/o", "audience"}, p{n[1], "https://github.com/o", "audience"}), "::warning::audience https://github.com/o gives " + n[0] + " and " + n[1] + " the same ID token, so each of them could replay it at the others; leave audience empty (each provider then gets a token for itself) or log in one provider per step\n"},
		{sel(p{n[0], "sigstore", "audience"}, p{n[1], "sigstore", "audience"}, p{n[2], "sigstore", "audience"}), "::warning::audience sigstore gives " + n[0] + " and " + n[1] + " and " + n[2] + " the same ID token"},
		{sel(p{n[0], "sigstore", "audience"}, p{n[1], "pypi", own(1)}, p{n[2], "sigstore", "audience"}), "::warning::audience sigstore gives " + n[0] + " and " + n[2] + " the same ID token"},
		{sel(p{n[0], "pypi", own(0)}, p{n[1], "pypi", own(1)}), "::warning::" + own(0) + " and " + own(1) + " give " + n[0] + " and " + n[1] + " the same ID token (audience pypi), so each of them could replay it at the others; give each provider an audience of its own or log in one provider per step\n"},
		{sel(p{n[0], "pypi", own(0)}, p{n[1], "pypi", ""}), "::warning::" + own(0) + " gives " + n[0] + " and " + n[1] + " the same ID token (audience pypi)"},
		{sel(p{n[0], "pypi", own(0)}, p{n[1], "crates.io", own(1)}), ""},
		{sel(p{n[len(n)-1], "sigstore", "audience"}), ""},
		{sel(p{n[0], "", ""}, p{n[1], "", ""}), ""},
	} {
		var out bytes.Buffer
		r := runner.New(&out, func(string) string { return "" })
		sharedAudience(r, c.sel)
		got := out.String()
		if c.want == "" && got != "" || c.want != "" && !strings.HasPrefix(got, c.want) || strings.Count(got, "\n") > 1 {
			t.Errorf("%d providers: printed %q, want %q", len(c.sel), got, c.want)
		}
	}
}

// TestAudienceInputs: every provider has an input for its own ID token's audience, named from
// its prefix, and no two providers share one; it wins over the step-wide audience, for its
// provider alone.
func TestAudienceInputs(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, s := range registry.All {
		in := s.AudienceInput()
		if !strings.HasPrefix(in, s.InputPrefix) || !strings.HasSuffix(in, "id-token-audience") {
			t.Errorf("%s: audience input %q does not start with %s and end with id-token-audience", s.Name, in, s.InputPrefix)
		}
		if other, dup := seen[in]; dup {
			t.Errorf("%s and %s share the audience input %s", s.Name, other, in)
		}
		seen[in] = s.Name
		if s.DefaultAudience == "" {
			t.Errorf("%s: its Spec does not say which audience it asks for by default", s.Name)
		}
	}
	if got := (provider.Spec{InputPrefix: "foo-"}).AudienceInput(); got != "foo-id-token-audience" {
		t.Errorf("AudienceInput() = %q", got)
	}
	gh, _ := registry.All.Lookup("github")
	vault, _ := registry.All.Lookup("vault")
	a := &Action{Getenv: func(string) string { return "" }, Providers: provider.Specs{gh, vault}}
	var out bytes.Buffer
	r := runner.New(&out, func(string) string { return "" })
	_, sel, err := a.configure(r, config.MapInputs{
		"provider": "github, vault", "audience": "step", gh.AudienceInput(): "mine",
		"vault-url": "https://vault.example.com", "vault-role": "ci",
	})
	if err != nil {
		t.Fatal(err)
	}
	if sel[0].audience != "mine" || sel[1].audience != "step" || out.Len() != 0 {
		t.Errorf("audiences %q, %q (printed %q); want mine for github, the step-wide one for vault, no warning", sel[0].audience, sel[1].audience, out.String())
	}
	// A refusal of github's audience must know that without its own input it would get "step".
	if sel[0].audienceFrom != gh.AudienceInput() || sel[0].stepWide != "step" || sel[1].audienceFrom != "audience" || sel[1].stepWide != "" {
		t.Errorf("chosen by %q (under %q) and %q (under %q); want %s over step, and audience", sel[0].audienceFrom, sel[0].stepWide, sel[1].audienceFrom, sel[1].stepWide, gh.AudienceInput())
	}
	_, _, err = a.configure(r, config.MapInputs{"provider": "github", gh.AudienceInput(): "a\nb"})
	if err == nil || !strings.Contains(err.Error(), "input "+gh.AudienceInput()+": must be a single line") {
		t.Errorf("a two-line audience: %v", err)
	}
}
