/*
 * jmake-client: the native thin client for jmake's hot commands (build, status, notify), in the
 * style of Bazel's C++ client and nailgun.
 *
 * Why: Node's start-up costs ~50 ms here, and an editor runs `jmake notify` on every save; this
 * client's own part of a no-op is ~2 ms (7-15 ms end to end, the daemon's work included). It
 * renders nothing: it hands the command, its args, the cwd, the environment and the terminal's
 * facts to the running daemon, which runs the command and streams back the exact bytes to write
 * to stdout and stderr, then an exit code.
 *
 * Anything it cannot handle (another command, no project, no daemon or a stale one, a reply of
 * `fallback`, args that are not UTF-8...) execs the Node client, `node <pkg>/bin/run.cjs <args>`
 * with the original args, which does everything: starting or replacing the daemon, help, errors.
 * It does so only before it has written any byte, so no output is ever shown twice. bin/jmake runs
 * this program when scripts/build-native-client.mjs could build it (dist/jmake-client).
 *
 * Environment:
 *   JMAKE_NATIVE_CLIENT=0        always use the Node client
 *   JMAKE_NATIVE_CLIENT_DEBUG=1  say why on each fallback: `jmake-client: falling back to node: ...`
 *
 * Wire protocol, on the daemon's Unix socket (<root>/.jmake/daemon.json names it): frames are JSON
 * text ending in a form feed, both ways. The daemon writes them with JSON.stringify, whose key
 * order is fixed, so replies are recognised by their byte prefix.
 *   -> {"type":"request","data":{"rid":1,"method":"hello","params":{"protocol":P,"version":V,"client":C}}}
 *   -> {"type":"request","data":{"rid":2,"method":"cli","params":{"command":..,"args":[..],"cwd":..,
 *        "env":{..},"stdout":{"tty":B,"columns":N},"stderr":{"tty":B}}}}
 *   <- {"type":"progress","data":{"rid":2,"progress":{"fd":N,"text":".."}}}   bytes for fd N
 *   <- {"type":"reply","data":{"rid":2,"ok":true,"result":{"exit":N}}}         the exit code
 *   <- {"type":"reply","data":{"rid":2 or 0,"ok":false,"error":{"code":..,"message":..}}}
 *   -> {"type":"request","data":{"rid":3,"method":"cancel","params":{"rid":2}}}  on Ctrl-C
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef JMAKE_VERSION
#define JMAKE_VERSION "0.0.0"
#endif
#ifndef JMAKE_PROTOCOL
#define JMAKE_PROTOCOL 1
#endif
#define MAX_FRAME ((size_t)64 << 20)
#define HAS(s, lit) (strncmp((s), (lit), sizeof(lit) - 1) == 0)

extern char **environ;

typedef struct { char *p; size_t len, cap; } buf_t;

static int orig_argc;
static char **orig_argv;
static int sock = -1;
static int wrote = 0;               /* a byte went out: from here on, no fallback */
static int dead[3];                 /* stdout/stderr gave EPIPE: its reader is gone */
static volatile sig_atomic_t interrupted = 0;
static int sig_pipe[2] = {-1, -1};  /* wakes poll() on SIGINT without a race */
static int cancel_sent = 0;
static int sigint_caught = 0;       /* our handler is installed */

/* Let the Node client do it all: exec `node <pkg>/bin/run.cjs <original args>`. */
static void fallback(const char *fmt, ...) {
  if (sock >= 0) close(sock);
  const char *debug = getenv("JMAKE_NATIVE_CLIENT_DEBUG");
  if (debug && strcmp(debug, "1") == 0) {
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    dprintf(2, "jmake-client: falling back to node: %s\n", reason);
  }
  /* <pkg>/dist/jmake-client: the package is two levels up from the real executable. */
  char pkg[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", pkg, sizeof pkg - 1);
  if (n > 0) pkg[n] = 0;
  else if (!realpath(orig_argv[0], pkg)) snprintf(pkg, sizeof pkg, "%s", orig_argv[0]);
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(pkg, '/');
    if (slash) *slash = 0; else strcpy(pkg, ".");
  }
  char script[PATH_MAX + 16];
  snprintf(script, sizeof script, "%s/bin/run.cjs", pkg);
  char **av = calloc((size_t)orig_argc + 2, sizeof *av);
  if (av) {
    av[0] = "node";
    av[1] = script;
    for (int i = 1; i < orig_argc; i++) av[i + 1] = orig_argv[i];
    signal(SIGPIPE, SIG_DFL); /* an ignored signal stays ignored across exec */
    if (sigint_caught) signal(SIGINT, SIG_DFL); /* from here, Ctrl-C simply stops us */
    if (interrupted) _exit(130);
    execvp("node", av);
  }
  dprintf(2, "jmake: cannot run node: %s\n", strerror(errno));
  _exit(1);
}

/* The daemon cannot finish this call: fall back if nothing was written, else say why. */
static void give_up(const char *reason, const char *message) {
  if (!wrote && !interrupted) fallback("%s", reason);
  dprintf(2, "jmake: %s\n", message);
  /* Interrupted: do not start the command again in Node, just stop as Ctrl-C means. */
  _exit(interrupted ? 130 : 1);
}

/* Room for n more bytes and a NUL. */
static void reserve(buf_t *b, size_t n) {
  if (b->len + n + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + n + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) give_up("out of memory", "out of memory");
  b->p = p;
  b->cap = cap;
}

static void put(buf_t *b, const char *s, size_t n) {
  reserve(b, n);
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void puts_(buf_t *b, const char *s) { put(b, s, strlen(s)); }

/* Length of the UTF-8 sequence at s; 0 if invalid (overlong, surrogate, > U+10FFFF, cut short). */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0], cp, min;
  size_t len;
  if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
  else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
  else return 0;
  if (n < len) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (s[k] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

/* Appends s as a JSON string. 0 if s is not UTF-8: Node would alter such bytes, so let it decide. */
static int put_json(buf_t *b, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, run = 0;
  put(b, "\"", 1);
  while (i < n) {
    unsigned c = s[i];
    if (c >= 0x80) {
      size_t len = utf8_len(s + i, n - i);
      if (!len) return 0;
      i += len;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') { i++; continue; }
    put(b, str + run, i - run);
    static const char named[] = "\"\\\n\t\r\b\f", letter[] = "\"\\ntrbf";
    const char *k = c ? strchr(named, (int)c) : NULL;
    char esc[8];
    if (k) snprintf(esc, sizeof esc, "\\%c", letter[k - named]);
    else snprintf(esc, sizeof esc, "\\u%04x", c);
    puts_(b, esc);
    run = ++i;
  }
  put(b, str + run, n - run);
  put(b, "\"", 1);
  return 1;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = p[k];
    if (c >= '0' && c <= '9') v = v << 4 | (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v = v << 4 | (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v = v << 4 | (unsigned)(c - 'A' + 10);
    else return 0; /* also stops at the terminating NUL */
  }
  *out = v;
  return 1;
}

/*
 * Decodes the JSON string that starts at p (just after its opening quote) into p itself: the
 * decoded bytes are never longer than the escapes. Returns the byte after the closing quote, or
 * NULL if malformed; *len gets the decoded length. The text must end in a NUL.
 */
static char *json_str(char *p, size_t *len) {
  char *o = p, *start = p;
  static const char letter[] = "bfnrt", named[] = "\b\f\n\r\t";
  for (;;) {
    char c = *p++;
    if (c == '"') { *len = (size_t)(o - start); return p; }
    if (c == 0) return NULL;
    if (c != '\\') { *o++ = c; continue; }
    const char *k = (c = *p++) ? strchr(letter, c) : NULL;
    switch (c) {
      case '"': case '\\': case '/': *o++ = c; break;
      case 'b': case 'f': case 'n': case 'r': case 't': *o++ = named[k - letter]; break;
      case 'u': {
        unsigned cp, lo;
        if (!hex4(p, &cp)) return NULL;
        p += 4;
        if (cp >= 0xd800 && cp <= 0xdbff && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          p += 6;
        }
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; /* a lone surrogate: what Node would write */
        if (cp < 0x80) *o++ = (char)cp;
        else if (cp < 0x800) { *o++ = (char)(0xc0 | cp >> 6); *o++ = (char)(0x80 | (cp & 0x3f)); }
        else if (cp < 0x10000) { *o++ = (char)(0xe0 | cp >> 12); *o++ = (char)(0x80 | (cp >> 6 & 0x3f)); *o++ = (char)(0x80 | (cp & 0x3f)); }
        else { *o++ = (char)(0xf0 | cp >> 18); *o++ = (char)(0x80 | (cp >> 12 & 0x3f)); *o++ = (char)(0x80 | (cp >> 6 & 0x3f)); *o++ = (char)(0x80 | (cp & 0x3f)); }
        break;
      }
      default: return NULL;
    }
  }
}

static char *skip_ws(char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  return p;
}

/*
 * This client sends its whole environment, so it talks only to a socket that only this user could
 * have made: ours, in a folder of ours that nobody else may write to (the daemon's runtime folder
 * is 0700). A daemon.json planted in a shared project cannot point it at someone else's socket.
 * NULL when safe, else why not.
 */
static const char *unsafe_socket(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return strerror(errno);
  if (!S_ISSOCK(st.st_mode) || st.st_uid != getuid()) return "not a socket of this user";
  char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir) return "not in a private folder";
  *slash = 0;
  if (lstat(dir, &st) != 0) return strerror(errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) return "its folder is not private to this user (0700)";
  return NULL;
}

/* The string value of daemon.json's top-level key "socket", decoded in place; NULL if none. */
static char *find_socket(char *j) {
  int depth = 0, key = 0;
  for (char *p = j; *p;) {
    char c = *p++;
    if (c == '{' || c == '[') key = (++depth == 1 && c == '{');
    else if (c == '}' || c == ']') depth--;
    else if (c == ',') key = (depth == 1);
    else if (c == '"') {
      char *s = p;
      size_t n;
      if (!(p = json_str(s, &n))) return NULL;
      if (depth != 1 || !key) continue;
      key = 0;
      int wanted = n == 6 && memcmp(s, "socket", 6) == 0;
      p = skip_ws(p);
      if (*p++ != ':') return NULL;
      p = skip_ws(p);
      if (!wanted) continue;
      if (*p != '"' || !(p = json_str(s = p + 1, &n)) || memchr(s, 0, n)) return NULL;
      s[n] = 0;
      return s;
    }
  }
  return NULL;
}

/* path.resolve(base, p): absolute, without ".", ".." or doubled slashes; never touches the disk. */
static char *resolve(const char *base, const char *p) {
  size_t n = strlen(base) + strlen(p) + 3;
  char *in = malloc(n), *out = malloc(n);
  if (!in || !out) give_up("out of memory", "out of memory");
  snprintf(in, n, "%s/%s", p[0] == '/' ? "" : base, p);
  out[0] = 0;
  for (char *save = NULL, *c = strtok_r(in, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0) continue;
    if (strcmp(c, "..") == 0) { char *s = strrchr(out, '/'); if (s) *s = 0; continue; }
    strcat(out, "/");
    strcat(out, c);
  }
  if (!out[0]) strcpy(out, "/");
  free(in);
  return out;
}

/* The first directory at or above dir holding a regular file jmake.toml, real path; NULL if none. */
static char *find_root(const char *dir) {
  size_t n = strlen(dir);
  char *d = malloc(n + sizeof "/jmake.toml");
  if (!d) give_up("out of memory", "out of memory");
  memcpy(d, dir, n + 1);
  for (;;) {
    size_t len = strlen(d);
    struct stat st;
    strcpy(d + len, len == 1 ? "jmake.toml" : "/jmake.toml");
    int found = stat(d, &st) == 0 && S_ISREG(st.st_mode);
    d[len] = 0;
    if (found) { char *real = realpath(d, NULL); free(d); return real; }
    if (len == 1) { free(d); return NULL; }
    char *s = strrchr(d, '/');
    s[s == d ? 1 : 0] = 0;
  }
}

static int write_all(int fd, const char *p, size_t n);

/* Ctrl-C: ask the daemon, once, to cancel the command; its output and exit code (130) follow. */
static void maybe_cancel(void) {
  static const char frame[] = "{\"type\":\"request\",\"data\":{\"rid\":3,\"method\":\"cancel\",\"params\":{\"rid\":2}}}\f";
  if (!interrupted || cancel_sent) return;
  cancel_sent = 1;
  (void)write_all(sock, frame, sizeof frame - 1); /* if the daemon is gone, the read sees EOF */
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w >= 0) { p += w; n -= (size_t)w; continue; }
    if (errno == EINTR) {
      if (fd != sock) maybe_cancel(); /* never in the middle of the request */
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) { /* a non-blocking descriptor we inherited */
      struct pollfd q = {fd, POLLOUT, 0};
      poll(&q, 1, -1);
      continue;
    }
    return -1;
  }
  return 0;
}

static void on_sigint(int sig) {
  (void)sig;
  if (interrupted) _exit(130); /* the second Ctrl-C: stop now */
  interrupted = 1;
  int saved = errno;
  ssize_t ignored = write(sig_pipe[1], "i", 1);
  (void)ignored;
  errno = saved;
}

/* One frame from the daemon, NUL-terminated in place of its form feed. */
static void on_frame(char *f) {
  static const char progress[] = "{\"type\":\"progress\",\"data\":{\"rid\":2,\"progress\":{\"fd\":";
  static const char reply2[] = "{\"type\":\"reply\",\"data\":{\"rid\":2,";
  static const char reply0[] = "{\"type\":\"reply\",\"data\":{\"rid\":0,";
  static const char ok[] = "\"ok\":true,\"result\":{\"exit\":";
  if (HAS(f, progress)) {
    char *p = f + sizeof progress - 1, *s = p + 1 + sizeof ",\"text\":\"" - 1;
    int fd = p[0] - '0';
    size_t n;
    if ((fd != 1 && fd != 2) || !HAS(p + 1, ",\"text\":\"") || !json_str(s, &n) || n == 0) return;
    wrote = 1;
    if (!dead[fd] && write_all(fd, s, n) < 0) dead[fd] = 1; /* EPIPE: the reader left; the command goes on */
    return;
  }
  int mine = HAS(f, reply2);
  if (!mine && !HAS(f, reply0)) return; /* hello's reply, or something newer: not ours */
  char *p = f + sizeof reply2 - 1, *end;
  if (mine && HAS(p, ok)) {
    long code = strtol(p + sizeof ok - 1, &end, 10);
    if (end != p + sizeof ok - 1 && *end == '}') exit((int)code);
  }
  /* ok:false, or a frame the daemon refused (rid 0). Find both strings before decoding either. */
  char *code = strstr(p, "\"code\":\""), *message = strstr(p, "\"message\":\"");
  size_t n;
  if (code && json_str(code += 8, &n)) code[n] = 0; else code = "?";
  if (message && json_str(message += 11, &n)) message[n] = 0; else message = "the daemon refused the request";
  char reason[512];
  snprintf(reason, sizeof reason, "the daemon replied %s: %s", code, message);
  give_up(reason, message);
}

int main(int argc, char **argv) {
  orig_argc = argc;
  orig_argv = argv;
  const char *force = getenv("JMAKE_NATIVE_CLIENT");
  if (force && strcmp(force, "0") == 0) fallback("JMAKE_NATIVE_CLIENT=0");
  signal(SIGPIPE, SIG_IGN); /* a closed stdout or socket shows as EPIPE, handled where it happens */
  /* A closed stdout must not become the socket's descriptor (progress would go to the daemon). */
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) fallback("cannot open /dev/null");

  /* As bin/run.cjs: `jmake -C DIR cmd ...` moves the leading global flag behind the command. */
  int n = argc - 1;
  char **args = malloc(((size_t)n + 1) * sizeof *args);
  if (!args) fallback("out of memory");
  for (int i = 0; i <= n; i++) args[i] = argv[i + 1];
  int lead = 0;
  if (n >= 2 && (strcmp(args[0], "-C") == 0 || strcmp(args[0], "--dir") == 0)) lead = 2;
  else if (n >= 1 && HAS(args[0], "--dir=")) lead = 1;
  if (lead) {
    char *moved[2] = {args[0], args[1]};
    memmove(args, args + lead, (size_t)(n - lead) * sizeof *args);
    for (int i = 0; i < lead; i++) args[n - lead + i] = moved[i];
  }
  const char *cmd = n > 0 ? args[0] : "";
  if (strcmp(cmd, "build") != 0 && strcmp(cmd, "status") != 0 && strcmp(cmd, "notify") != 0)
    fallback("\"%s\" is not build, status or notify", cmd);
  char **rest = args + 1;
  int nrest = n - 1;

  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) fallback("getcwd: %s", strerror(errno));

  /* The project root, a guess the daemon checks: from -C, else notify's first file in a project. */
  const char *dir = NULL;
  for (int i = 0; i < nrest; i++) {
    if ((strcmp(rest[i], "-C") == 0 || strcmp(rest[i], "--dir") == 0) && i + 1 < nrest) dir = rest[++i];
    else if (HAS(rest[i], "--dir=")) dir = rest[i] + 6;
  }
  char *root = NULL;
  if (dir) root = find_root(resolve(cwd, dir));
  else {
    for (int i = 0; strcmp(cmd, "notify") == 0 && i < nrest && !root; i++) {
      const char *a = rest[i];
      if (strcmp(a, "--profile") == 0) { i++; continue; }
      if (a[0] == '-') continue;
      char *file = resolve(cwd, a), *slash = strrchr(file, '/');
      slash[slash == file ? 1 : 0] = 0;
      root = find_root(file);
      free(file);
    }
    if (!root) root = find_root(cwd);
  }
  if (!root) fallback("no jmake.toml above the start directory");

  /* The daemon's socket, from <root>/.jmake/daemon.json. */
  buf_t path = {0};
  puts_(&path, root);
  puts_(&path, "/.jmake/daemon.json");
  int fd = open(path.p, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) fallback("%s: %s", path.p, strerror(errno));
  if (st.st_size > 65536) fallback("%s is larger than 64 KiB", path.p);
  char json[65536 + 1];
  size_t got = 0;
  while (got < sizeof json - 1) {
    ssize_t r = read(fd, json + got, sizeof json - 1 - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fallback("%s: %s", path.p, strerror(errno));
    if (r == 0) break;
    got += (size_t)r;
  }
  close(fd);
  json[got] = 0;
  char *sock_path = find_socket(json);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (!sock_path) fallback("%s names no socket", path.p);
  if (strlen(sock_path) >= sizeof addr.sun_path) fallback("socket path too long: %s", sock_path);
  strcpy(addr.sun_path, sock_path);
  const char *unsafe = unsafe_socket(sock_path);
  if (unsafe) fallback("%s: %s", sock_path, unsafe);
  sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0)
    fallback("cannot connect to %s: %s", sock_path, strerror(errno));

  /* hello and the command, in one write. */
  buf_t req = {0};
  char num[64];
  snprintf(num, sizeof num, "%d", JMAKE_PROTOCOL);
  puts_(&req, "{\"type\":\"request\",\"data\":{\"rid\":1,\"method\":\"hello\",\"params\":{\"protocol\":");
  puts_(&req, num);
  puts_(&req, ",\"version\":");
  put_json(&req, JMAKE_VERSION, strlen(JMAKE_VERSION));
  puts_(&req, ",\"client\":\"jmake-client ");
  puts_(&req, cmd); /* one of three plain words */
  puts_(&req, "\"}}}\f{\"type\":\"request\",\"data\":{\"rid\":2,\"method\":\"cli\",\"params\":{\"command\":\"");
  puts_(&req, cmd);
  puts_(&req, "\",\"args\":[");
  for (int i = 0; i < nrest; i++) {
    if (i) put(&req, ",", 1);
    if (!put_json(&req, rest[i], strlen(rest[i]))) fallback("an argument is not UTF-8");
  }
  /* getcwd(), not $PWD: Node's process.cwd() is the physical path, and notify prints paths
   * relative to it; the same output needs the same folder. */
  puts_(&req, "],\"cwd\":");
  if (!put_json(&req, cwd, strlen(cwd))) fallback("the cwd is not UTF-8");
  puts_(&req, ",\"env\":{");
  int first = 1;
  for (char **e = environ; *e; e++) {
    char *eq = strchr(*e, '=');
    if (!eq) continue;
    size_t len = (size_t)(eq - *e);
    int dup = 0;
    for (char **f = environ; f < e && !dup; f++) dup = strncmp(*f, *e, len) == 0 && (*f)[len] == '=';
    if (dup) continue; /* the first one wins, as getenv() finds it */
    if (!first) put(&req, ",", 1);
    first = 0;
    if (!put_json(&req, *e, len)) fallback("an environment variable's name is not UTF-8");
    put(&req, ":", 1);
    if (!put_json(&req, eq + 1, strlen(eq + 1))) fallback("the value of %.*s is not UTF-8", (int)len, *e);
  }
  struct winsize ws;
  int tty1 = isatty(1), tty2 = isatty(2);
  puts_(&req, tty1 ? "},\"stdout\":{\"tty\":true" : "},\"stdout\":{\"tty\":false");
  if (tty1 && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    snprintf(num, sizeof num, ",\"columns\":%u", (unsigned)ws.ws_col);
    puts_(&req, num);
  }
  puts_(&req, tty2 ? "},\"stderr\":{\"tty\":true}}}}\f" : "},\"stderr\":{\"tty\":false}}}}\f");

  /* Ctrl-C cancels the command on the daemon (no SA_RESTART: poll wakes). Left alone if ignored. */
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) fallback("pipe: %s", strerror(errno));
  if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN) sigint_caught = sigaction(SIGINT, &sa, NULL) == 0;

  if (write_all(sock, req.p, req.len) < 0) give_up("cannot send the request", "cannot send the request");

  buf_t in = {0};
  put(&in, "", 0);
  size_t start = 0, scan = 0; /* the current frame starts at start; no form feed before scan */
  for (;;) {
    char *ff = memchr(in.p + scan, '\f', in.len - scan);
    if (ff) {
      *ff = 0;
      on_frame(in.p + start);
      start = scan = (size_t)(ff - in.p) + 1;
      continue;
    }
    if (in.len - start > MAX_FRAME) give_up("a frame larger than 64 MiB", "the daemon sent a frame larger than 64 MiB");
    memmove(in.p, in.p + start, in.len - start);
    in.len -= start;
    start = 0;
    scan = in.len;
    reserve(&in, 65536);
    maybe_cancel();
    struct pollfd fds[2] = {{sock, POLLIN, 0}, {sig_pipe[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      give_up("poll failed", "poll failed");
    }
    char drain[16];
    if (fds[1].revents) while (read(sig_pipe[0], drain, sizeof drain) > 0) {}
    if (!fds[0].revents) continue;
    ssize_t r = read(sock, in.p + in.len, in.cap - in.len - 1);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r <= 0) give_up("the daemon closed the connection", "the daemon closed the connection");
    in.len += (size_t)r;
  }
}
