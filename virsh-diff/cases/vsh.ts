// Differential cases of src/cli/virsh/table-vsh.ts's commands: virsh itself
// (help printed from codegen/virsh-commands.json, echo, pwd, cd, quit,
// exit, connect), Domain Events (event), and the command line around them
// (an unknown command's "did you mean", global options after a script).

import type { CaseGroup, VirshCase } from "../case.js";

const test = (args: string[], extra: Omit<VirshCase, "args" | "on"> = {}): VirshCase => ({ args, on: ["test"], ...extra });

export const groups: readonly CaseGroup[] = [
  {
    group: "Virsh itself",
    commands: ["help", "echo", "pwd", "cd", "quit", "exit", "connect"],
    cases: [
      test(["help"]),
      test(["-q", "help"]),
      test(["help", "virsh"]),
      test(["help", "Storage Volume"]),
      test(["help", "event"]),
      test(["help", "blockcopy"]),
      test(["help", "nodedev-dettach"]),
      test(["help", "self-test"]),
      test(["help", "list", "domstate"]),
      test(["help", "--command", "migrate"]),
      test(["help", "nosuch"]),
      test(["help; help echo; help nosuch"], { command: "help" }),
      test(["echo", "--shell", "a b", "it's", "x"]),
      test(["echo", "--xml", "<a&'\">"]),
      test(["echo --split a,b,,c,"], { command: "echo" }),
      test(["echo", "--err", "to stderr"]),
      test(["echo", "--shell", "--xml", "a"]),
      test(["-q", "echo", "a", "b"]),
      test(["echo"]),
      test(["pwd"]),
      test(["cd", "/"]),
      test(["pwd; cd /; pwd"], { command: "pwd" }),
      test(["echo a; quit; echo b"], { command: "quit" }),
      test(["echo a; exit; echo b"], { command: "exit" }),
      test(["quit"]),
      test(["connect; uri"], { command: "connect" }),
      test(["connect --readonly; uri; domstate test"], { command: "connect" }),
      test(["connect test+tcp://127.0.0.1:1/default; uri"], { command: "connect" }),
      test(["evnt"], {
        command: "event",
        byDesign: {
          why: "issue 26 asks for a 'did you mean' line after virsh's own `unknown command` line",
          diff: ["--- virsh", "+++ ours", "@@ -2,3 +2,4 @@", " stdout: (empty)", " stderr:", " error: unknown command: 'evnt'", "+did you mean 'event'?"].join("\n"),
        },
      }),
      // Issue 26: a global option after a one-line script works as before it. virsh's getopt stops at the
      // first word ("+" in virshParseArgv), so it takes the script for a command name; ours prints what
      // virsh prints for `-q` before the script (the case after this one).
      test(["echo a; echo b", "-q"], {
        command: "echo",
        byDesign: {
          why: "issue 26 asks for global options after a one-line script; virsh refuses them",
          diff: [
            "--- virsh",
            "+++ ours",
            "@@ -1,4 +1,5 @@",
            "-exit code: 1",
            "-stdout: (empty)",
            "-stderr:",
            "-error: unknown command: 'echo a; echo b'",
            "+exit code: 0",
            "+stdout:",
            "+ab",
            "+\\ no newline at end",
            "+stderr: (empty)",
          ].join("\n"),
        },
      }),
      test(["-q", "echo a; echo b"], { command: "echo" }),
    ],
  },
  {
    group: "Domain Events",
    commands: ["event"],
    cases: [
      // The list is the protocol's (this client is generated from 11.3's .x files): virsh 9.0's lacks nic-mac-change.
      test(["event", "--list"], { reference: "11.3" }),
      test(["event"]),
      test(["event", "--all", "--event", "lifecycle"]),
      test(["event", "--list", "--all"]),
      test(["event", "--list", "--event", "reboot"]),
      test(["event", "--event", "nosuch"]),
      test(["event", "--all", "--timeout", "abc"]),
      test(["event", "--all", "--timeout", "0"]),
      test(["event", "--all", "--timeout", "3000000"]),
      test(["event", "--domain", "nosuch", "--all"]),
      test(["event", "--all", "--timeout", "1"]),
      test(["event", "--domain", "test", "--event", "lifecycle", "--loop", "--timeout", "1", "--timestamp"]),
      test(["event --all --timeout 1; echo after"], { command: "event" }),
    ],
  },
];
