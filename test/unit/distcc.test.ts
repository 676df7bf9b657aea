import { describe, expect, it } from 'vitest';
import { distccArgv, distccEnv, distributedParallelism, parseDistccLog, parseHosts } from '../../src/distributed/distcc.js';

describe('distcc hosts', () => {
  it('reads slots from "host/slots" and "host:port/slots"', () => {
    expect(parseHosts(['127.0.0.1/4', 'build1:3633/8', 'build2'])).toEqual([
      { spec: '127.0.0.1/4', slots: 4 }, { spec: 'build1:3633/8', slots: 8 }, { spec: 'build2', slots: 4 },
    ]);
  });

  it('grows the job limit to the hosts\' slots, never below the local cores', () => {
    expect(distributedParallelism(parseHosts(['a/4', 'b/8']), 2)).toBe(12);
    expect(distributedParallelism(parseHosts(['a/1']), 4)).toBe(4);
  });

  it('calls the compiler by name (distccd refuses absolute paths), and keeps a multi-word compiler whole', () => {
    expect(distccArgv(['/usr/bin/clang++'], 'clang++', ['-c', 'a.cpp'])).toEqual(['distcc', 'clang++', '-c', 'a.cpp']);
    expect(distccArgv(['/usr/bin/clang++-14'], 'clang++-14', ['-c', 'a.cpp'])).toEqual(['distcc', 'clang++-14', '-c', 'a.cpp']);
    expect(distccArgv(['ccache', 'g++'], 'ccache g++', ['-c'])).toEqual(['distcc', 'ccache', 'g++', '-c']);
    expect(distccEnv(parseHosts(['a/2', 'b:3633/4']), '/x/log')).toEqual({ DISTCC_HOSTS: 'a/2 b:3633/4', DISTCC_LOG: '/x/log', DISTCC_VERBOSE: '1' });
  });
});

describe('a job\'s distcc log', () => {
  // Lines as distcc 3.4 writes them (DISTCC_VERBOSE=1).
  it('names the host that compiled it', () => {
    const log = [
      'distcc[12878] (dcc_lock_host) got cpu lock on 127.0.0.1:3701/2 slot 0 as fd3',
      'distcc[12878] (dcc_spawn_child) forking to execute: clang++ -E a.cpp -target x86_64-pc-linux-gnu',
      'distcc[12878] exec on 127.0.0.1:3701/2: clang++ -c a.cpp -o e.o -target x86_64-pc-linux-gnu',
      'distcc[12878] (dcc_connect_by_name) connecting to 127.0.0.1 port 3701',
    ].join('\n');
    expect(parseDistccLog(log)).toEqual({ host: '127.0.0.1:3701/2', fellBack: null });
  });

  it('says when it fell back to a local compile, and why', () => {
    const log = [
      'distcc[12758] exec on 127.0.0.1:3799/2: clang++ -c a.cpp -o b.o',
      'distcc[12758] ERROR: nonblocking connect to 127.0.0.1:3799 failed: Connection refused',
      'distcc[12758] Warning: failed to distribute a.cpp to 127.0.0.1:3799/2, running locally instead',
    ].join('\n');
    expect(parseDistccLog(log)).toEqual({ host: '127.0.0.1:3799/2', fellBack: 'nonblocking connect to 127.0.0.1:3799 failed: Connection refused' });
  });

  it('names the failed host when distcc skipped it (backoff) and compiled here', () => {
    const log = [
      'distcc[19281] (dcc_check_backoff) still in backoff period for 127.0.0.1:3799/2',
      'distcc[19281] (dcc_build_somewhere) Warning: failed to distribute, running locally instead',
      'distcc[19281] exec on localhost: clang++ -c a.cpp -o b2.o -target x86_64-pc-linux-gnu',
      'distcc[19281] compile a.cpp on localhost completed ok',
    ].join('\n');
    expect(parseDistccLog(log)).toEqual({ host: '127.0.0.1:3799/2', fellBack: 'it failed recently (distcc\'s backoff period)' });
  });

  it('counts a compile distcc ran here by choice (no remote slot free) as local, not as a fallback', () => {
    expect(parseDistccLog('distcc[1] exec on localhost: clang++ -c a.cpp -o a.o\n')).toEqual({ host: 'localhost', fellBack: null });
  });

  it('has neither for an empty log', () => {
    expect(parseDistccLog('')).toEqual({ host: null, fellBack: null });
  });
});
