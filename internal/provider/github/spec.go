package github

import "github.com/oidc-login/oidc-login/internal/provider"

// Name is the provider's name in the provider input.
const Name = "github"

// Spec is the registry's entry for github.
var Spec = provider.Spec{
	Name:            Name,
	Title:           "The GitHub ID token itself",
	Docs:            "The GitHub ID token itself",
	New:             New,
	InputPrefix:     "github-",
	DefaultAudience: "GitHub's default, `https://github.com/<owner>`",
	Env:             []string{EnvTokenFile},
	Act:             provider.UnderAct{LoginFile: EnvTokenFile},
}
