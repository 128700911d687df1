// What a differential case is: words typed to virsh and to us against the
// same daemon state, compared whole (stdout, stderr, exit code). The
// runner (run.ts) reads every group's cases (cases/*.ts) and prints
// `virsh commands: N implemented of 274, M identical`.

/** Where a case runs: the test driver (test:///default through the daemon), or QEMU's session driver with real guests. */
export type Driver = "test" | "qemu";

/** A value that moves between the two runs, replaced in both outputs; `why` says why masking it is honest. */
export interface Mask {
  readonly pattern: RegExp;
  readonly replace: string;
  readonly why: string;
}

export interface VirshCase {
  /** The words after `-c URI`, as typed: `["net-info", "default"]`. `{dir}` stands for the group's files' directory. */
  readonly args: readonly string[];
  /** The drivers it runs on (default: both). */
  readonly on?: readonly Driver[];
  /**
   * virsh command lines (each the words after `-c URI`) run through virsh
   * before each side's run and after it, so that a command that changes
   * state finds the same state twice and leaves none behind. Their outputs
   * are compared too (masks applied): they show the state each side left.
   */
  readonly before?: readonly (readonly string[])[];
  readonly after?: readonly (readonly string[])[];
  readonly masks?: readonly Mask[];
  /**
   * The virsh command this case counts for, when its words do not start
   * with it (a one-line script, an unknown command's error): by default the
   * first word after virsh's global options.
   */
  readonly command?: string;
  /**
   * Files (under `{dir}`) the run writes (`screenshot`, `vol-download`,
   * `save`): read after each side's run, compared, then removed. A case
   * with outputs runs its sides one after the other.
   */
  readonly outputs?: readonly string[];
  /** More environment for both sides' run (not before or after): `{ EDITOR: "sed -i s/a/b/" }`; `{dir}` filled in. */
  readonly env?: Readonly<Record<string, string>>;
  /** Why a case that differs is still listed (a known, explained difference); the case then counts as not identical. */
  readonly knownDifference?: string;
  /**
   * A difference an issue asks for, where virsh lacks the behaviour (a
   * "did you mean" line): `diff` is the whole unified diff expected between
   * virsh's run and ours, after masks. The case passes only when the diff is
   * exactly that, so the extension is checked, never merely excused.
   */
  readonly byDesign?: { readonly why: string; readonly diff: string };
  /**
   * The virsh to compare with: by default the system's (9.0); "11.3" for a
   * case whose answer follows the protocol version this client is generated
   * from (`event --list` names 11.3's events), run from scripts/libvirt-11.sh's
   * unpacked libvirt.
   */
  readonly reference?: "11.3";
}

export interface CaseGroup {
  /** virsh's group name, as `virsh help` lists it ("Storage Pool"). */
  readonly group: string;
  /** The virsh commands this group implements: each needs at least one case. */
  readonly commands: readonly string[];
  /** Files written to a fresh directory before the group runs (name → content, subdirectories made), `{dir}` in args, setup and the files' text; the daemon's user may write there (a pool's target). */
  readonly files?: Readonly<Record<string, string>>;
  /** virsh command lines run once per driver before the group's cases (define a guest, a pool, ...), and after. */
  readonly setup?: Partial<Record<Driver, readonly (readonly string[])[]>>;
  readonly teardown?: Partial<Record<Driver, readonly (readonly string[])[]>>;
  readonly cases: readonly VirshCase[];
}
