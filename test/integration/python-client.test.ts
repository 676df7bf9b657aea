/**
 * The protocol is language-neutral: a Python 3 client using only the standard library (socket,
 * json) says hello, asks for status and gets the same answer the jmake CLI gets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, disposeAll, REPO_ROOT } from '../helpers/project.js';

afterEach(disposeAll);

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const hasPython = (() => {
  const probe = spawnSync('python3', ['-c', 'import socket, json, sys; print(sys.version_info[0])'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.trim() === '3';
})();

if (!hasPython) {
  console.warn('python-client.test.ts: python3 is not installed; the Python client test is skipped (CI installs it)');
}

const CLIENT = String.raw`
import json, socket, sys

path, version = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.settimeout(30)
sock.connect(path)

def send(rid, method, params):
    frame = json.dumps({"type": "request", "data": {"rid": rid, "method": method, "params": params}})
    sock.sendall(frame.encode("utf-8") + b"\f")

buffer = b""
def replies():
    """Yield every frame the daemon sends, in order."""
    global buffer
    while True:
        while b"\f" in buffer:
            frame, buffer = buffer.split(b"\f", 1)
            yield json.loads(frame.decode("utf-8"))
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the daemon closed the connection")
        buffer += chunk

def call(rid, method, params, frames):
    send(rid, method, params)
    for frame in frames:
        data = frame["data"]
        if frame["type"] == "reply" and data["rid"] == rid:
            if not data["ok"]:
                raise SystemExit("%s failed: %s" % (method, json.dumps(data["error"])))
            return data["result"]

frames = replies()
hello = call(1, "hello", {"protocol": 1, "version": version, "client": "python-test"}, frames)
if not hello["compatible"]:
    raise SystemExit("daemon is not compatible: " + json.dumps(hello))
status = call(2, "status", {}, frames)
sock.close()
print(json.dumps(status))
`;

describe('a Python client', () => {
  it.skipIf(!hasPython)('speaks the protocol with only the standard library (skipped when python3 is absent)', async () => {
    const p = await createProject();
    const started = await p.json(['daemon', 'start']);
    const dir = mkdtempSync(join(tmpdir(), 'jmake-py-'));
    try {
      const script = join(dir, 'client.py');
      writeFileSync(script, CLIENT);
      const result = await execa('python3', [script, started.socket, VERSION], { reject: false, timeout: 60_000 });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const fromPython = JSON.parse(String(result.stdout));
      const fromCli = await p.json(['status']);
      expect(fromPython.root).toBe(p.root);
      expect(fromPython.root).toBe(fromCli.root);
      expect(fromPython.daemon.pid).toBe(started.pid);
      expect(fromPython.daemon.pid).toBe(fromCli.daemon.pid);
      expect(fromPython.daemon.instance).toBe(fromCli.daemon.instance);
      expect(fromPython.daemon.version).toBe(VERSION);
      expect(fromPython.daemon.socket).toBe(started.socket);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
