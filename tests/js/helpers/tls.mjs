// Throwaway certificates made by the `openssl` command: a CA, and server certificates it signs for
// localhost / 127.0.0.1 / ::1. Clients trust the CA only (passed as `ca`), as a real deployment
// would trust a public one.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const openssl = (args, cwd) => execFileSync("openssl", args, { cwd, stdio: "pipe" });

// {dir, ca (PEM text), issue(name) -> {cert, key} (file paths), remove()}
export function makeCertificateAuthority() {
  const dir = mkdtempSync(path.join(tmpdir(), "sio-tls-"));
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sio test CA",
    "-keyout", "ca.key", "-out", "ca.pem"], dir);
  writeFileSync(path.join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n");
  return {
    dir,
    ca: readFileSync(path.join(dir, "ca.pem"), "utf8"),
    // A server certificate whose subject's CN is `name`, in <name>.pem / <name>.key.
    issue(name) {
      const key = path.join(dir, `${name}.key`);
      const cert = path.join(dir, `${name}.pem`);
      openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", key, "-out", `${name}.csr`], dir);
      openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "san.ext", "-out", cert], dir);
      return { cert, key };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
