package runner

import "testing"

// TestHandOver: only root gives files away (to the folder's owner, when that is someone
// else); the native action, run as the runner's user, never tries a chown.
func TestHandOver(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		euid, dirUID, dirGID int
		uid, gid             int
		ok                   bool
	}{
		{euid: 0, dirUID: 1001, dirGID: 121, uid: 1001, gid: 121, ok: true}, // container action, hosted runner
		{euid: 0, dirUID: 0, dirGID: 0},                                     // root's own folder: nothing to hand over
		{euid: 1001, dirUID: 1001, dirGID: 121},                             // native, the runner's user
		{euid: 1001, dirUID: 0, dirGID: 0},                                  // not root: never a chown
		{euid: 501, dirUID: 20, dirGID: 20},                                 // macOS user
	} {
		uid, gid, ok := handOver(tc.euid, tc.dirUID, tc.dirGID)
		if uid != tc.uid || gid != tc.gid || ok != tc.ok {
			t.Errorf("handOver(%d, %d, %d) = %d, %d, %v; want %d, %d, %v", tc.euid, tc.dirUID, tc.dirGID, uid, gid, ok, tc.uid, tc.gid, tc.ok)
		}
	}
}

// TestOwnerOnlySDDL: what "0600" means on Windows, as the descriptor files_windows.go applies.
func TestOwnerOnlySDDL(t *testing.T) {
	t.Parallel()
	const sid = "S-1-5-21-3623811015-3361044348-30300820-1013"
	for _, tc := range []struct {
		sid  string
		dir  bool
		want string
	}{
		// P: protected, nothing inherited from RUNNER_TEMP; one allow entry, full access, this user.
		{sid, false, "D:P(A;;FA;;;" + sid + ")"},
		// A folder's entry is inherited by the files and folders created in it.
		{sid, true, "D:P(A;OICI;FA;;;" + sid + ")"},
		{"S-1-5-18", false, "D:P(A;;FA;;;S-1-5-18)"}, // LocalSystem (a runner service)
		// Anything that is not a SID gives no descriptor at all, never a wider one.
		{"", false, ""},
		{"WD", false, ""}, // Everyone, as an SDDL alias
		{sid + ")(A;;FA;;;WD", false, ""},
	} {
		if got := ownerOnlySDDL(tc.sid, tc.dir); got != tc.want {
			t.Errorf("ownerOnlySDDL(%q, %v) = %q, want %q", tc.sid, tc.dir, got, tc.want)
		}
	}
}

// TestTrustedOwner: on Windows a reused folder or a file read back is accepted only when this
// user, the token's default owner (Administrators for an elevated administrator, as on
// GitHub's runners), SYSTEM or Administrators owns it; another user's is refused.
func TestTrustedOwner(t *testing.T) {
	t.Parallel()
	const (
		user   = "S-1-5-21-3623811015-3361044348-30300820-1013"
		other  = "S-1-5-21-3623811015-3361044348-30300820-1014"
		users  = "S-1-5-32-545"    // BUILTIN\Users
		auth   = "S-1-5-11"        // Authenticated Users
		world  = "S-1-1-0"         // Everyone
		admin  = sidAdministrators // BUILTIN\Administrators
		local  = sidLocalSystem    // the runner as a service
		cowner = "S-1-3-0"         // CREATOR OWNER, never a real owner
	)
	for _, tc := range []struct {
		owner, defaultOwner string
		ok                  bool
	}{
		{user, user, true},   // a non-elevated runner user's own folder
		{admin, admin, true}, // an elevated administrator's new folder
		{admin, user, true},
		{local, user, true},
		{other, user, false}, // another user of a self-hosted machine made it first
		{other, admin, false},
		{users, user, false},
		{auth, user, false},
		{world, user, false},
		{cowner, user, false},
		{"", user, false},
		{"", "", false},
	} {
		if got := trustedOwner(tc.owner, user, tc.defaultOwner); got != tc.ok {
			t.Errorf("trustedOwner(%q, user, %q) = %v, want %v", tc.owner, tc.defaultOwner, got, tc.ok)
		}
	}
}
