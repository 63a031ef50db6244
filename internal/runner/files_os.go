package runner

import "github.com/oidc-login/oidc-login/internal/lazyre"

// The OS-specific decisions of files_unix.go and files_windows.go, as pure functions so they
// are unit-tested on every OS.

// handOver decides whether files go to the folder owner (dirUID, dirGID). Only root can give
// files away, and only root needs to: a container action runs as root while later steps run
// as the mount's owner. Anyone else (the native action, run as the runner's user) already owns
// what it creates, so no chown is even tried.
func handOver(euid, dirUID, dirGID int) (uid, gid int, ok bool) {
	if euid != 0 || dirUID == euid {
		return 0, 0, false
	}
	return dirUID, dirGID, true
}

var sidRE = lazyre.New(`^S-1-[0-9]+(-[0-9]+)+$`)

// ownerOnlySDDL is the security descriptor that stands for 0600 (0700 for a folder) on
// Windows: a protected DACL (P: no entries inherited from the parent) with one entry allowing
// full access (FA) to sid alone; a folder's entry is inherited by files and folders created
// in it (OICI). An invalid SID gives "", which SecurityDescriptorFromString refuses.
func ownerOnlySDDL(sid string, dir bool) string {
	if !sidRE().MatchString(sid) {
		return ""
	}
	flags := ""
	if dir {
		flags = "OICI"
	}
	return "D:P(A;" + flags + ";FA;;;" + sid + ")"
}

// Well-known SIDs a Windows owner check trusts besides the user itself.
const (
	sidLocalSystem    = "S-1-5-18"
	sidAdministrators = "S-1-5-32-544"
)

// trustedOwner decides whether a file or folder whose owner is the SID owner may be reused or
// read on Windows, where the action runs as the user whose SID is user. New objects get the
// token's default owner (defaultOwner): the user, or BUILTIN\Administrators for an elevated
// administrator, as on GitHub's hosted runners. LocalSystem and Administrators can take
// ownership of anything and rewrite any DACL, so trusting what they own grants nobody
// anything new, as root on Unix. Anyone else (another user of a self-hosted machine, who may
// create folders in RUNNER_TEMP when its parent lets Users do so) is refused.
func trustedOwner(owner, user, defaultOwner string) bool {
	switch owner {
	case "":
		return false
	case user, defaultOwner, sidLocalSystem, sidAdministrators:
		return true
	}
	return false
}
