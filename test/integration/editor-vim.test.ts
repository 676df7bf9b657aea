/**
 * The Vim snippet of docs/editors.md, run for real: the first ```vim block of the doc is Vim's
 * only vimrc (`-u`), Vim runs in a pseudo-terminal made by script(1) and is driven by typing Ex
 * commands into it, and its quickfix list is written to a file after each save.
 */
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NATIVE_BIN, REPO_ROOT, createProject, disposeAll, isAlive, type TestProject } from '../helpers/project.js';
import { waitFor } from '../helpers/wait.js';

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const hasVim = onPath('vim') && onPath('script');

interface StatusBuilds { count: number; running: boolean; last: { ok: boolean; trigger: string } | null }

/** The snippet as a user copies it: the first ```vim block of docs/editors.md. */
function vimSnippet(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'editors.md'), 'utf8');
  const block = /^```vim\n([\s\S]*?)^```$/m.exec(doc);
  if (!block) throw new Error('docs/editors.md has no ```vim block');
  return block[1]!;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const vimString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** What a terminal would show, minus its control sequences (for the failure report). */
function plain(screen: string): string {
  // eslint-disable-next-line no-control-regex
  return screen.replace(/\u001b\[[0-9;?<>=]*[ -/]*[@-~]|\u001b[()][0-9A-Za-z]|\u001b[=>78]|\r/g, '');
}

/** Vim in a pty, with its own files (pid, ready marker, quickfix dumps) next to the project. */
class VimSession {
  private output = '';
  private readonly child: ChildProcess;
  private exitCode: number | null | undefined;

  constructor(p: TestProject, readonly dir: string, file: string) {
    const setup = join(dir, 'setup.vim');
    writeFileSync(join(dir, 'jmake.vim'), vimSnippet());
    writeFileSync(setup, [
      // What users run: bin/jmake (the native client, which hands the first call, with no daemon yet, to the Node CLI).
      `let g:jmake_command = ${vimString(quote(NATIVE_BIN))}`,
      `call writefile([getpid()], ${vimString(join(dir, 'pid'))})`,
      // One line for the state of the windows, then one per quickfix entry.
      'function! JmakeTestDump(path) abort',
      "  let l:lines = ['current=' . bufname('%') . ' qfwin=' . (getqflist({'winid': 0}).winid != 0)]",
      "  call extend(l:lines, map(getqflist(), {_, e -> bufname(e.bufnr) . ':' . e.lnum . ':' . e.col . ':' . e.type . ':' . e.valid . ':' . e.text}))",
      "  call writefile(split(execute('messages'), \"\\n\"), a:path . '.messages')",
      "  call writefile(l:lines, a:path . '.tmp')",
      "  call rename(a:path . '.tmp', a:path)",
      'endfunction',
      `autocmd VimEnter * call writefile(['ready'], ${vimString(join(dir, 'ready'))})`,
      '',
    ].join('\n'));
    // No user vimrc, no viminfo, no swap file: the doc's snippet is the whole configuration.
    const vim = `vim -u ${quote(join(dir, 'jmake.vim'))} -N -i NONE -n --cmd ${quote(`source ${setup}`)} ${quote(file)}`;
    this.child = spawn('script', ['-qfec', vim, '/dev/null'], {
      cwd: p.root,
      // The project's env (its own daemon); a known shell and terminal for Vim and systemlist().
      env: { ...p.env, SHELL: '/bin/sh', TERM: 'xterm', LINES: '24', COLUMNS: '80' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => { this.output = (this.output + chunk.toString('utf8')).slice(-200_000); };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.stdin!.on('error', () => undefined);
    this.child.on('exit', (code) => { this.exitCode = code; });
  }

  screen(): string {
    return plain(this.output);
  }

  vimPid(): number | null {
    const path = join(this.dir, 'pid');
    return existsSync(path) ? Number(readFileSync(path, 'utf8').trim()) || null : null;
  }

  async ready(): Promise<void> {
    await waitFor(() => existsSync(join(this.dir, 'ready')) || this.exitCode !== undefined, { what: 'Vim to start', timeoutMs: 10_000 });
    if (this.exitCode !== undefined) throw new Error(`Vim exited at once (${this.exitCode})`);
  }

  /** Types an Ex command line into Vim (from Normal mode). */
  type(command: string): void {
    this.child.stdin!.write(`:${command}\r`);
  }

  /** Runs `command`, then dumps the quickfix list in the same command line; resolves with the dump. */
  async runAndDump(command: string, name: string): Promise<{ header: string; entries: string[] }> {
    const path = join(this.dir, name);
    this.type(`${command} | call JmakeTestDump(${vimString(path)})`);
    const lines = await waitFor(() => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : null),
      { what: `Vim to write ${name}`, timeoutMs: 20_000 });
    return { header: lines[0]!, entries: lines.slice(1) };
  }

  messages(name: string): string {
    const path = join(this.dir, `${name}.messages`);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  async quit(): Promise<number | null | undefined> {
    this.type('qa!');
    await waitFor(() => this.exitCode !== undefined, { what: 'Vim to quit', timeoutMs: 10_000 });
    return this.exitCode;
  }

  /** Vim and script(1) are gone, killed if need be. */
  async kill(): Promise<void> {
    const pid = this.vimPid();
    if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (this.exitCode === undefined) this.child.kill('SIGKILL');
    await waitFor(() => (pid === null || !isAlive(pid)) && this.exitCode !== undefined, { what: 'Vim to exit', timeoutMs: 10_000 });
  }
}

const sessions: VimSession[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.kill()));
  await disposeAll();
});

const builds = async (p: TestProject) => (await p.json<{ builds: StatusBuilds }>(['status'])).builds;
const notifyRequests = (p: TestProject) => p.daemonLog().match(/\bnotify rid=\d+ ok\b/g)?.length ?? 0;

describe('the Vim snippet of docs/editors.md', () => {
  it.skipIf(!hasVim)(`runs jmake notify on save and loads its diagnostics into the quickfix list${hasVim ? '' : ' (skipped: vim or script(1) is not installed)'}`, async () => {
    const p = await createProject('hello');
    expect((await p.run(['build'])).code).toBe(0);
    const before = await builds(p);

    const dir = join(dirname(p.root), 'vim');
    mkdirSync(dir);
    const vim = new VimSession(p, dir, 'src/main.cpp');
    sessions.push(vim);
    onTestFailed(() => {
      process.stderr.write(`\n----- Vim's terminal -----\n${vim.screen().slice(-4000)}\n----- Vim's messages -----\n${vim.messages('qf-error')}${vim.messages('qf-fixed')}\n-----\n`);
    });
    await vim.ready();
    const lines = readFileSync(p.path('src/main.cpp'), 'utf8').split('\n').length - 1;

    // A compile error, saved: the list holds it, the window is open, the cursor stayed in the source.
    const broken = await vim.runAndDump("call append(line('$'), 'int broken = ;') | w", 'qf-error');
    expect(readFileSync(p.path('src/main.cpp'), 'utf8')).toMatch(/\nint broken = ;\n$/);
    expect(broken.header).toBe('current=src/main.cpp qfwin=1');
    expect(broken.entries).toHaveLength(1);
    expect(broken.entries[0]).toMatch(new RegExp(`^src/main\\.cpp:${lines + 1}:\\d+:e:1:\\S`));
    expect(notifyRequests(p)).toBe(1);
    const failed = await builds(p);
    expect(failed.count).toBeGreaterThan(before.count);
    expect(failed.last).toMatchObject({ ok: false, trigger: 'request' });

    // The fix, saved: the list is empty and the window closed.
    const fixed = await vim.runAndDump('$delete | w', 'qf-fixed');
    expect(readFileSync(p.path('src/main.cpp'), 'utf8').split('\n').length - 1).toBe(lines);
    expect(fixed).toEqual({ header: 'current=src/main.cpp qfwin=0', entries: [] });
    expect(notifyRequests(p)).toBe(2);
    expect((await builds(p)).last).toMatchObject({ ok: true, trigger: 'request' });

    expect(await vim.quit()).toBe(0);
  }, 30_000);
});
