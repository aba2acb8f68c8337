// Makes files really unwritable, for root too: the immutable attribute (chattr +i) refuses writes
// even through descriptors opened before it was set, which is what a server that holds its
// database open meets. File permissions would stop neither root nor an open descriptor.
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, writeFileSync } from "node:fs";
import path from "node:path";

const chattr = (flag, paths) => execFileSync("chattr", [flag, ...paths], { stdio: "pipe" });

// Sets (`on`) or clears the immutable attribute of `paths`.
export function setImmutable(paths, on) {
  chattr(on ? "+i" : "-i", paths);
}

// Why the attribute cannot be used under `dir` (no chattr, no CAP_LINUX_IMMUTABLE, a filesystem
// without it, or writes through an open descriptor still succeed), or null when it works.
export function immutableUnsupported(dir) {
  const probeDir = mkdtempSync(path.join(dir, "sio-immutable-probe-"));
  const file = path.join(probeDir, "probe");
  writeFileSync(file, "probe");
  const fd = openSync(file, "a");
  try {
    try {
      setImmutable([file], true);
    } catch (err) {
      return `chattr +i does not work here: ${String(err.stderr ?? err.message).trim()}`;
    }
    try {
      writeSync(fd, "x");
      return "the immutable attribute does not stop writes through an open descriptor here";
    } catch (err) {
      return err.code === "EPERM" ? null : `unexpected error writing an immutable file: ${err.code}`;
    } finally {
      setImmutable([file], false);
    }
  } finally {
    closeSync(fd);
    rmSync(probeDir, { recursive: true, force: true });
  }
}
