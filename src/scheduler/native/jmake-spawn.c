/*
 * jmake-spawn: starts the build's tools for jmake's spawner with posix_spawn, as ninja does.
 *
 * Why: a Node process starts a child with fork + exec, which here costs 5-10 ms of wall time and
 * ~5 ms of CPU per job even from the small spawner process; posix_spawn from this ~1 MB process
 * costs ~0.5 ms. Over a 1,000-source build on 2 cores that was most of jmake's gap to ninja
 * (docs/performance.md). jmake compiles this file with the machine's C compiler on first use
 * (src/scheduler/native-spawn.ts) and falls back to execa when it cannot.
 *
 * Protocol, on stdin: one request per job, every field ending in a NUL byte:
 *   "run" id cwd output-file file argc arg... envc env...
 * `file` is the program to execute (already resolved: posix_spawn does no PATH search), argv[0]
 * is the first arg. The child gets its own process group (so the caller can kill the compiler's
 * children too), stdin from /dev/null, stdout and stderr on output-file (created or truncated).
 * On stdout, one line per event:
 *   "S id pid"    started
 *   "E id errno"  could not be started (errno as a number)
 *   "X id code"   exited with that code
 *   "K id signal" killed by that signal
 * It exits when stdin closes, once its children have exited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_JOBS 4096

static struct { pid_t pid; char id[32]; } jobs[MAX_JOBS];
static int running = 0;
static int sigchld_pipe[2];

/* Input buffer: requests arrive in pieces; fields end in NUL. */
static char *in_buf = NULL;
static size_t in_len = 0, in_cap = 0;

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  ssize_t ignored = write(sigchld_pipe[1], "c", 1);
  (void)ignored;
  errno = saved;
}

static void emit(const char *kind, const char *id, long value) {
  char line[96];
  int n = snprintf(line, sizeof line, "%s %s %ld\n", kind, id, value);
  const char *p = line;
  while (n > 0) {
    ssize_t w = write(STDOUT_FILENO, p, (size_t)n);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(3); /* the spawner is gone */
    }
    p += w;
    n -= (int)w;
  }
}

static void reap(void) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (int i = 0; i < MAX_JOBS; i++) {
      if (jobs[i].pid != pid) continue;
      if (WIFEXITED(status)) emit("X", jobs[i].id, WEXITSTATUS(status));
      else if (WIFSIGNALED(status)) emit("K", jobs[i].id, WTERMSIG(status));
      jobs[i].pid = 0;
      running--;
      break;
    }
  }
}

/* The next NUL-terminated field at *pos, or NULL when the buffer holds no complete one. */
static char *field(size_t *pos) {
  if (*pos >= in_len) return NULL;
  char *start = in_buf + *pos;
  char *end = memchr(start, '\0', in_len - *pos);
  if (!end) return NULL;
  *pos = (size_t)(end - in_buf) + 1;
  return start;
}

/* Parse and start one request; returns the bytes it used, 0 when it is not complete yet. */
static size_t start_one(void) {
  size_t pos = 0;
  char *verb = field(&pos), *id = field(&pos), *cwd = field(&pos), *out = field(&pos), *file = field(&pos), *count = field(&pos);
  if (!count) return 0;
  if (strcmp(verb, "run") != 0 || strlen(id) >= sizeof jobs[0].id) {
    fprintf(stderr, "jmake-spawn: bad request\n");
    exit(2);
  }
  long argc = strtol(count, NULL, 10);
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  for (long i = 0; i < argc; i++) {
    if (!(argv[i] = field(&pos))) { free(argv); return 0; }
  }
  char *env_count = field(&pos);
  if (!env_count) { free(argv); return 0; }
  long envc = strtol(env_count, NULL, 10);
  char **envp = calloc((size_t)envc + 1, sizeof *envp);
  for (long i = 0; i < envc; i++) {
    if (!(envp[i] = field(&pos))) { free(argv); free(envp); return 0; }
  }

  int slot = -1;
  for (int i = 0; i < MAX_JOBS; i++) if (jobs[i].pid == 0) { slot = i; break; }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  /* The tool's own process group; default signal handling and an empty mask, whatever ours are. */
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawn_file_actions_addchdir_np(&actions, cwd);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid;
  int err = slot < 0 ? EAGAIN : posix_spawn(&pid, file, &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    emit("E", id, err);
  } else {
    jobs[slot].pid = pid;
    strcpy(jobs[slot].id, id);
    running++;
    emit("S", id, pid);
  }
  free(argv);
  free(envp);
  return pos;
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  fcntl(STDIN_FILENO, F_SETFD, FD_CLOEXEC);
  fcntl(STDOUT_FILENO, F_SETFD, FD_CLOEXEC);

  int input_open = 1;
  while (input_open || running > 0) {
    struct pollfd fds[2] = { { sigchld_pipe[0], POLLIN, 0 }, { STDIN_FILENO, POLLIN, 0 } };
    int n = poll(fds, input_open ? 2 : 1, -1);
    if (n < 0 && errno != EINTR) return 1;
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {}
    }
    reap();
    if (input_open && (fds[1].revents & (POLLIN | POLLHUP))) {
      if (in_cap - in_len < 65536) {
        in_cap = in_cap * 2 + 65536;
        in_buf = realloc(in_buf, in_cap);
        if (!in_buf) return 1;
      }
      ssize_t r = read(STDIN_FILENO, in_buf + in_len, in_cap - in_len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) { input_open = 0; continue; }
      in_len += (size_t)r;
      size_t used;
      while (in_len > 0 && (used = start_one()) > 0) {
        memmove(in_buf, in_buf + used, in_len - used);
        in_len -= used;
      }
    }
  }
  return 0;
}
